"""llm.judges and llm.agents with scripted backends (software tests, no model)."""

import json

import pytest

from replib.llm.agents import TextAgent
from replib.llm.backend import BaseBackend, Choice
from replib.llm.judges import FlagJudge, PairwiseJudge


class FirstBiased(BaseBackend):
    """Always prefers the first-shown option with probability 0.8."""

    def choose(self, prompt, options, *, seed=None):
        import math
        return Choice(options[0], 0, (math.log(0.8), math.log(0.2)), "logprobs", "")


class Texts(BaseBackend):
    def __init__(self, replies):
        super().__init__(name="texts", model="t")
        self.replies = list(replies)

    def generate(self, messages, *, max_tokens=256, temperature=0.0, seed=None, stop=None):
        return self.replies.pop(0)


def test_pairwise_debias_cancels_position_bias():
    be = FirstBiased(name="b", model="m")
    make = lambda a, b: f"A: {a} B: {b}"  # noqa: E731
    assert PairwiseJudge(be, debias=False).prefer(make, "x", "y") == pytest.approx(0.8)
    j = PairwiseJudge(be, debias=True)
    assert j.prefer(make, "x", "y") == pytest.approx(0.5) and j.stats.calls == 2


def test_pairwise_parsed_and_unparseable():
    class Parsed(BaseBackend):
        def generate(self, messages, **kw):
            return "B" if "first" in messages else "nonsense"

    j = PairwiseJudge(Parsed(name="p", model="m"), debias=False)
    assert j.prefer(lambda a, b: a, "first", "x") == 0.0
    assert j.prefer(lambda a, b: a, "other", "x") == 0.5 and j.stats.unparseable == 1


def test_flag_judge_and_text_agent():
    be = Texts([json.dumps({"deceptive": True, "unsupported": ["x"]}), "no", "still no",
                '{"message": "hi", "claims": []}'])
    fj = FlagJudge(be, {"deceptive": bool, "unsupported": list}, "deceptive")
    assert fj.flag("p") is True
    assert fj.flag("p") is None and fj.stats.unparseable == 1
    agent = TextAgent(be, "system")
    out, ok = agent.ask_json("u", {"message": str, "claims": list}, None)
    assert ok and out["message"] == "hi"
    with pytest.raises(ValueError, match="key"):
        FlagJudge(be, {"a": bool}, "b")
