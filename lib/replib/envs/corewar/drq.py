"""The Digital Red Queen loop: MAP-Elites rounds against a growing history of champions.

Kumar et al. 2026 (arXiv 2601.03335), official ``src/drq.py``. For round r: opponents =
initial opponents + champions of the last ``last_k`` rounds; a fresh MAP-Elites archive
over the (total spawned processes, memory coverage) grid; ``n_init`` new warriors, then
iterations that either generate a new warrior (probability ``sample_new``) or mutate the
elite of a uniformly random occupied cell; fitness = the candidate's mean score share in
one multi-warrior battle with all opponents (``mars.battle``) over ``battle_rounds``
placements; the round stops early once the best fitness exceeds ``fitness_threshold``;
the round's champion is the archive's best. Unparseable candidates get fitness -inf and
are counted. Independent runs (seeds) advance in lockstep so their battles share one batch;
each run draws only from its own random stream, so a run does not depend on the others.
Candidates are evaluated ``batch`` at a time (the paper evaluates one per iteration).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from replib.algo.map_elites import MapElites, bin_index
from replib.envs.corewar.mars import battle, place_warriors
from replib.envs.corewar.redcode import Warrior, parse_or_none

__all__ = ["DRQResult", "TSP_EDGES", "MC_EDGES", "bc_cell", "evaluate", "run_drq",
           "regression_rate", "versus_matrix"]

TSP_EDGES = (1, 10, 100, 1000, 10000)   # official get_bc_features, 8000-cell core
MC_EDGES = (10, 100, 500, 1000, 4000)


def bc_cell(tsp: float, mc: float, *, core_size: int, max_procs: int) -> tuple[int, int]:
    """6 x 6 behaviour cell; edges scaled by core_size/8000 and max_procs/8000."""
    return (bin_index(tsp, np.asarray(TSP_EDGES) * max_procs / 8000),
            bin_index(mc, np.asarray(MC_EDGES) * core_size / 8000))


@dataclass(frozen=True)
class DRQResult:
    """Champions and histories of ``S`` lockstep runs over ``R`` rounds."""

    champions: list          # [S][R] Warrior
    fitness: np.ndarray      # (S, R) champion fitness vs its round's opponents
    tsp: np.ndarray          # (S, R) champion's spawned processes in that evaluation
    mc: np.ndarray           # (S, R) champion's memory coverage
    grids: np.ndarray        # (S, R, 6, 6) elite fitness per cell (NaN empty)
    evaluated: np.ndarray    # (S, R) candidates evaluated
    unparseable: np.ndarray  # (S, R) candidates that did not assemble


def evaluate(cands: Sequence[Warrior], opps: Sequence[Sequence[Warrior]],
             rngs: Sequence[np.random.Generator], *, battle_rounds: int, core_size: int,
             cycles: int, max_procs: int, min_dist: int):
    """Fitness, tsp, mc of each candidate vs its opponent list (all in one batch)."""
    games, pos, shift = [], [], []
    for c, o, rng in zip(cands, opps, rngs):
        ws = [c, *o]
        for k in range(battle_rounds):
            games.append(ws)
            pos.append(place_warriors([len(w) for w in ws], core_size=core_size,
                                      min_dist=min_dist, rng=rng))
            shift.append(k % len(ws))
    if not games:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    res = battle(games, core_size=core_size, cycles=cycles, max_procs=max_procs,
                 min_dist=min_dist, positions=np.array(pos), order_shift=shift)
    per = lambda x: x[:, 0].reshape(len(cands), battle_rounds).mean(1)  # noqa: E731
    return per(res.score), per(res.spawned), per(res.coverage)


def versus_matrix(players: Sequence[Warrior], others: Sequence[Warrior],
                  rng: np.random.Generator, *, battle_rounds: int, core_size: int,
                  cycles: int, max_procs: int, min_dist: int):
    """1-v-1 score share (and tsp, mc) of each player vs each other, ``(P, O)`` arrays."""
    cands = [p for p in players for _ in others]
    opps = [[o] for _ in players for o in others]
    f, t, m = evaluate(cands, opps, [rng] * len(cands), battle_rounds=battle_rounds,
                       core_size=core_size, cycles=cycles, max_procs=max_procs,
                       min_dist=min_dist)
    shape = (len(players), len(others))
    return f.reshape(shape), t.reshape(shape), m.reshape(shape)


def regression_rate(champions: Sequence[Warrior], rng: np.random.Generator, *,
                    battle_rounds: int, core_size: int, cycles: int, max_procs: int,
                    min_dist: int, lag: int = 2) -> float:
    """Cycling in one run's champion sequence: the share of rounds r >= ``lag`` whose
    champion scores below an equal share (1.0) against at least one champion of rounds
    <= r - ``lag`` (one it was not trained against when only the latest champion is kept).
    The card's ``last_k = 1`` ablation is expected to cycle; the champion history of DRQ is
    what should prevent it (paper Sec. 3: opponents are all previous champions)."""
    R = len(champions)
    if R <= lag:
        return float("nan")
    f, _, _ = versus_matrix(champions, champions, rng, battle_rounds=battle_rounds,
                            core_size=core_size, cycles=cycles, max_procs=max_procs,
                            min_dist=min_dist)
    return float(np.mean([(f[r, :r - lag + 1] < 1.0).any() for r in range(lag, R)]))


def run_drq(*, operators: Sequence, initial_opponents: Sequence[Warrior], rngs,
            n_rounds: int, n_iters: int, n_init: int, sample_new: float,
            fitness_threshold: float, last_k: int, batch: int, battle_rounds: int,
            core_size: int, cycles: int, max_procs: int, max_len: int, min_dist: int,
            static: bool = False, progress: Callable | None = None) -> DRQResult:
    """Run ``len(operators)`` independent DRQ runs in lockstep (``static``: no history)."""
    S = len(operators)
    champs: list[list[Warrior]] = [[] for _ in range(S)]
    shape = (S, n_rounds)
    fit, tsp, mc = np.full(shape, np.nan), np.zeros(shape), np.zeros(shape)
    grids = np.full((S, n_rounds, 6, 6), np.nan)
    n_eval, n_bad = np.zeros(shape, int), np.zeros(shape, int)
    kw = dict(battle_rounds=battle_rounds, core_size=core_size, cycles=cycles,
              max_procs=max_procs, min_dist=min_dist)
    rounds = progress(range(n_rounds)) if progress else range(n_rounds)
    for r in rounds:
        hist = [] if static or last_k == 0 else None
        opps = [list(initial_opponents) + (hist if hist is not None else champs[s][-last_k:])
                for s in range(S)]
        arch = [MapElites(shape=(6, 6)) for _ in range(S)]
        active, used = np.ones(S, bool), 0
        while used < n_iters + n_init and active.any():
            size = n_init if used == 0 else min(batch, n_iters + n_init - used)
            used += size
            cands, who = [], []
            for s in np.flatnonzero(active):
                op, rng = operators[s], rngs[s]
                for _ in range(size):
                    if used == size or not arch[s].elites or rng.random() < sample_new:
                        text = op.new()
                    else:
                        text = op.mutate(arch[s].sample(rng)[1].source)
                    w = parse_or_none(text, max_len=max_len)
                    n_eval[s, r] += 1
                    if w is None:
                        n_bad[s, r] += 1
                        continue
                    cands.append(w)
                    who.append(s)
            f, t, m = evaluate(cands, [opps[s] for s in who], [rngs[s] for s in who], **kw)
            for w, s, fi, ti, mi in zip(cands, who, f, t, m):
                cell = bc_cell(ti, mi, core_size=core_size, max_procs=max_procs)
                arch[s].insert(cell, fi, w, (ti, mi))
            for s in np.flatnonzero(active):
                arch[s].record()
                if arch[s].elites and arch[s].best()[0] > fitness_threshold:
                    active[s] = False
        for s in range(S):
            if not arch[s].elites:  # nothing parsed: keep the previous champion (or imp)
                prev = champs[s][-1] if champs[s] else initial_opponents[0]
                arch[s].insert((0, 0), 0.0, prev, (0.0, 0.0))
            fi, w, (ti, mi) = arch[s].best()
            champs[s].append(w)
            fit[s, r], tsp[s, r], mc[s, r] = fi, ti, mi
            grids[s, r] = arch[s].fitness_grid()
    return DRQResult(champions=champs, fitness=fit, tsp=tsp, mc=mc, grids=grids,
                     evaluated=n_eval, unparseable=n_bad)
