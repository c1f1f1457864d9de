"""One GAM block vs one softmax-attention block: fwd+bwd time and memory against length.

Acharya (2025), GAM, Table 2 (one block, forward + backward; the paper reports ~linear
growth for GAM and ~quadratic for the Transformer block). Both blocks are pre-norm with the
same GELU FFN (``nets.blocks.Block``); the attention is ``attention.mha`` with the explicit
(naive, T×T) backend as in the paper, or ``--backend sdpa``. Prints per-length median time
and memory (CUDA peak, or saved activations on CPU; see ``book.bench``), the fitted log-log
slopes (paper: ~1 vs ~2) and the time ratio at the largest length.

    python benchmarks/bench_gam_scaling.py [--lengths 128 256 512 1024 2048 --d-model 64]
"""

from __future__ import annotations

import argparse

import torch

from replib.attention.gam import GAM
from replib.attention.mha import MultiHeadAttention
from replib.book.bench import length_sweep
from replib.nets.blocks import Block


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lengths", type=int, nargs="+", default=[128, 256, 512, 1024, 2048])
    p.add_argument("--d-model", type=int, default=64)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--mem-slots", type=int, default=64)
    p.add_argument("--backend", default="explicit", choices=["explicit", "sdpa"])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    d = a.d_model
    blocks = {
        "GAM": Block(d_model=d, norm="layer", ffn="gelu",
                     mixer=GAM(d_model=d, mem_slots=a.mem_slots, conv_kernel=3)),
        "Transformer": Block(d_model=d, norm="layer", ffn="gelu", mixer=MultiHeadAttention(
            d, a.heads, backend=a.backend, track_first_token=False)),
    }
    g = torch.Generator().manual_seed(0)
    make = lambda T: [torch.randn(a.batch, T, d, generator=g).to(a.device)]
    print(f"one block fwd+bwd, batch {a.batch}, d_model {d}, {a.heads} heads "
          f"({a.backend} attention), {a.mem_slots} memory slots; median of {a.repeats}")
    sweeps = {}
    for name, blk in blocks.items():
        blk = blk.to(a.device)
        sweeps[name] = length_sweep(make, lambda xs, blk=blk: blk(xs[0])[0], a.lengths,
                                    repeats=a.repeats)
    print(f"{'T':>6} " + " ".join(f"{n + ' ms':>15} {n + ' MB':>15}" for n in sweeps))
    for i, T in enumerate(a.lengths):
        row = " ".join(f"{1e3 * s.times[i]:>15.2f} {s.memory[i] / 2**20:>15.1f}"
                       for s in sweeps.values())
        print(f"{T:>6} {row}")
    for name, s in sweeps.items():
        print(f"{name}: time slope {s.time_slope.format()}, memory slope "
              f"{s.memory_slope.slope:.2f} ({s.results[0].memory_kind})")
    ratio = sweeps["Transformer"].times[-1] / sweeps["GAM"].times[-1]
    print(f"time ratio Transformer / GAM at T={a.lengths[-1]}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
