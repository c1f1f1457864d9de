"""IPD env steps per second: the batched RepeatedGameEnv against its PettingZoo view.

``replib.envs.ipd.RepeatedGameEnv`` (Weis et al. 2026's iterated prisoner's dilemma, two
learners) steps ``n_envs`` games in one vectorised call; the PettingZoo ``ParallelEnv`` view
steps one game per call, as an external library would. Both play the same game with random
actions; the script prints env steps per second for each path and the ratio
(batched / PettingZoo loop). A second line times the pool mode (one learner against
memory-1 tabular co-players drawn per episode), the path the chapter trains on.

    python benchmarks/bench_ipd_env.py [--n-envs 2048 --steps 200 --pz-steps 4000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from replib.envs.ipd import RepeatedGameEnv, random_tabular
from replib.games.matrix import prisoners_dilemma


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-envs", type=int, default=2048)
    parser.add_argument("--horizon", type=int, default=100)
    parser.add_argument("--steps", type=int, default=200, help="batched steps")
    parser.add_argument("--pz-steps", type=int, default=4000, help="PettingZoo steps")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    pay = prisoners_dilemma(R=1, S=-1, T=2, P=0).payoff
    rng = np.random.default_rng(args.seed)

    env = RepeatedGameEnv(n_envs=args.n_envs, payoff=pay, horizon=args.horizon)
    env.reset(seed=args.seed)
    acts = rng.integers(0, 2, (args.steps, args.n_envs, 2))
    t0 = time.perf_counter()
    for a in acts:
        env.step(a)
    batched = args.steps * args.n_envs / (time.perf_counter() - t0)

    pool = RepeatedGameEnv(n_envs=args.n_envs, payoff=pay, horizon=args.horizon,
                           coplayer=random_tabular)
    pool.reset(seed=args.seed)
    t0 = time.perf_counter()
    for a in acts[..., 0]:
        pool.step(a)
    pooled = args.steps * args.n_envs / (time.perf_counter() - t0)

    pz = env.as_pettingzoo()
    pz.reset(seed=args.seed)
    t0 = time.perf_counter()
    for _ in range(args.pz_steps):
        if not pz.agents:
            pz.reset()
        pz.step({a: int(rng.integers(0, 2)) for a in pz.agents})
    single = args.pz_steps / (time.perf_counter() - t0)

    print(f"iterated prisoner's dilemma, horizon {args.horizon}")
    print(f"batched, two learners ({args.n_envs} envs): {batched:12.0f} env steps/s")
    print(f"batched, vs tabular pool ({args.n_envs} envs): {pooled:12.0f} env steps/s")
    print(f"PettingZoo, one env                  : {single:12.0f} env steps/s")
    print(f"speed-up (batched / PettingZoo loop): {batched / single:.1f}x")


if __name__ == "__main__":
    main()
