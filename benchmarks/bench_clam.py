"""CLAM's hot paths: batched particle-world steps, and padded-batch trajectory encoding.

1. ``envs.particle.PredatorPrey`` steps ``n_envs`` episodes in one vectorised numpy call
   (what training uses) against stepping its PettingZoo ``ParallelEnv`` view one env at a
   time; prints env steps per second for both and the ratio.
2. ``rl.agent_model.SetTrajectoryEncoder`` (Set Attention Blocks + PMA, Ma et al. 2024)
   encodes a batch of variable-length crops in one padded, masked call against one call per
   crop (the obvious loop); prints crops per second, the ratio, and the largest difference
   between the two embeddings.

    python benchmarks/bench_clam.py [--n-envs 512 --steps 100 --crops 256]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from replib.envs.particle import PredatorPrey
from replib.rl.agent_model import SetTrajectoryEncoder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-envs", type=int, default=512)
    parser.add_argument("--steps", type=int, default=100, help="batched steps")
    parser.add_argument("--pz-steps", type=int, default=2000, help="PettingZoo steps")
    parser.add_argument("--crops", type=int, default=256)
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)

    env = PredatorPrey(n_envs=args.n_envs)
    env.reset(seed=args.seed)
    t0 = time.perf_counter()
    for _ in range(args.steps):
        env.step(rng.integers(0, 5, (args.n_envs, 1)))
    batched = args.steps * args.n_envs / (time.perf_counter() - t0)

    pz = PredatorPrey(n_envs=1).as_pettingzoo()
    pz.reset(seed=args.seed)
    t0 = time.perf_counter()
    for _ in range(args.pz_steps):
        if not pz.agents:
            pz.reset()
        pz.step({a: int(rng.integers(0, 5)) for a in pz.agents})
    loop = args.pz_steps / (time.perf_counter() - t0)
    print(f"particle env steps/s: batched {batched:,.0f}  PettingZoo loop {loop:,.0f}  "
          f"ratio batched/loop {batched / loop:.1f}x")

    torch.manual_seed(args.seed)
    enc = SetTrajectoryEncoder(in_features=15, d_model=args.d_model, n_heads=4,
                               embed_dim=16).eval()
    lengths = torch.as_tensor(rng.integers(4, 25, args.crops))
    x = torch.randn(args.crops, 24, 15)
    mask = torch.arange(24)[None] < lengths[:, None]
    with torch.inference_mode():
        t0 = time.perf_counter()
        z_pad = enc(x, mask)
        t_pad = time.perf_counter() - t0
        t0 = time.perf_counter()
        z_loop = torch.cat([enc(x[i: i + 1, : int(lengths[i])]) for i in range(args.crops)])
        t_loop = time.perf_counter() - t0
    err = float((z_pad - z_loop).abs().max())
    print(f"encoder crops/s: padded batch {args.crops / t_pad:,.0f}  per-crop loop "
          f"{args.crops / t_loop:,.0f}  ratio padded/loop {t_loop / t_pad:.1f}x  "
          f"max |diff| {err:.1e}")


if __name__ == "__main__":
    main()
