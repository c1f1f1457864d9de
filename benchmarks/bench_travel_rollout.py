"""Plans per second: ``envs.travel_policy.rollout`` over many instances in lock-step against
the obvious alternative, one rollout call per instance.

Both sample greedy plans (deterministic, so the two paths give identical plans, checked here)
for the same procedural instances and policy weights; the script prints plans per second of
each path and the ratio.

    python benchmarks/bench_travel_rollout.py [--instances 32 --samples 8]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from replib.envs.travel import make_instance
from replib.envs.travel_policy import FEATURES, rollout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=int, default=32)
    ap.add_argument("--samples", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    insts = [make_instance(seed=s, days=2 + s % 2) for s in range(a.instances)]
    theta = np.random.default_rng(0).normal(0, 1, len(FEATURES))
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for _ in range(a.repeats):
        batched = rollout(insts, theta, n_samples=a.samples, rng=rng, greedy=True)
    t_b = (time.perf_counter() - t0) / a.repeats
    t0 = time.perf_counter()
    for _ in range(a.repeats):
        single = [p for i in insts
                  for p in rollout(i, theta, n_samples=a.samples, rng=rng, greedy=True).plans]
    t_s = (time.perf_counter() - t0) / a.repeats
    same = [p.days for p in batched.plans] == [p.days for p in single]
    n = a.instances * a.samples
    print(f"batched: {n / t_b:.0f} plans/s; per instance: {n / t_s:.0f} plans/s; "
          f"ratio batched/per-instance: {t_s / t_b:.2f}; identical plans: {same}")


if __name__ == "__main__":
    main()
