"""Behavioural signatures of repeated 2x2 play: cooperation, coordination, forgiveness,
retaliation, defect-forever and last-round effects.

Akata et al. 2023/2025 ("Playing repeated games with Large Language Models", Sec. on the
Prisoner's Dilemma and Battle of the Sexes) describe agents by such signatures: GPT-4
"always defects after another agent has defected only once" (unforgiving, defect-forever)
and does not match an alternating partner (coordination). Weis et al. (coplayer-inference)
use the same per-round cooperation curves.

Inputs are executed discrete actions, int arrays of shape (..., n_rounds), with action 0 =
cooperate (C, or J in Akata et al.'s labels) and 1 = defect (D, or F); ``own`` is the
analysed player, ``other`` its co-player. Every function returns an array over the leading
axes, float64, with NaN where the quantity is undefined (e.g. forgiveness when the co-player
never defected); average with ``np.nanmean``.

* cooperation(own)[..., t] = 1[own_t = 0]
* coordination_rate = mean_t 1[own_t = other_t]           (BoS: both J or both F)
* mutual_cooperation_rate = mean_t 1[own_t = other_t = 0]
* retaliation = P(own_t = 1 | other_{t-1} = 1)
* forgiveness = P(own_t = 0 | other defected at some s < t-1 and other_{t-1} = 0):
  does the player cooperate again once the co-player has returned to cooperation?
* defect_forever = 1[own_t = 1 for every t > s*], s* = the co-player's first defection
  (NaN when it never defected or defected only in the last round)
* last_round_effect = cooperation in the last round minus mean cooperation before it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cooperation", "cooperation_rate", "coordination_rate", "mutual_cooperation_rate",
           "retaliation", "forgiveness", "defect_forever", "last_round_effect",
           "preferred_rate", "signature"]


def _pair(own, other=None):
    own = np.asarray(own)
    if own.ndim < 1 or own.shape[-1] < 1:
        raise ValueError(f"actions must have a rounds axis, got shape {own.shape}")
    if other is None:
        return own
    other = np.asarray(other)
    if other.shape != own.shape:
        raise ValueError(f"own and other must have the same shape, got {own.shape} and "
                         f"{other.shape}")
    return own, other


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = num.astype(np.float64)
    den = den.astype(np.float64)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def cooperation(own) -> np.ndarray:
    """(..., n_rounds) indicator of playing action 0 (cooperate / J)."""
    return (_pair(own) == 0).astype(np.float64)


def cooperation_rate(own) -> np.ndarray:
    """(...) share of rounds with action 0."""
    return cooperation(own).mean(axis=-1)


def coordination_rate(own, other) -> np.ndarray:
    """(...) share of rounds in which both players chose the same action."""
    own, other = _pair(own, other)
    return (own == other).mean(axis=-1)


def mutual_cooperation_rate(own, other) -> np.ndarray:
    """(...) share of rounds in which both chose action 0."""
    own, other = _pair(own, other)
    return ((own == 0) & (other == 0)).mean(axis=-1)


def retaliation(own, other) -> np.ndarray:
    """(...) P(own defects at t | other defected at t-1); NaN if other never defected
    before the last round."""
    own, other = _pair(own, other)
    cond = other[..., :-1] == 1
    hit = cond & (own[..., 1:] == 1)
    return _ratio(hit.sum(-1), cond.sum(-1))


def forgiveness(own, other) -> np.ndarray:
    """(...) P(own cooperates at t | other defected before t-1 and cooperated at t-1)."""
    own, other = _pair(own, other)
    defected_before = np.maximum.accumulate(other == 1, axis=-1)  # up to and incl. s
    # condition at t (t >= 2): other defected at some s <= t-2, and other_{t-1} = 0
    cond = defected_before[..., :-2] & (other[..., 1:-1] == 0)
    hit = cond & (own[..., 2:] == 0)
    return _ratio(hit.sum(-1), cond.sum(-1))


def defect_forever(own, other) -> np.ndarray:
    """(...) 1.0 if own defects in every round after the co-player's first defection."""
    own, other = _pair(own, other)
    n = own.shape[-1]
    d = other == 1
    first = np.where(d.any(-1), d.argmax(-1), n)  # n = never
    t = np.arange(n)
    after = t > first[..., None]
    all_d = np.all(~after | (own == 1), axis=-1)
    return np.where(first >= n - 1, np.nan, all_d.astype(np.float64))


def last_round_effect(own) -> np.ndarray:
    """(...) cooperation in the last round minus mean cooperation in earlier rounds."""
    c = cooperation(own)
    if c.shape[-1] < 2:
        raise ValueError("last_round_effect needs at least two rounds")
    return c[..., -1] - c[..., :-1].mean(-1)


def preferred_rate(own, preferred: int) -> np.ndarray:
    """(...) share of rounds in which the player chose its ``preferred`` action (0 or 1)."""
    if preferred not in (0, 1):
        raise ValueError(f"preferred must be 0 or 1, got {preferred!r}")
    return (_pair(own) == preferred).mean(axis=-1)


def signature(own, other) -> dict[str, float]:
    """Means over all leading axes of every pairwise measure (NaN-aware)."""
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return {
                "cooperation": float(np.mean(cooperation_rate(own))),
                "coordination": float(np.mean(coordination_rate(own, other))),
                "mutual_cooperation": float(np.mean(mutual_cooperation_rate(own, other))),
                "retaliation": float(np.nanmean(retaliation(own, other))),
                "forgiveness": float(np.nanmean(forgiveness(own, other))),
                "defect_forever": float(np.nanmean(defect_forever(own, other))),
                "last_round_effect": float(np.mean(last_round_effect(own))),
            }
