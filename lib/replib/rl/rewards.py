"""Reward combinators for constrained RL: hard-constraint satisfaction first, soft quality after.

TourPlanner (Wang et al., 2026, arXiv 2601.04698, "constraint-gated reinforcement learning";
abstract): a sigmoid gate "dynamically prioritizes soft-constraint satisfaction only after
hard constraints are met". The exact formula is not public; we implement the reading

    R = R_hard + g(h) · R_soft,     g(h) = σ(κ (h − τ)),                 (gated_sigmoid)

with ``h ∈ [0, 1]`` the fraction of hard constraints met (``R_hard = h``) and ``R_soft ∈ [0, 1]``,
next to the designs it is compared with:

* ``additive``:       R = h + λ · R_soft                 (soft reward always on)
* ``step_gate``:      R = h + 1[h ≥ τ] · R_soft           (the gate as a hard switch)
* ``lexicographic``:  R = h + R_soft / (n_hard + 1)       (one more hard constraint met always
  outweighs any soft gain, since a hard step is 1 / n_hard)
* ``hard_only``:      R = h                              (soft quality ignored)

Inputs are numpy arrays or torch tensors (same type out), any shape, broadcast together.
"""

from __future__ import annotations

import numpy as np

__all__ = ["REWARDS", "gate", "combine"]

REWARDS = ("gated_sigmoid", "additive", "step_gate", "lexicographic", "hard_only")


def _is_torch(x) -> bool:
    return type(x).__module__.startswith("torch")


def gate(hard, *, kind: str = "gated_sigmoid", kappa: float = 12.0, tau: float = 0.9):
    """The soft-reward weight g(h) of a reward design (1 for additive, 0 for hard_only)."""
    if kind not in REWARDS:
        raise ValueError(f"kind={kind!r} is not allowed: expected one of {list(REWARDS)}")
    if kind == "gated_sigmoid":
        if _is_torch(hard):
            import torch
            return torch.sigmoid(kappa * (hard - tau))
        return 1.0 / (1.0 + np.exp(-kappa * (np.asarray(hard, dtype=np.float64) - tau)))
    if kind == "step_gate":
        return (hard >= tau) * 1.0
    ones = hard * 0.0 + 1.0
    return ones if kind in ("additive", "lexicographic") else ones * 0.0


def combine(kind: str, *, hard, soft, kappa: float = 12.0, tau: float = 0.9,
            lambda_add: float = 1.0, n_hard: int | None = None):
    """Total reward of design ``kind`` from hard satisfaction ``h`` and soft score ``s``."""
    if kind not in REWARDS:
        raise ValueError(f"kind={kind!r} is not allowed: expected one of {list(REWARDS)}")
    if kappa <= 0:
        raise ValueError(f"kappa={kappa!r} is not allowed: expected a positive gate steepness")
    if kind == "additive":
        return hard + lambda_add * soft  # R = h + λ s
    if kind == "lexicographic":
        if n_hard is None or n_hard < 1:
            raise ValueError(f"n_hard={n_hard!r} is not allowed with kind='lexicographic': "
                             "expected the number of hard constraints (>= 1)")
        return hard + soft / (n_hard + 1)  # soft never outweighs one hard step 1/n_hard
    return hard + gate(hard, kind=kind, kappa=kappa, tau=tau) * soft  # R = h + g(h) s
