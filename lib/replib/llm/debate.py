"""Agent4Debate's pipeline on the backend layer: role teams, baseline, debates, a judge.

Zhang et al., "Can LLMs Beat Humans in Debating?" (arXiv 2408.04472, Sec. 3, framework
figure). For each of the six speeches (argument, rebuttal, summary × Pro, Con) a team
runs a small state machine:

    Searcher → queries → search tool → evidence
    Analyzer(evidence) → plan;  Writer(plan, evidence) → draft
    repeat ≤ max_revisions:  Reviewer(draft) → <finish> | <revise>feedback</revise>
        on revise: Analyzer(feedback) → plan; Writer(draft, feedback) → draft

A team may run without some roles (the paper's ablations). The baseline is one prompt per
speech. ``judge_debate`` is a simplified Debatrix judge (Liang et al., arXiv 2403.08010):
chronological notes, one speech at a time, then per-dimension scores and a winner as JSON.
Every reply that cannot be parsed is counted (``SpeechLog.unparseable``,
``JudgeResult.parsed``) and handled by a stated default — never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from replib.llm.backend import Backend
from replib.llm.prompts import debate as DP

__all__ = ["Entrant", "SpeechLog", "Debate", "JudgeResult", "parse_queries", "parse_review",
           "parse_verdict", "team_speech", "baseline_speech", "run_debate", "judge_debate"]

_QUERIES = re.compile(r"```queries\s*\n(.*?)```", re.S)
_REVISE = re.compile(r"<revise>(.*?)</revise>", re.S | re.I)
_FINISH = re.compile(r"<finish>.*?\\boxed\{FINISHED\}.*?</finish>", re.S | re.I)


@dataclass(frozen=True)
class Entrant:
    """A debater: ``kind`` is "agent4debate" (role team) or "baseline" (one prompt);
    ``roles`` the team's roles (drop one for an ablation); ``search`` a tool with
    ``search(query, top_k)`` (``replib.llm.tools``) or None."""

    name: str
    backend: Backend
    kind: str = "agent4debate"
    roles: frozenset = frozenset(DP.ROLES)
    search: Any = None
    max_revisions: int = 3
    max_words: int = 250
    n_queries: int = 3
    top_k: int = 2
    temperature: float = 0.7

    def __post_init__(self) -> None:
        if self.kind not in ("agent4debate", "baseline"):
            raise ValueError(f"kind must be 'agent4debate' or 'baseline', got {self.kind!r}")
        unknown = set(self.roles) - set(DP.ROLES)
        if unknown or (self.kind == "agent4debate" and "writer" not in self.roles):
            raise ValueError(f"roles must be a subset of {DP.ROLES} containing 'writer', "
                             f"got {sorted(self.roles)}")


@dataclass
class SpeechLog:
    """One speech and how it was made: revisions, unparseable replies, LLM calls."""

    stage: str
    side: str
    text: str
    revisions: int = 0
    unparseable: int = 0
    calls: int = 0
    queries: list[str] = field(default_factory=list)


@dataclass
class Debate:
    """A full debate: the motion, the two entrants' names and the six speech logs."""

    motion: str
    pro: str
    con: str
    logs: list[SpeechLog]

    @property
    def speeches(self) -> list[tuple[str, str, str]]:
        return [(lg.stage, lg.side, lg.text) for lg in self.logs]


@dataclass(frozen=True)
class JudgeResult:
    """Winner ("pro", "con", or None when the verdict was unparseable), scores, notes."""

    winner: str | None
    scores: dict
    memory: str
    parsed: bool


def parse_queries(text: str, *, limit: int = 3) -> list[str] | None:
    """Queries from the ```queries block, or None when there is no such block."""
    m = _QUERIES.search(text or "")
    if m is None:
        return None
    return [q.strip(" -*\t") for q in m.group(1).splitlines() if q.strip(" -*\t")][:limit]


def parse_review(text: str) -> tuple[str, str]:
    """("finish", ""), ("revise", feedback) or ("unparseable", raw reply)."""
    t = text or ""
    rev, fin = _REVISE.search(t), _FINISH.search(t)
    if rev and not fin:
        return "revise", rev.group(1).strip()
    if fin and not rev:
        return "finish", ""
    return "unparseable", t


def parse_verdict(obj: Any) -> tuple[str, dict] | None:
    """(winner, scores) from the judge's JSON object, or None if it is malformed."""
    if not isinstance(obj, dict) or str(obj.get("winner", "")).lower() not in DP.SIDES:
        return None
    scores = {}
    for side in DP.SIDES:
        s = obj.get(side)
        if not isinstance(s, dict):
            return None
        try:
            scores[side] = {d: float(s[d]) for d in DP.DIMENSIONS}
        except (KeyError, TypeError, ValueError):
            return None
    return str(obj["winner"]).lower(), scores


