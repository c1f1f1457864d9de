"""Competitive Swiss-system dynamics (CSD), vectorised Monte Carlo.

LLM Swiss Round (Liu et al., arXiv 2512.21010, method section; official ``swiss.py``).
Inputs: a score matrix X (M models × D datasets, higher is better), K ordered rounds,
each a group g_k of dataset columns, and an elimination schedule T_k.

    W[k, i, j] = 1[mean(X[i, g_k]) > mean(X[j, g_k])]          (precomputed win tensor)

One tournament: every model starts at S_m = 0. In round k the active models are grouped
by their current score; inside each score group they are shuffled and paired in order;
an odd model out gets no game and no point (zero-point bye). In pair (a, b), a wins iff
W[k, a, b] (a tie goes to b, a coin flip after the shuffle). Then the T_k lowest-scored
active models are eliminated (they keep their points): ties among them are broken by
model index (``tie_break="index"``, the official code's stable sort) or at random
(``"random"``, the paper's text). The tournament stops when at most one model is active.
The index tie-break is not cosmetic: after round 1 about half the models share the lowest
score, so with T_k > 0 a model's E[S_m] depends on its row in the score matrix (relabelling
the rows changes it); the random tie-break is label-free.
E[S_m] is the mean score over N tournaments; its Monte Carlo standard error is reported.

``simulate_swiss`` runs a batch of tournaments as (B, M) arrays; ``swiss_reference`` is
a one-tournament-at-a-time transcription of the official loop, and ``swiss_exact``
enumerates every shuffle for tiny cases (both used as test references).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["TIE_BREAKS", "round_wins", "split_groups", "elimination_schedule", "SwissResult",
           "simulate_swiss", "swiss_reference", "swiss_exact"]

TIE_BREAKS = ("index", "random")


def split_groups(n_datasets: int, sizes: Sequence[int] | int) -> list[list[int]]:
    """Consecutive dataset groups: explicit ``sizes`` or ``K`` near-equal groups."""
    if isinstance(sizes, (int, np.integer)):
        if not 1 <= sizes <= n_datasets:
            raise ValueError(f"number of rounds must be in 1..{n_datasets}, got {sizes}")
        cuts = np.array_split(np.arange(n_datasets), int(sizes))
        return [c.tolist() for c in cuts]
    if sum(sizes) != n_datasets or min(sizes) < 1:
        raise ValueError(f"group sizes {list(sizes)} must be positive and sum to "
                         f"n_datasets={n_datasets}")
    edges = np.cumsum([0, *sizes])
    return [list(range(edges[k], edges[k + 1])) for k in range(len(sizes))]


def round_wins(scores: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """W[k, i, j] = mean(X[i, g_k]) > mean(X[j, g_k]) as a (K, M, M) bool tensor."""
    x = np.asarray(scores, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"scores must be (models, datasets), got shape {x.shape}")
    if not groups or any(len(g) == 0 for g in groups):
        raise ValueError("every round needs at least one dataset")
    gm = np.stack([x[:, list(g)].mean(axis=1) for g in groups])  # (K, M)
    return gm[:, :, None] > gm[:, None, :]


def elimination_schedule(elimination: int | Sequence[int], n_rounds: int) -> np.ndarray:
    """T_k per round from a constant or a per-round list (non-negative integers)."""
    t = np.full(n_rounds, elimination) if np.ndim(elimination) == 0 else np.asarray(elimination)
    if t.shape != (n_rounds,) or np.any(t < 0) or not np.all(t == np.round(t)):
        raise ValueError(f"elimination must be an integer >= 0 or {n_rounds} such integers, "
                         f"got {elimination!r}")
    return t.astype(np.int64)


@dataclass(frozen=True)
class SwissResult:
    """E[S_m] over ``n_sims`` tournaments with its MC standard error, the mean round at
    which each model was eliminated (K+1 = never), and an optional trace of tournament 0:
    ``trace_scores`` (K+1, M) scores, ``trace_active`` (K+1, M), ``trace_pairs`` a list of
    (a, b, winner) arrays per round."""

    expected: np.ndarray
    se: np.ndarray
    n_sims: int
    mean_exit_round: np.ndarray
    trace_scores: np.ndarray | None = None
    trace_active: np.ndarray | None = None
    trace_pairs: list | None = None


def _batch(w: np.ndarray, t: np.ndarray, tie_break: str, b: int, rng: np.random.Generator,
           trace: bool):
    k_rounds, m, _ = w.shape
    s = np.zeros((b, m), dtype=np.int64)
    active = np.ones((b, m), dtype=bool)
    exit_round = np.full((b, m), k_rounds + 1, dtype=np.int64)
    rows = np.arange(b)[:, None]
    pos = np.arange(m)[None, :]
    tr_s, tr_a, tr_p = [s[0].copy()], [active[0].copy()], []
    for k in range(k_rounds):
        live = active.sum(axis=1) > 1  # tournaments still running
        # score groups (high first), uniformly shuffled inside a group; inactive last
        key = np.where(active, rng.random((b, m), dtype=np.float32) - 2.0 * s, np.inf)
        order = np.argsort(key, axis=1)
        s_sorted = np.where(active[rows, order], s[rows, order], -1)
        new_group = np.ones((b, m), dtype=bool)
        new_group[:, 1:] = s_sorted[:, 1:] != s_sorted[:, :-1]
        start = np.maximum.accumulate(np.where(new_group, pos, 0), axis=1)
        in_group = pos - start
        nxt_same = np.zeros((b, m), dtype=bool)
        nxt_same[:, :-1] = ~new_group[:, 1:] & (s_sorted[:, 1:] >= 0)
        first = (in_group % 2 == 0) & nxt_same & (s_sorted >= 0) & live[:, None]
        bi, pi = np.nonzero(first)
        pa, pb = order[bi, pi], order[bi, pi + 1]
        a_wins = w[k, pa, pb]
        winner = np.where(a_wins, pa, pb)
        s[bi, winner] += 1
        if trace:
            sel = bi == 0
            tr_p.append(np.stack([pa[sel], pb[sel], winner[sel]], axis=1))
        if t[k] > 0:  # eliminate the T_k lowest-scored active models
            if tie_break == "index":  # stable order over model index, as the code
                ekey = np.where(active, s * (m + 1.0) + pos, np.inf)
            else:  # uniformly random among the lowest-score ties, as the text
                ekey = np.where(active, s + 0.5 * rng.random((b, m)), np.inf)
            eorder = np.argsort(ekey, axis=1, kind="stable")[:, : t[k]]
            er = np.repeat(np.arange(b), eorder.shape[1])
            ec = eorder.reshape(-1)
            ok = active[er, ec] & np.repeat(live, eorder.shape[1])
            active[er[ok], ec[ok]] = False
            exit_round[er[ok], ec[ok]] = k + 1
        if trace:
            tr_s.append(s[0].copy())
            tr_a.append(active[0].copy())
    return s, exit_round, (np.array(tr_s), np.array(tr_a), tr_p)


def simulate_swiss(wins: np.ndarray, *, n_sims: int, elimination: int | Sequence[int],
                   tie_break: str, rng: np.random.Generator, batch_size: int = 4096,
                   trace: bool = False) -> SwissResult:
    """E[S_m] of the Swiss-system tournament over ``n_sims`` simulations.

    Args:
        wins: (K, M, M) bool tensor from ``round_wins`` (W[k, i, j]: i beats j in round k).
        elimination: T_k, a constant or one value per round.
        tie_break: ``"index"`` (official code) or ``"random"`` (paper text).
        trace: keep tournament 0's scores, active sets and pairings round by round.
    """
    w = np.asarray(wins, dtype=bool)
    if w.ndim != 3 or w.shape[1] != w.shape[2]:
        raise ValueError(f"wins must be (K, M, M), got shape {w.shape}")
    if tie_break not in TIE_BREAKS:
        raise ValueError(f"tie_break must be one of {TIE_BREAKS}, got {tie_break!r}")
    if n_sims < 1:
        raise ValueError(f"n_sims must be >= 1, got {n_sims}")
    t = elimination_schedule(elimination, w.shape[0])
    total = np.zeros(w.shape[1])
    total_sq = np.zeros(w.shape[1])
    exits = np.zeros(w.shape[1])
    done, tr = 0, None
    while done < n_sims:
        b = min(batch_size, n_sims - done)
        s, ex, tr_b = _batch(w, t, tie_break, b, rng, trace and done == 0)
        if trace and done == 0:
            tr = tr_b
        total += s.sum(axis=0)
        total_sq += (s.astype(np.float64) ** 2).sum(axis=0)
        exits += ex.sum(axis=0)
        done += b
    mean = total / n_sims
    var = np.maximum(total_sq / n_sims - mean**2, 0.0) * n_sims / max(n_sims - 1, 1)
    se = np.sqrt(var / n_sims)
    if tr is None:
        return SwissResult(mean, se, n_sims, exits / n_sims)
    return SwissResult(mean, se, n_sims, exits / n_sims, tr[0], tr[1], tr[2])


def _pair_without_rematch(group: list[int], met: set) -> list[tuple[int, int]] | None:
    """A pairing of ``group`` (in its order, one bye if odd) with no pair in ``met``."""
    if len(group) < 2:
        return []
    if len(group) % 2:  # try each model as the bye, the last one first (as the code)
        for bye in reversed(range(len(group))):
            rest = _pair_without_rematch(group[:bye] + group[bye + 1:], met)
            if rest is not None:
                return rest
        return None
    first = group[0]
    for j in range(1, len(group)):
        if frozenset((first, group[j])) in met:
            continue
        rest = _pair_without_rematch(group[1:j] + group[j + 1:], met)
        if rest is not None:
            return [(first, group[j])] + rest
    return None


def swiss_reference(wins: np.ndarray, *, elimination: int | Sequence[int],
                    rng: np.random.Generator, avoid_rematch: bool = False,
                    pairs_log: list | None = None) -> np.ndarray:
    """One tournament with the official loop's semantics (python lists, stable sorts).

    ``avoid_rematch=True`` is the classical Swiss rule the official code does not apply:
    inside a score group, models are paired so that no two meet twice whenever such a
    pairing exists (backtracking search); otherwise the shuffled order is paired as is.
    ``pairs_log``, if given, receives (round, a, b) for every game played.
    """
    w = np.asarray(wins, dtype=bool)
    k_rounds, m, _ = w.shape
    t = elimination_schedule(elimination, k_rounds)
    score = np.zeros(m, dtype=np.int64)
    remaining = list(range(m))
    met: set = set()
    for k in range(k_rounds):
        if len(remaining) <= 1:
            break
        ranked = sorted(remaining, key=lambda x: score[x], reverse=True)
        groups: dict[int, list[int]] = {}
        for x in ranked:
            groups.setdefault(int(score[x]), []).append(x)
        pairs = []
        for group in groups.values():
            group = [group[i] for i in rng.permutation(len(group))]
            found = _pair_without_rematch(group, met) if avoid_rematch else None
            pairs += found if found is not None else [
                (group[i], group[i + 1]) for i in range(0, len(group) - 1, 2)]
        for a, b in pairs:  # scores change only after every group is paired
            met.add(frozenset((a, b)))
            if pairs_log is not None:
                pairs_log.append((k, a, b))
            score[a if w[k, a, b] else b] += 1
        out = sorted(remaining, key=lambda x: score[x])[: t[k]]
        remaining = [x for x in remaining if x not in out]
    return score


def swiss_exact(wins: np.ndarray, *, elimination: int | Sequence[int]) -> np.ndarray:
    """Exact E[S_m] by enumerating every shuffle of every score group (index tie-break).

    Cost grows like the product of group-size factorials: for M <= 6 models only."""
    w = np.asarray(wins, dtype=bool)
    k_rounds, m, _ = w.shape
    if m > 6:
        raise ValueError(f"swiss_exact enumerates shuffles: at most 6 models, got {m}")
    t = elimination_schedule(elimination, k_rounds)

    def rec(k: int, score: tuple, remaining: tuple) -> np.ndarray:
        if k == k_rounds or len(remaining) <= 1:
            return np.array(score, dtype=np.float64)
        ranked = sorted(remaining, key=lambda x: score[x], reverse=True)
        groups: dict[int, list[int]] = {}
        for x in ranked:
            groups.setdefault(score[x], []).append(x)
        perms = [list(itertools.permutations(g)) for g in groups.values()]
        acc = np.zeros(m)
        n_cases = 0
        for combo in itertools.product(*perms):
            sc = list(score)
            for group in combo:
                for i in range(0, len(group) - 1, 2):
                    a, b = group[i], group[i + 1]
                    sc[a if w[k, a, b] else b] += 1
            out = sorted(remaining, key=lambda x: sc[x])[: t[k]]
            rem = tuple(x for x in remaining if x not in out)
            acc += rec(k + 1, tuple(sc), rem)
            n_cases += 1
        return acc / n_cases

    return rec(0, tuple([0] * m), tuple(range(m)))
