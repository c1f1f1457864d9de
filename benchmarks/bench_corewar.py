"""Core War battle-steps per second: the batched numpy MARS against one battle at a time.

``replib.envs.corewar.mars.battle`` runs many independent battles in lockstep (core fields
as (B, N) arrays). The reference is the same simulator called once per battle, which is what
a one-battle-at-a-time interpreter loop costs in numpy. Both play the same 1-v-1 pairings
of the classic warriors at the same placements (results checked equal); the script prints
battle-steps (executed instructions) per second for each and the ratio.

    python benchmarks/bench_corewar.py [--battles 64 --cycles 500 --core-size 800]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from replib.envs.corewar.mars import battle
from replib.envs.corewar.warriors import CLASSICS, classic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--battles", type=int, default=64)
    parser.add_argument("--cycles", type=int, default=500)
    parser.add_argument("--core-size", type=int, default=800)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    names = list(CLASSICS)
    pairs = [(names[i % len(names)], names[(i * 7 + 3) % len(names)])
             for i in range(args.battles)]
    games = [[classic(a), classic(b)] for a, b in pairs]
    pos = np.array([[0, int(p)] for p in rng.integers(40, args.core_size - 40, len(games))])
    kw = dict(core_size=args.core_size, cycles=args.cycles, max_procs=args.core_size,
              min_dist=20, early_stop=False)
    t0 = time.perf_counter()
    big = battle(games, positions=pos, **kw)
    t_batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    ones = [battle([g], positions=pos[i:i + 1], **kw) for i, g in enumerate(games)]
    t_loop = time.perf_counter() - t0
    same = all(np.allclose(o.score, big.score[i:i + 1]) for i, o in enumerate(ones))
    steps = float((big.cycles_run * 2).sum())  # ~ one instruction per warrior per cycle
    print(f"{len(games)} battles, core {args.core_size}, up to {args.cycles} cycles, "
          f"{steps:.0f} battle-steps; results identical: {same}")
    print(f"batched: {steps / t_batch:,.0f} battle-steps/s ({t_batch:.2f} s)")
    print(f"one at a time: {steps / t_loop:,.0f} battle-steps/s ({t_loop:.2f} s)")
    print(f"ratio batched/one-at-a-time: {t_loop / t_batch:.1f}x")


if __name__ == "__main__":
    main()
