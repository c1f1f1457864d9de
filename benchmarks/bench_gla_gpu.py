"""GLA on a GPU: the project's chunkwise form vs flash-linear-attention's kernel vs SDPA.

Yang et al. (2024), GLA, Sec. 4 and Fig. 2 compare their chunkwise kernel with FlashAttention-2
at batch 32, 16 heads and head dimension 64 over sequence length. This script runs that grid,
forward + backward, for three mixers on the same (B, H, T, d) inputs:

* ``replib``: :func:`replib.attention.linear.gated_linear_attention` (``mode="chunk"``), the
  pure-PyTorch chunkwise form the book uses on any device;
* ``fla``: :func:`replib.attention.linear.fla_chunk_gla`, flash-linear-attention's Triton
  kernel (``pip install flash-linear-attention``), the ``full`` profile's speed path;
* ``sdpa``: causal softmax attention through ``scaled_dot_product_attention`` restricted to the
  FlashAttention backend (the O(T^2) reference the paper times against).

It prints median times, the ratios to the project's form, and the largest difference between
the project's output and fla's (relative to the output's scale): the GPU check that the two
chunkwise implementations compute the same function. Without CUDA it says so and exits 0;
``--device cpu`` runs the same code at small sizes (fla and FlashAttention are then reported
as unavailable), which is what the test suite does.

    python benchmarks/bench_gla_gpu.py [--lengths 512 1024 2048 4096 --batch 32 --heads 16]
"""

from __future__ import annotations

import argparse

import torch
from torch.nn import functional as F

from replib.attention.linear import fla_chunk_gla, gated_linear_attention
from replib.book.bench import time_fwd_bwd


def _sdpa_flash(q, k, v):
    if q.is_cuda:
        from torch.nn.attention import SDPBackend, sdpa_kernel
        with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
            return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


def _time(fn, xs, repeats):
    """Median fwd+bwd seconds, or the reason it could not run."""
    try:
        return time_fwd_bwd(fn, xs, repeats=repeats, warmup=1).median_s
    except torch.cuda.OutOfMemoryError:
        torch.cuda.empty_cache()
        return "out of memory"
    except (ImportError, RuntimeError) as e:
        return str(e).splitlines()[0][:160]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default=None, help="default: cuda when present, else skip")
    p.add_argument("--lengths", type=int, nargs="+", default=[512, 1024, 2048, 4096])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--heads", type=int, default=16)
    p.add_argument("--d-head", type=int, default=64)
    p.add_argument("--chunk", type=int, default=64)
    p.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args()
    device = a.device or ("cuda" if torch.cuda.is_available() else None)
    if device is None:
        print("no CUDA device: the GPU comparison (replib chunkwise vs fla vs SDPA) was not run; "
              "`--device cpu` runs a small smoke version")
        return
    dtype = getattr(torch, a.dtype)
    g = torch.Generator(device=device).manual_seed(0)
    card = torch.cuda.get_device_name() if device == "cuda" else "CPU"
    print(f"GLA fwd+bwd on {device} ({card}),"
          f" batch {a.batch}, {a.heads} heads, d_head {a.d_head}, {a.dtype}, chunk {a.chunk}; "
          f"median of {a.repeats}; ratios are replib's time over the other's (> 1: it is faster)")

    def inputs(T):
        shape = (a.batch, a.heads, T, a.d_head)
        q, k, v = (torch.randn(shape, generator=g, device=device, dtype=dtype) for _ in range(3))
        la = F.logsigmoid(torch.randn(shape, generator=g, device=device) * 2) / 16  # tau = 16
        return [q, k, v, la]

    mine = lambda xs: gated_linear_attention(*xs, mode="chunk", chunk=a.chunk)
    fla = lambda xs: fla_chunk_gla(*xs)
    sdpa = lambda xs: _sdpa_flash(*xs[:3])
    fmt = lambda t: f"{1e3 * t:>10.2f}" if isinstance(t, float) else f"{'n/a':>10}"
    ratio = lambda a_, b_: (f"{a_ / b_:>8.2f}x" if isinstance(a_, float) and isinstance(b_, float)
                            else f"{'-':>9}")
    print(f"{'T':>6} {'replib ms':>10} {'fla ms':>10} {'sdpa ms':>10} {'replib/fla':>10} "
          f"{'replib/sdpa':>11} {'rel |diff| vs fla':>18}")
    notes = {}
    for T in a.lengths:
        xs = inputs(T)
        t_mine, t_fla, t_sdpa = (_time(f, xs, a.repeats) for f in (mine, fla, sdpa))
        for name, t in (("replib", t_mine), ("fla", t_fla), ("sdpa", t_sdpa)):
            if not isinstance(t, float):
                notes.setdefault(name, t)
        diff = "-"
        if isinstance(t_fla, float):
            with torch.no_grad():
                ref = fla(xs).float()
                diff = f"{float((mine(xs).float() - ref).abs().max() / ref.abs().max()):.2e}"
        print(f"{T:>6} {fmt(t_mine)} {fmt(t_fla)} {fmt(t_sdpa)} {ratio(t_mine, t_fla):>10} "
              f"{ratio(t_mine, t_sdpa):>11} {diff:>18}")
        del xs
        if device == "cuda":
            torch.cuda.empty_cache()
    for name, why in notes.items():
        print(f"{name}: not timed ({why})")


if __name__ == "__main__":
    main()
