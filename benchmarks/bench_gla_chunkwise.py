"""Chunkwise vs recurrent gated linear attention on CPU, forward + backward.

Yang et al. (2024), GLA, Sec. 4.2: the chunkwise form replaces T sequential state updates
by T/C chunk steps plus matmuls. For each T the script checks that both forms give the
same output (max |diff|) and prints the median fwd+bwd times and their ratio. Sizes
default to the paper's head dimension (64) with 4 heads and batch 1; chunk C = 64.
The target is a speed-up >= 10x at T = 4096.

    python benchmarks/bench_gla_chunkwise.py [--lengths 256 1024 4096 --chunk 64 --subchunk 64]
"""

from __future__ import annotations

import argparse

import torch
from torch.nn import functional as F

from replib.attention.linear import gated_linear_attention
from replib.book.bench import time_fwd_bwd


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lengths", type=int, nargs="+", default=[256, 512, 1024, 2048, 4096])
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--d-head", type=int, default=64)
    p.add_argument("--chunk", type=int, default=64)
    p.add_argument("--subchunk", type=int, default=None, help="default: = chunk")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--target", type=float, default=10.0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    sub = a.chunk if a.subchunk is None else a.subchunk
    g = torch.Generator().manual_seed(0)

    def inputs(T):
        shape = (a.batch, a.heads, T, a.d_head)
        q, k, v = (torch.randn(shape, generator=g) for _ in range(3))
        la = F.logsigmoid(torch.randn(shape, generator=g) * 2) / 16   # GLA gate, tau = 16
        return [q, k, v, la]

    rec = lambda xs: gated_linear_attention(*xs, mode="recurrent")
    chk = lambda xs: gated_linear_attention(*xs, mode="chunk", chunk=a.chunk, subchunk=sub)
    print(f"GLA fwd+bwd on CPU ({a.threads} thread), batch {a.batch}, {a.heads} heads, "
          f"d_head {a.d_head}, chunk {a.chunk}, subchunk {sub}; median of {a.repeats}")
    print(f"{'T':>6} {'recurrent ms':>13} {'chunkwise ms':>13} {'speed-up':>9} {'max |diff|':>11}")
    last = None
    for T in a.lengths:
        xs = inputs(T)
        with torch.no_grad():
            diff = float((rec(xs) - chk(xs)).abs().max())
        tr = time_fwd_bwd(rec, xs, repeats=a.repeats, warmup=1).median_s
        tc = time_fwd_bwd(chk, xs, repeats=a.repeats, warmup=1).median_s
        last = (T, tr / tc, diff)
        print(f"{T:>6} {1e3 * tr:>13.1f} {1e3 * tc:>13.1f} {tr / tc:>8.1f}x {diff:>11.2e}")
    T, ratio, diff = last
    ok = ratio >= a.target and diff < 1e-3
    print(f"speed-up at T={T}: {ratio:.1f}x (target >= {a.target:g}x), max |diff| {diff:.1e} "
          f"-> {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
