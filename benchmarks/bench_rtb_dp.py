"""Time the vectorised RLB value DP against the plain-loop reference on one instance.

Cai et al. (2017), RLB value recursion (see ``replib.markets.rtb``). Both DPs solve the
same (horizon, budget, m, theta_avg) instance; the script checks the tables agree to
1e-9 and prints both times and their ratio.

    python benchmarks/bench_rtb_dp.py [--horizon 100 --budget 3000 --delta-max 100 --device cuda]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from replib.markets.rtb import market_price_pdf, value_dp, value_dp_loop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizon", type=int, default=100)
    parser.add_argument("--budget", type=int, default=3000)
    parser.add_argument("--delta-max", type=int, default=100)
    parser.add_argument("--theta-avg", type=float, default=0.005)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    rng = np.random.default_rng(args.seed)  # log-normal market prices, mean ~ delta_max / 3
    prices = np.rint(np.exp(rng.normal(np.log(args.delta_max / 4), 0.7, 100_000)))
    m = market_price_pdf(np.clip(prices, 1, args.delta_max).astype(np.int64),
                         delta_max=args.delta_max)
    size = dict(horizon=args.horizon, budget=args.budget, m=m, theta_avg=args.theta_avg)

    value_dp(**dict(size, horizon=2), device=args.device)  # warm-up (CUDA context, kernels)
    start = time.perf_counter()
    fast = value_dp(**size, device=args.device)
    if args.device.startswith("cuda"):
        torch.cuda.synchronize()
    t_fast = time.perf_counter() - start
    start = time.perf_counter()
    slow = value_dp_loop(**size)
    t_slow = time.perf_counter() - start

    diff = float(np.abs(fast - slow).max())
    assert diff <= 1e-9, f"tables differ by {diff}"
    print(f"instance: T={args.horizon} B={args.budget} delta_max={args.delta_max} "
          f"device={args.device} threads={args.threads}")
    print(f"vectorised value_dp : {t_fast:8.3f} s")
    print(f"loop value_dp_loop  : {t_slow:8.3f} s")
    print(f"speed-up            : {t_slow / t_fast:8.1f}x   (max |diff| = {diff:.2e})")


if __name__ == "__main__":
    main()
