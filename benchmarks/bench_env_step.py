"""Batched env steps per second against stepping the PettingZoo API one env at a time.

``replib.envs.api`` (design.md §5.4): training steps ``n_envs`` instances of an env in one
vectorised call; readers and external libraries use the PettingZoo ``ParallelEnv`` view of
a single instance. Both step the same who-needs-whom game (``envs.comm_games``) with
random legal actions; the script prints agent-env steps per second for each path and the
ratio (batched / PettingZoo loop).

    python benchmarks/bench_env_step.py [--n-envs 1024 --n-agents 8 --steps 200]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from replib.envs.comm_games import WhoNeedsWhom


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-envs", type=int, default=1024)
    parser.add_argument("--n-agents", type=int, default=8)
    parser.add_argument("--horizon", type=int, default=4)
    parser.add_argument("--steps", type=int, default=200, help="batched steps")
    parser.add_argument("--pz-steps", type=int, default=2000, help="PettingZoo steps")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    kw = dict(n_agents=args.n_agents, horizon=args.horizon, flag_prob=0.3)
    rng = np.random.default_rng(args.seed)

    env = WhoNeedsWhom(n_envs=args.n_envs, **kw)
    env.reset(seed=args.seed)
    acts = rng.integers(0, 4, (args.steps, args.n_envs, args.n_agents))
    t0 = time.perf_counter()
    for a in acts:
        env.step(a)
    t_batch = time.perf_counter() - t0
    batched = args.steps * args.n_envs / t_batch

    pz = env.as_pettingzoo()
    obs, _ = pz.reset(seed=args.seed)
    t0 = time.perf_counter()
    for _ in range(args.pz_steps):
        if not pz.agents:
            pz.reset()
        pz.step({a: int(rng.integers(0, 4)) for a in pz.agents})
    t_pz = time.perf_counter() - t0
    single = args.pz_steps / t_pz

    print(f"who-needs-whom, {args.n_agents} agents, horizon {args.horizon}")
    print(f"batched ({args.n_envs} envs): {batched:12.0f} env steps/s")
    print(f"PettingZoo, one env        : {single:12.0f} env steps/s")
    print(f"speed-up (batched / PettingZoo loop): {batched / single:.1f}x")


if __name__ == "__main__":
    main()
