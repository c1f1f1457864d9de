"""Rank statistics: correlation of rankings, stability under resampling, set overlap.

Used to compare rankings produced by different aggregation or rating methods
(llm-swiss-round: CSD vs mean/Borda/Bradley–Terry; debate: Debatrix-Elo vs Human-Elo;
contesttrade and moloch: rank IC of scores against outcomes).

* Kendall's τ-b and Spearman's ρ are scipy.stats' (``kendalltau``, ``spearmanr``).
* ``ranks`` turns scores into 1-based positions (1 = best, ties averaged), and
  ``rank_moves`` counts how far each item moves between two rankings.
* ``rank_stability`` is the mean pairwise Kendall τ between the rankings obtained on
  R resampled (or re-drawn) score vectors: 1 means every resample gives the same order.
* ``topk_overlap`` and ``jaccard`` compare the sets at the top of two rankings;
  ``jaccard_churn`` is 1 − Jaccard between consecutive sets in a sequence.
* ``rank_ic`` / ``icir``: per-period Spearman of scores against outcomes and its
  mean/std ratio (information coefficient and its information ratio).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

__all__ = ["kendall_tau", "spearman_rho", "ranks", "rank_moves", "Stability",
           "rank_stability", "topk", "topk_overlap", "jaccard", "jaccard_churn",
           "rank_ic", "icir"]


def _vec(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64).reshape(-1)
    if a.size < 2:
        raise ValueError(f"{name} needs at least two items, got {a.size}")
    return a


def kendall_tau(a: Sequence[float], b: Sequence[float], *, variant: str = "b") -> float:
    """Kendall's τ (scipy, τ-b by default) between two score vectors of the same items.

    Returns NaN when one vector is constant (no order to compare)."""
    x, y = _vec(a, "a"), _vec(b, "b")
    if x.shape != y.shape:
        raise ValueError(f"a and b must score the same items, got {x.size} and {y.size}")
    if variant not in ("b", "c"):
        raise ValueError(f"variant must be 'b' or 'c', got {variant!r}")
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(_st.kendalltau(x, y, variant=variant).statistic)


def spearman_rho(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's ρ (scipy) between two score vectors of the same items."""
    x, y = _vec(a, "a"), _vec(b, "b")
    if x.shape != y.shape:
        raise ValueError(f"a and b must score the same items, got {x.size} and {y.size}")
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(_st.spearmanr(x, y).statistic)


def ranks(scores: Sequence[float], *, higher_is_better: bool = True) -> np.ndarray:
    """1-based rank positions (1 = best), ties get their average position."""
    s = np.asarray(scores, dtype=np.float64)
    return _st.rankdata(-s if higher_is_better else s, method="average", axis=-1)


def rank_moves(a: Sequence[float], b: Sequence[float], *,
               higher_is_better: bool = True) -> np.ndarray:
    """Signed rank change of each item from scores ``a`` to scores ``b`` (+ = moved down)."""
    return ranks(b, higher_is_better=higher_is_better) - ranks(a, higher_is_better=higher_is_better)


@dataclass(frozen=True)
class Stability:
    """Mean pairwise Kendall τ over R rankings, with the R(R−1)/2 pairwise values."""

    mean_tau: float
    taus: np.ndarray
    n_resamples: int


def rank_stability(samples: np.ndarray) -> Stability:
    """Mean pairwise Kendall τ between the rankings given by each row of ``samples``.

    Args:
        samples: (R, M) scores of M items under R resamples or re-draws.
    """
    s = np.asarray(samples, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] < 2:
        raise ValueError(f"samples must be (R >= 2, M), got shape {s.shape}")
    r = s.shape[0]
    taus = np.array([kendall_tau(s[i], s[j]) for i in range(r) for j in range(i + 1, r)])
    return Stability(float(np.nanmean(taus)), taus, r)


def topk(scores: Sequence[float], k: int) -> set[int]:
    """Indices of the ``k`` highest scores (ties broken by index)."""
    s = np.asarray(scores, dtype=np.float64)
    if not 1 <= k <= s.size:
        raise ValueError(f"k must be in 1..{s.size}, got {k}")
    return set(np.argsort(-s, kind="stable")[:k].tolist())


def jaccard(a: Iterable, b: Iterable) -> float:
    """|A ∩ B| / |A ∪ B| (1.0 for two empty sets)."""
    sa, sb = set(a), set(b)
    union = sa | sb
    return 1.0 if not union else len(sa & sb) / len(union)


def topk_overlap(a: Sequence[float], b: Sequence[float], k: int) -> float:
    """Fraction of the top-``k`` items of ``a`` that are also top-``k`` in ``b``."""
    return len(topk(a, k) & topk(b, k)) / k


def jaccard_churn(sets: Sequence[Iterable]) -> np.ndarray:
    """1 − Jaccard(S_t, S_{t+1}) for consecutive sets (length len(sets) − 1)."""
    seq = [set(s) for s in sets]
    return np.array([1.0 - jaccard(seq[t], seq[t + 1]) for t in range(len(seq) - 1)])


def rank_ic(scores: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
    """Per-period Spearman ρ of scores against realised outcomes, rows = periods."""
    s, o = np.atleast_2d(scores), np.atleast_2d(outcomes)
    if s.shape != o.shape:
        raise ValueError(f"scores and outcomes must have the same shape, got {s.shape}, {o.shape}")
    return np.array([spearman_rho(s[t], o[t]) for t in range(s.shape[0])])


def icir(ic: Sequence[float]) -> float:
    """Information ratio of a rank-IC series: mean / standard deviation (ddof=1)."""
    x = np.asarray(ic, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size < 2 or x.std(ddof=1) == 0:
        return float("nan")
    return float(x.mean() / x.std(ddof=1))
