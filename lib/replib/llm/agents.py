"""LLM agents on top of ``replib.llm.backend``: a choice agent and a role-playing text agent.

Shared by the LLM chapters (issue 6; design.md 2.16). ``ChoiceAgent`` picks one of a fixed
set of options through ``Backend.choose`` (log-prob scoring where the backend gives it),
re-asks once with a reminder when the reply names no option, and otherwise falls back to a
uniformly random option drawn from its own seeded generator; every such event is counted
(``AgentStats``), never hidden — the repeated-games paper logged invalid replies as -9999,
the chapters report the count. ``TextAgent`` is a system-prompted generator (e.g. a seller
writing a pitch in the moloch chapter) that returns the text and its parsed JSON fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from replib.llm.backend import Backend, Choice

__all__ = ["AgentStats", "ChoiceAgent", "TextAgent"]


@dataclass
class AgentStats:
    """Decisions taken, re-asks, and replies still unparseable after the re-ask."""

    decisions: int = 0
    reasks: int = 0
    unparseable: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"decisions": self.decisions, "reasks": self.reasks,
                "unparseable": self.unparseable}


@dataclass
class ChoiceAgent:
    """Choose among options with an LLM; unparseable -> re-ask -> random (counted)."""

    backend: Backend
    name: str = "llm"
    reask: bool = True
    reminder: str = "\nAnswer with exactly one of the options."
    seed: int = 0
    stats: AgentStats = field(default_factory=AgentStats)

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)

    def decide(self, prompt: str, options: Sequence[str], *,
               seed: int | None = None) -> tuple[int, Choice]:
        """(index of the chosen option, the backend's ``Choice``)."""
        self.stats.decisions += 1
        c = self.backend.choose(prompt, options, seed=seed)
        if c.index < 0 and self.reask:
            self.stats.reasks += 1
            c = self.backend.choose(prompt + self.reminder, options, seed=seed)
        if c.index < 0:
            self.stats.unparseable += 1
            return int(self._rng.integers(len(options))), c
        return c.index, c


@dataclass
class TextAgent:
    """A role (system prompt) that writes text; ``ask_json`` parses fields with a default."""

    backend: Backend
    system: str
    name: str = "writer"
    max_tokens: int = 400
    temperature: float = 0.7
    stats: AgentStats = field(default_factory=AgentStats)

    def messages(self, user: str) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]

    def write(self, user: str, *, seed: int | None = None) -> str:
        self.stats.decisions += 1
        return self.backend.generate(self.messages(user), max_tokens=self.max_tokens,
                                     temperature=self.temperature, seed=seed)

    def ask_json(self, user: str, schema: Mapping[str, type], default: Any, *,
                 seed: int | None = None) -> tuple[Any, bool]:
        """(parsed object or ``default``, whether it parsed)."""
        self.stats.decisions += 1
        before = self.backend.usage.parse_failures
        out = self.backend.json(self.messages(user), schema, default,
                                max_tokens=self.max_tokens, temperature=self.temperature,
                                seed=seed)
        ok = self.backend.usage.parse_failures == before
        if not ok:
            self.stats.unparseable += 1
        return out, ok
