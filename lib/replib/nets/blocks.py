"""Transformer building blocks shared by every sequence chapter.

* ``RMSNorm`` (Zhang & Sennrich 2019, "Root Mean Square Layer Normalization", Eq. 4):
  y = x / sqrt(mean(x²) + eps) · g.
* ``SwiGLU`` FFN (Shazeer 2020, "GLU Variants Improve Transformer", Eq. 6):
  down(SiLU(gate(x)) ⊙ up(x)); hidden width defaults to 8/3·d_model rounded up to 8.
* ``GELUFFN``: down(GELU(up(x))), hidden 4·d_model (Vaswani et al. 2017 with GELU).
* ``Block``: the pre-norm residual block around any token mixer,
  x ← x + mixer(norm1(x)); x ← x + ffn(norm2(x)) (Xiong et al. 2020, "On Layer
  Normalization in the Transformer Architecture", Fig. 1b).

Mixer interface (used by ``nets.lm``): ``mixer(h) -> (y, diag)`` with h, y of shape
(batch, seq_len, d_model); ``diag`` is any small dataclass (or ``None``) that the block
passes through unchanged. Parameter counting: ``count_params`` and ``match_width``
(pick the width whose model size is closest to a target, for parameter-matched baselines).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import nn

__all__ = ["RMSNorm", "SwiGLU", "GELUFFN", "Block", "make_norm", "make_ffn",
           "swiglu_hidden", "count_params", "match_width", "NORMS", "FFNS"]

NORMS = ("rms", "layer")
FFNS = ("swiglu", "gelu")


class RMSNorm(nn.Module):
    """Root-mean-square norm over the last axis with a learned gain (no bias)."""

    def __init__(self, d_model: int, *, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xf = x.float()
        y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)  # Eq. 4
        return (y * self.weight.float()).to(x.dtype)


def swiglu_hidden(d_model: int, *, multiple_of: int = 8) -> int:
    """LLaMA's SwiGLU width: 8/3·d_model rounded up to a multiple of ``multiple_of``."""
    h = int(math.ceil(8 * d_model / 3))
    return multiple_of * int(math.ceil(h / multiple_of))


class SwiGLU(nn.Module):
    """SwiGLU feed-forward: down(SiLU(gate(x)) ⊙ up(x)); named ``up``, ``gate``, ``down``."""

    def __init__(self, *, d_model: int, d_ff: int | None = None, dropout: float = 0.0,
                 bias: bool = False):
        super().__init__()
        d_ff = swiglu_hidden(d_model) if d_ff is None else d_ff
        self.up = nn.Linear(d_model, d_ff, bias=bias)
        self.gate = nn.Linear(d_model, d_ff, bias=bias)
        self.down = nn.Linear(d_ff, d_model, bias=bias)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.down(nn.functional.silu(self.gate(x)) * self.up(x)))


class GELUFFN(nn.Module):
    """Two-layer GELU feed-forward: down(GELU(up(x))); named ``up``, ``down``."""

    def __init__(self, *, d_model: int, d_ff: int | None = None, dropout: float = 0.0,
                 bias: bool = True):
        super().__init__()
        d_ff = 4 * d_model if d_ff is None else d_ff
        self.up = nn.Linear(d_model, d_ff, bias=bias)
        self.down = nn.Linear(d_ff, d_model, bias=bias)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.down(nn.functional.gelu(self.up(x))))


def make_norm(kind: str, d_model: int) -> nn.Module:
    """``"rms"`` -> RMSNorm, ``"layer"`` -> LayerNorm."""
    if kind == "rms":
        return RMSNorm(d_model)
    if kind == "layer":
        return nn.LayerNorm(d_model)
    raise ValueError(f"norm must be one of {NORMS}, got {kind!r}")


def make_ffn(kind: str, *, d_model: int, d_ff: int | None = None,
             dropout: float = 0.0) -> nn.Module:
    """``"swiglu"`` -> SwiGLU (8/3·d), ``"gelu"`` -> GELUFFN (4·d); ``d_ff`` overrides."""
    if kind == "swiglu":
        return SwiGLU(d_model=d_model, d_ff=d_ff, dropout=dropout)
    if kind == "gelu":
        return GELUFFN(d_model=d_model, d_ff=d_ff, dropout=dropout)
    raise ValueError(f"ffn must be one of {FFNS}, got {kind!r}")


class Block(nn.Module):
    """Pre-norm residual block: x + mixer(norm1 x), then x + ffn(norm2 x).

    ``mixer`` is any module with ``forward(h) -> (y, diag)``; ``ffn=None`` drops the FFN
    sub-layer (mixer-only stacks). ``forward(x) -> (x, diag)``.
    """

    def __init__(self, *, d_model: int, mixer: nn.Module, ffn: str | None = "swiglu",
                 d_ff: int | None = None, norm: str = "rms", dropout: float = 0.0):
        super().__init__()
        self.norm1 = make_norm(norm, d_model)
        self.mixer = mixer
        self.drop = nn.Dropout(dropout)
        self.norm2 = make_norm(norm, d_model) if ffn is not None else None
        self.ffn = make_ffn(ffn, d_model=d_model, d_ff=d_ff, dropout=dropout) \
            if ffn is not None else None

    def forward(self, x: torch.Tensor):
        out = self.mixer(self.norm1(x))
        if not isinstance(out, tuple) or len(out) != 2:
            raise TypeError("mixer.forward must return (y, diag); got "
                            f"{type(out).__name__}")
        y, diag = out
        x = x + self.drop(y)
        if self.ffn is not None:
            x = x + self.ffn(self.norm2(x))
        return x, diag


def count_params(module: nn.Module, *, trainable_only: bool = True,
                 exclude: Sequence[str] = ()) -> int:
    """Number of (trainable) parameters, skipping names that start with any of ``exclude``.

    Shared (tied) tensors are counted once.
    """
    seen: set[int] = set()
    total = 0
    for name, p in module.named_parameters():
        if trainable_only and not p.requires_grad:
            continue
        if any(name.startswith(e) for e in exclude) or id(p) in seen:
            continue
        seen.add(id(p))
        total += p.numel()
    return total


def match_width(build: Callable[[int], nn.Module], *, target: int,
                candidates: Sequence[int]) -> tuple[int, int]:
    """The candidate width whose ``count_params(build(width))`` is closest to ``target``.

    Returns ``(width, n_params)``; used to parameter-match baselines.
    """
    if len(candidates) == 0:
        raise ValueError("candidates must be a non-empty list of widths")
    best = min((abs(count_params(build(w)) - target), w) for w in candidates)
    w = best[1]
    return w, count_params(build(w))