def _ask(e: Entrant, role: str, user: str, *, motion: str, side: str, stage: str,
         seed: int | None, log: SpeechLog, max_tokens: int = 600) -> str:
    msgs = [{"role": "system", "content": DP.system_prompt(role, motion=motion, side=side,
                                                           stage=stage)},
            {"role": "user", "content": user}]
    log.calls += 1
    return e.backend.generate(msgs, max_tokens=max_tokens, temperature=e.temperature,
                              seed=seed).strip()


def team_speech(e: Entrant, *, motion: str, side: str, stage: str,
                speeches: Sequence[tuple[str, str, str]], seed: int | None = None) -> SpeechLog:
    """One speech by an Agent4Debate team (the state machine in the module docstring)."""
    log = SpeechLog(stage, side, "")
    kw = dict(motion=motion, side=side, stage=stage)
    evidence = ""
    if "searcher" in e.roles and e.search is not None:
        raw = _ask(e, "searcher", DP.searcher_prompt(speeches=speeches, n_queries=e.n_queries,
                                                     **kw), seed=seed, log=log, **kw)
        queries = parse_queries(raw, limit=e.n_queries)
        if queries is None:
            log.unparseable += 1
            queries = []
        log.queries = queries
        hits = [h for q in queries for h in e.search.search(q, e.top_k)]
        evidence = "\n".join(f"- {h.title}: {h.text[:400]}" for h in hits)
    plan = ""
    if "analyzer" in e.roles:
        plan = _ask(e, "analyzer", DP.analyzer_prompt(speeches=speeches, evidence=evidence, **kw),
                    seed=seed, log=log, **kw)
    draft = _ask(e, "writer", DP.writer_prompt(speeches=speeches, plan=plan, evidence=evidence,
                                               max_words=e.max_words, **kw),
                 seed=seed, log=log, **kw)
    while "reviewer" in e.roles and log.revisions < e.max_revisions:
        verdict, feedback = parse_review(_ask(e, "reviewer", DP.reviewer_prompt(
            speeches=speeches, draft=draft, **kw), seed=seed, log=log, **kw))
        if verdict == "unparseable":  # counted; the draft stands, as if accepted
            log.unparseable += 1
            break
        if verdict == "finish":
            break
        log.revisions += 1
        if "analyzer" in e.roles:  # the dynamic loop: the plan is revised with the feedback
            plan = _ask(e, "analyzer", DP.analyzer_prompt(
                speeches=speeches, evidence=evidence, feedback=feedback, **kw),
                seed=seed, log=log, **kw)
        draft = _ask(e, "writer", DP.writer_prompt(
            speeches=speeches, plan=plan, evidence=evidence, draft=draft, feedback=feedback,
            max_words=e.max_words, **kw), seed=seed, log=log, **kw)
    log.text = draft
    return log


def baseline_speech(e: Entrant, *, motion: str, side: str, stage: str,
                    speeches: Sequence[tuple[str, str, str]],
                    seed: int | None = None) -> SpeechLog:
    """One speech by the foundation model prompted directly."""
    log = SpeechLog(stage, side, "")
    log.calls = 1
    log.text = e.backend.generate(
        DP.baseline_prompt(motion=motion, side=side, stage=stage, speeches=speeches,
                           max_words=e.max_words),
        max_tokens=600, temperature=e.temperature, seed=seed).strip()
    return log


def run_debate(pro: Entrant, con: Entrant, *, motion: str, seed: int | None = None) -> Debate:
    """Six speeches in ``SPEECH_ORDER``; each side sees every earlier speech."""
    logs: list[SpeechLog] = []
    for i, (stage, side) in enumerate(DP.SPEECH_ORDER):
        e = pro if side == "pro" else con
        speak = team_speech if e.kind == "agent4debate" else baseline_speech
        s = None if seed is None else seed * 10 + i
        logs.append(speak(e, motion=motion, side=side, stage=stage,
                          speeches=[(lg.stage, lg.side, lg.text) for lg in logs], seed=s))
    return Debate(motion, pro.name, con.name, logs)


def judge_debate(backend: Backend, *, motion: str, speeches: Sequence[tuple[str, str, str]],
                 seed: int | None = None) -> JudgeResult:
    """Chronological notes, then scores and a winner (winner None if unparseable)."""
    memory = ""
    for sp in speeches:
        memory = backend.generate(DP.judge_memory_prompt(motion=motion, memory=memory,
                                                         speech=sp),
                                  max_tokens=300, temperature=0.0, seed=seed).strip()
    obj = backend.json(DP.judge_verdict_prompt(motion=motion, memory=memory),
                       schema={"pro": dict, "con": dict, "winner": str}, default=None,
                       max_tokens=200, temperature=0.0, seed=seed)
    parsed = parse_verdict(obj)
    if parsed is None:
        return JudgeResult(None, {}, memory, False)
    return JudgeResult(parsed[0], parsed[1], memory, True)
