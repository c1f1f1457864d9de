"""Swiss-system tournaments per second: vectorised batch against the official loop.

``replib.tournaments.swiss.simulate_swiss`` plays a batch of Competitive Swiss-system
tournaments (LLM Swiss Round, arXiv 2512.21010) as (B, M) arrays; ``swiss_reference`` is
the official ``swiss.py`` loop, one tournament at a time. Both run on the same random
29-model, 12-round win tensor; the script prints tournaments per second for each path, the
ratio (vectorised / loop), and the largest |z| between their E[S_m] estimates.

    python benchmarks/bench_swiss.py [--models 29 --sims 20000 --loop-sims 2000 --elimination 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from replib.tournaments import swiss as S


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=29)
    parser.add_argument("--datasets", type=int, default=43)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--sims", type=int, default=20_000, help="vectorised tournaments")
    parser.add_argument("--loop-sims", type=int, default=2_000, help="loop tournaments")
    parser.add_argument("--elimination", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    x = rng.random((args.models, args.datasets))
    w = S.round_wins(x, S.split_groups(args.datasets, args.rounds))

    t0 = time.perf_counter()
    fast = S.simulate_swiss(w, n_sims=args.sims, elimination=args.elimination,
                            tie_break="index", rng=rng)
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    loop = np.array([S.swiss_reference(w, elimination=args.elimination, rng=rng)
                     for _ in range(args.loop_sims)])
    t_loop = time.perf_counter() - t0
    se = np.sqrt(fast.se**2 + loop.var(axis=0, ddof=1) / len(loop))
    z = np.max(np.abs(fast.expected - loop.mean(axis=0)) / np.maximum(se, 1e-9))
    r_fast, r_loop = args.sims / t_fast, args.loop_sims / t_loop
    print(f"vectorised: {r_fast:,.0f} tournaments/s ({args.sims} in {t_fast:.2f} s)")
    print(f"loop:       {r_loop:,.0f} tournaments/s ({args.loop_sims} in {t_loop:.2f} s)")
    print(f"speed-up (vectorised / loop): {r_fast / r_loop:.1f}x; max |z| of E[S_m]: {z:.2f}")


if __name__ == "__main__":
    main()
