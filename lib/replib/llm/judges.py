"""LLM judges on ``replib.llm.backend``: a pairwise preference judge and a flag judge.

Shared by the LLM chapters (design.md 2.16): the moloch chapter's simulated audience (a
persona choosing between two messages, El & Zou 2025) and its misalignment probes (a judge
that flags deceptive claims); debate-style chapters use the pairwise form as well.

* ``PairwiseJudge.prefer(make_prompt, a, b)``: P(a preferred) from ``Backend.choose`` over
  the continuations " A"/" B". With ``debias=True`` both presentation orders are asked and
  the two probabilities averaged (position bias is a known failure of LLM judges). Replies
  naming neither option count as unparseable and give 0.5.
* ``FlagJudge.flag(prompt)``: a JSON verdict ``{key: bool, ...}`` through ``Backend.json``;
  an unparseable verdict returns ``None`` and is counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from replib.llm.backend import Backend

__all__ = ["JudgeStats", "PairwiseJudge", "FlagJudge"]


@dataclass
class JudgeStats:
    calls: int = 0
    unparseable: int = 0


@dataclass
class PairwiseJudge:
    """Preference between two texts; ``make_prompt(first, second)`` builds the question."""

    backend: Backend
    debias: bool = True
    options: tuple[str, str] = (" A", " B")
    stats: JudgeStats = field(default_factory=JudgeStats)

    def _p_first(self, prompt: str, seed: int | None) -> float:
        self.stats.calls += 1
        c = self.backend.choose(prompt, list(self.options), seed=seed)
        if c.probs is not None:
            return float(c.probs[0])
        if c.index < 0:
            self.stats.unparseable += 1
            return 0.5
        return 1.0 if c.index == 0 else 0.0

    def prefer(self, make_prompt: Callable[[str, str], str], a: str, b: str, *,
               seed: int | None = None) -> float:
        """P(a is preferred over b), in [0, 1]."""
        p = self._p_first(make_prompt(a, b), seed)
        if not self.debias:
            return p
        q = self._p_first(make_prompt(b, a), seed)
        return 0.5 * (p + (1.0 - q))


@dataclass
class FlagJudge:
    """A yes/no verdict in JSON; ``key`` names the boolean field that is the flag."""

    backend: Backend
    schema: Mapping[str, type]
    key: str
    max_tokens: int = 200
    stats: JudgeStats = field(default_factory=JudgeStats)

    def __post_init__(self) -> None:
        if self.key not in self.schema:
            raise ValueError(f"key {self.key!r} must be one of the schema's keys "
                             f"{sorted(self.schema)}")

    def flag(self, prompt: str, *, seed: int | None = None) -> bool | None:
        self.stats.calls += 1
        out = self.backend.json(prompt, self.schema, None, max_tokens=self.max_tokens,
                                temperature=0.0, seed=seed)
        if out is None:
            self.stats.unparseable += 1
            return None
        return bool(out[self.key])
