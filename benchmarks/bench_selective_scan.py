"""Mamba's selective scan: chunked prefix scan vs the sequential loop, forward + backward.

Gu & Dao (2023), Sec. 3.3: the recurrence h_t = exp(Δ_t A) h_{t-1} + Δ_t B_t x_t is a chain of
affine maps, so a prefix scan computes it in log-depth. ``attention.ssm`` has the loop (the
reference), a chunked Hillis–Steele scan, and ``mamba_ssm``'s fused kernel when installed on a
GPU. For each T the script checks the forms agree (max |diff|) and prints median fwd+bwd times
and the ratios to the sequential loop, on the CPU and, when present, on the GPU. On a CPU the
loop does the least work and is expected to win (``Mamba(backend="auto")`` uses it there); the
scan is for GPUs, where every step of the loop is a handful of kernel launches.

    python benchmarks/bench_selective_scan.py [--lengths 256 1024 --d-inner 256 --chunk 64]
"""

from __future__ import annotations

import argparse
import importlib.util

import torch
from torch.nn import functional as F

from replib.attention.ssm import selective_scan
from replib.book.bench import time_fwd_bwd


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lengths", type=int, nargs="+", default=[128, 512, 1024])
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--d-inner", type=int, default=192)
    p.add_argument("--d-state", type=int, default=16)
    p.add_argument("--chunk", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    kernel = importlib.util.find_spec("mamba_ssm") is not None

    def inputs(T, device):
        g = torch.Generator().manual_seed(0)
        u = torch.randn(a.batch, T, a.d_inner, generator=g)
        delta = F.softplus(torch.randn(a.batch, T, a.d_inner, generator=g) - 3)
        A = -torch.arange(1, a.d_state + 1.0).repeat(a.d_inner, 1)
        B, C = (torch.randn(a.batch, T, a.d_state, generator=g) for _ in range(2))
        D = torch.ones(a.d_inner)
        return [t.to(device) for t in (u, delta, A, B, C, D)]

    print(f"selective scan fwd+bwd, batch {a.batch}, d_inner {a.d_inner}, d_state {a.d_state}, "
          f"chunk {a.chunk}; median of {a.repeats} (CPU: {a.threads} thread)")
    for device in devices:
        modes = {"sequential": {}, "chunked": dict(chunk=a.chunk)}
        if device == "cuda" and kernel:
            modes["mamba_ssm"] = {}
        print(f"-- {device}: " + ", ".join(modes))
        for T in a.lengths:
            xs = inputs(T, device)
            with torch.no_grad():
                ref = selective_scan(*xs, mode="sequential")
                diffs = {m: float((selective_scan(*xs, mode=m, **kw) - ref).abs().max())
                         for m, kw in modes.items()}
            times = {m: time_fwd_bwd(lambda x, m=m, kw=kw: selective_scan(*x, mode=m, **kw),
                                     xs, repeats=a.repeats, warmup=1).median_s
                     for m, kw in modes.items()}
            row = "  ".join(f"{m} {1e3 * t:8.1f} ms ({times['sequential'] / t:5.2f}x, "
                            f"|diff| {diffs[m]:.1e})" for m, t in times.items())
            print(f"T={T:>5}  {row}")


if __name__ == "__main__":
    main()
