"""llm.debate: parsers and the Agent4Debate state machine on a scripted fake backend.

Software tests of control flow on fixed strings, not results."""

import pytest

from replib.llm.backend import BaseBackend
from replib.llm.debate import (
    Entrant,
    judge_debate,
    parse_queries,
    parse_review,
    parse_verdict,
    run_debate,
    team_speech,
)
from replib.llm.prompts import debate as DP
from replib.llm.tools import LocalBM25Search


class Scripted(BaseBackend):
    """Replies by the role named in the system prompt; records every call."""

    def __init__(self, reviews):
        super().__init__(name="scripted", model="fake")
        self.reviews = list(reviews)
        self.calls = []

    def generate(self, messages, *, max_tokens=256, temperature=0.0, seed=None, stop=None):
        text = messages if isinstance(messages, str) else messages[0]["content"]
        self.calls.append(text[:40])
        if "researcher" in text:
            return "```queries\nfree buses\ntraffic\n```"
        if "coach" in text:
            return self.reviews.pop(0) if self.reviews else "<finish>\\boxed{FINISHED}</finish>"
        if "strategist" in text:
            return "- plan"
        if "Score each side" in text:
            return ('{"pro": {"argument": 7, "source": 6, "language": 8}, '
                    '"con": {"argument": 5, "source": 5, "language": 6}, "winner": "pro"}')
        return "a speech"


def test_parsers():
    assert parse_queries("x\n```queries\n- a\nb\n```") == ["a", "b"]
    assert parse_queries("no block") is None
    assert parse_review("<revise>add data</revise>") == ("revise", "add data")
    assert parse_review("ok <finish>\\boxed{FINISHED}</finish>") == ("finish", "")
    assert parse_review("looks fine")[0] == "unparseable"
    assert parse_review("<revise>x</revise><finish>\\boxed{FINISHED}</finish>")[0] == \
        "unparseable"
    good = {"pro": {"argument": 7, "source": 6, "language": 8},
            "con": {"argument": 5, "source": 5, "language": "6"}, "winner": "Pro"}
    assert parse_verdict(good)[0] == "pro"
    assert parse_verdict({"winner": "pro"}) is None
    assert parse_verdict({**good, "winner": "draw"}) is None


def test_revision_loop_terminates_and_counts():
    be = Scripted(["<revise>more data</revise>"] * 10)
    e = Entrant("a4d", be, max_revisions=3, search=LocalBM25Search(
        documents=[("Buses", "free buses help")]))
    log = team_speech(e, motion="m", side="pro", stage="argument", speeches=[])
    assert log.revisions == 3 and log.unparseable == 0 and log.text == "a speech"
    assert log.queries == ["free buses", "traffic"]
    # searcher + analyzer + writer, then 3 x (reviewer + analyzer + writer); the loop stops
    # at max_revisions without a fourth review
    assert log.calls == 3 + 3 * 3


def test_unparseable_review_is_counted_and_ablation_skips_roles():
    be = Scripted(["I think it is fine"])
    log = team_speech(Entrant("a4d", be), motion="m", side="con", stage="summary",
                      speeches=[])
    assert log.unparseable == 1 and log.revisions == 0
    be2 = Scripted([])
    log2 = team_speech(Entrant("no-rev", be2, roles=frozenset({"writer", "analyzer"})),
                       motion="m", side="con", stage="rebuttal", speeches=[])
    assert log2.calls == 2
    with pytest.raises(ValueError, match="roles"):
        Entrant("bad", be2, roles=frozenset({"analyzer"}))


def test_debate_order_and_judge():
    be = Scripted([])
    d = run_debate(Entrant("a", be), Entrant("b", be, kind="baseline"), motion="m", seed=1)
    assert [(lg.stage, lg.side) for lg in d.logs] == list(DP.SPEECH_ORDER)
    assert all(lg.calls == 1 for lg in d.logs if lg.side == "con")
    j = judge_debate(be, motion="m", speeches=d.speeches)
    assert j.parsed and j.winner == "pro" and j.scores["con"]["argument"] == 5.0
