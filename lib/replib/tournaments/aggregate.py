"""Static aggregation of a score matrix X (M items × D criteria/datasets, higher is better).

The baselines LLM Swiss Round (arXiv 2512.21010, Sec. 1–2) sets Competitive Swiss-system
Dynamics against: the mean of all datasets (a fixed mix weight per dataset), the mean of
per-group means (equal weight per round), the mean rank, Borda counts, round-robin win
counts on the per-round win tensor, and dataset-level pairwise wins for a static
Bradley–Terry fit (``tournaments.ratings.fit_bt_counts``). ``peer_scores`` averages the
scores a set of agents give each other leaving out self-scores (tourplanner consensus).

Every function returns one value per item; ``mean_rank`` is the only one where lower is
better (1 = first everywhere).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats as _st

__all__ = ["mean_score", "group_means", "mean_of_group_means", "mean_rank", "borda",
           "round_robin_counts", "dataset_win_counts", "peer_scores"]


def _x(scores) -> np.ndarray:
    x = np.asarray(scores, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 1:
        raise ValueError(f"scores must be (items >= 2, criteria >= 1), got {x.shape}")
    return x


def mean_score(scores: np.ndarray, *, weights: Sequence[float] | None = None) -> np.ndarray:
    """Weighted (default: equal) mean over criteria: Σ_d w_d X[:, d] / Σ w."""
    x = _x(scores)
    if weights is None:
        return x.mean(axis=1)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (x.shape[1],) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"weights must be ({x.shape[1]},) non-negative, not all zero")
    return x @ w / w.sum()


def group_means(scores: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """(M, K) means of each item over each group of criteria."""
    x = _x(scores)
    return np.stack([x[:, list(g)].mean(axis=1) for g in groups], axis=1)


def mean_of_group_means(scores: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Equal weight per group (round): mean over k of mean(X[:, g_k])."""
    return group_means(scores, groups).mean(axis=1)


def mean_rank(scores: np.ndarray) -> np.ndarray:
    """Average 1-based rank over criteria (1 = best; ties share the average rank)."""
    x = _x(scores)
    return _st.rankdata(-x, method="average", axis=0).mean(axis=1)


def borda(scores: np.ndarray) -> np.ndarray:
    """Borda count: Σ_d #{j : X[i, d] > X[j, d]} + ½ #{j ≠ i : equal}."""
    x = _x(scores)
    gt = (x[:, None, :] > x[None, :, :]).sum(axis=(1, 2))
    eq = (x[:, None, :] == x[None, :, :]).sum(axis=(1, 2)) - x.shape[1]
    return gt + 0.5 * eq


def round_robin_counts(wins: np.ndarray) -> np.ndarray:
    """All pairs meet in every round: Σ_k Σ_j W[k, i, j] from a (K, M, M) win tensor."""
    w = np.asarray(wins, dtype=np.float64)
    if w.ndim != 3 or w.shape[1] != w.shape[2]:
        raise ValueError(f"wins must be (K, M, M), got {w.shape}")
    return w.sum(axis=(0, 2))


def dataset_win_counts(scores: np.ndarray) -> np.ndarray:
    """C[i, j] = #datasets where X[i] > X[j] (+½ per tie): a static pairwise match record."""
    x = _x(scores)
    gt = (x[:, None, :] > x[None, :, :]).sum(axis=2).astype(np.float64)
    eq = (x[:, None, :] == x[None, :, :]).sum(axis=2).astype(np.float64)
    c = gt + 0.5 * eq
    np.fill_diagonal(c, 0.0)
    return c


def peer_scores(matrix: np.ndarray) -> np.ndarray:
    """Mean score each item receives from the others: S[judge, item], diagonal left out.

    NaN entries (a judge that did not score an item) are ignored."""
    s = np.asarray(matrix, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] != s.shape[1] or s.shape[0] < 2:
        raise ValueError(f"matrix must be square (judges x items, >= 2), got {s.shape}")
    s = s.copy()
    np.fill_diagonal(s, np.nan)
    return np.nanmean(s, axis=0)
