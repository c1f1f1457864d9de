"""Time the SDPA backend of ``attention.mha`` against its explicit (attention-matrix) path.

Both paths compute the same causal multi-head attention (optionally with the gated-attention
G1 gate); the script checks the outputs agree, then times forward + backward as the median
of repeats at each sequence length and prints the explicit / SDPA time ratio.

    python benchmarks/bench_mha.py [--lengths 128 512 1024 --batch 8 --d-model 256 --heads 8]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from replib.attention.mha import MultiHeadAttention


def _time(m, x, repeats):
    ts = []
    for i in range(repeats + 1):
        t = time.perf_counter()
        y, _ = m(x)
        y.square().mean().backward()
        if x.is_cuda:
            torch.cuda.synchronize()
        if i:
            ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lengths", type=int, nargs="+", default=[128, 512, 1024])
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--d-model", type=int, default=256)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--gate-pos", default="G1")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    sdpa = MultiHeadAttention(a.d_model, a.heads, gate_pos=a.gate_pos, backend="sdpa",
                              track_first_token=False).to(a.device)
    expl = MultiHeadAttention(a.d_model, a.heads, gate_pos=a.gate_pos, backend="explicit",
                              track_first_token=False).to(a.device)
    expl.load_state_dict(sdpa.state_dict())
    print(f"{'T':>6} {'sdpa ms':>9} {'explicit ms':>12} {'ratio':>7}")
    for T in a.lengths:
        x = torch.randn(a.batch, T, a.d_model, device=a.device, requires_grad=True)
        with torch.no_grad():
            err = float((sdpa(x)[0] - expl(x)[0]).abs().max())
        if err > 1e-4:
            raise SystemExit(f"outputs differ by {err:.2e} at T={T}")
        ts, te = _time(sdpa, x, a.repeats), _time(expl, x, a.repeats)
        print(f"{T:>6} {1e3 * ts:>9.2f} {1e3 * te:>12.2f} {te / ts:>7.2f}")
    print(f"ratio explicit/sdpa at T={a.lengths[-1]}: {te / ts:.2f}x (max |diff| {err:.1e})")


if __name__ == "__main__":
    main()
