"""Positional encodings: learned absolute, sinusoidal and rotary (RoPE).

* Sinusoidal: Vaswani et al. (2017), "Attention Is All You Need", Sec. 3.5:
  PE[t, 2i] = sin(t / base^{2i/d}), PE[t, 2i+1] = cos(t / base^{2i/d}).
* Learned absolute: a ``nn.Embedding(max_len, d_model)`` added to the token embedding
  (GPT-2 style); lengths beyond ``max_len`` stop with an error.
* RoPE: Su et al. (2021), "RoFormer", Eq. 34: rotate each pair (x_{2i}, x_{2i+1}) of a
  query/key head by angle t·θ_i, θ_i = base^{-2i/d_head}; q·k then depends on positions only
  through their difference. Applied inside attention to tensors (batch, heads, T, d_head).

``AbsolutePositional(kind, ...)`` adds "learned"/"sinusoidal"/"none" encodings to
(batch, T, d_model) inputs; ``Rotary(d_head=...)`` rotates q and k.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["sinusoidal_table", "AbsolutePositional", "Rotary", "rope_angles", "apply_rope",
           "ABSOLUTE_KINDS"]

ABSOLUTE_KINDS = ("none", "learned", "sinusoidal")


def sinusoidal_table(seq_len: int, d_model: int, *, base: float = 10000.0,
                     device=None, dtype=torch.float32, offset: int = 0) -> torch.Tensor:
    """The (seq_len, d_model) sinusoidal table of Vaswani et al. Sec. 3.5."""
    if d_model % 2:
        raise ValueError(f"d_model must be even for sinusoidal encodings, got {d_model}")
    pos = torch.arange(offset, offset + seq_len, device=device, dtype=torch.float64)[:, None]
    inv = base ** (-torch.arange(0, d_model, 2, device=device, dtype=torch.float64) / d_model)
    ang = pos * inv                                     # t / base^{2i/d}
    pe = torch.zeros(seq_len, d_model, device=device, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(ang)
    pe[:, 1::2] = torch.cos(ang)
    return pe.to(dtype)


class AbsolutePositional(nn.Module):
    """Adds an absolute encoding to (batch, T, d_model); ``kind`` in ABSOLUTE_KINDS."""

    def __init__(self, *, kind: str, d_model: int, max_len: int = 2048):
        super().__init__()
        if kind not in ABSOLUTE_KINDS:
            raise ValueError(f"pos must be one of {ABSOLUTE_KINDS}, got {kind!r}")
        self.kind, self.d_model, self.max_len = kind, d_model, max_len
        self.emb = nn.Embedding(max_len, d_model) if kind == "learned" else None
        if self.emb is not None:
            nn.init.normal_(self.emb.weight, std=0.02)

    def forward(self, x: torch.Tensor, *, offset: int = 0) -> torch.Tensor:
        T = x.shape[1]
        if self.kind == "none":
            return x
        if self.kind == "learned":
            if offset + T > self.max_len:
                raise ValueError(f"seq_len {offset + T} exceeds the learned table's "
                                 f"max_len={self.max_len}; allowed seq_len <= {self.max_len}")
            pos = torch.arange(offset, offset + T, device=x.device)
            return x + self.emb(pos).to(x.dtype)
        return x + sinusoidal_table(T, self.d_model, device=x.device, dtype=x.dtype,
                                    offset=offset)


def rope_angles(seq_len: int, d_head: int, *, base: float = 10000.0, device=None,
                offset: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of t·θ_i, each (seq_len, d_head/2), in float32."""
    if d_head % 2:
        raise ValueError(f"d_head must be even for RoPE, got {d_head}")
    theta = base ** (-torch.arange(0, d_head, 2, device=device, dtype=torch.float64) / d_head)
    t = torch.arange(offset, offset + seq_len, device=device, dtype=torch.float64)
    ang = torch.outer(t, theta)                         # Eq. 34: angle t·θ_i
    return torch.cos(ang).float(), torch.sin(ang).float()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate adjacent pairs of the last axis of x (..., T, d_head) by the given angles."""
    x1, x2 = x[..., 0::2].float(), x[..., 1::2].float()
    y1 = x1 * cos - x2 * sin
    y2 = x1 * sin + x2 * cos
    return torch.stack((y1, y2), dim=-1).flatten(-2).to(x.dtype)


class Rotary(nn.Module):
    """RoPE for (batch, heads, T, d_head) queries and keys: ``q, k = rope(q, k)``."""

    def __init__(self, *, d_head: int, base: float = 10000.0):
        super().__init__()
        if d_head % 2:
            raise ValueError(f"d_head must be even for RoPE, got {d_head}")
        self.d_head, self.base = d_head, base

    def forward(self, q: torch.Tensor, k: torch.Tensor, *, offset: int = 0):
        if q.shape[-1] != self.d_head or k.shape[-1] != self.d_head:
            raise ValueError(f"d_head mismatch: Rotary(d_head={self.d_head}) got q/k with last "
                             f"dim {q.shape[-1]}/{k.shape[-1]}")
        cos, sin = rope_angles(q.shape[-2], self.d_head, base=self.base, device=q.device,
                               offset=offset)
        return apply_rope(q, cos, sin), apply_rope(k, cos, sin)
