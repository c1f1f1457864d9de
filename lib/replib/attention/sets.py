"""Permutation-invariant attention over sets: the Set Attention Block and PMA pooling.

Lee, Lee, Kim, Kosiorek, Choi and Teh (2019), "Set Transformer", ICML, Sec. 3:

* Multihead Attention Block (eq. 6-7): ``MAB(X, Y) = LN(H + rFF(H))`` with
  ``H = LN(X + Multihead(X, Y, Y))``;
* Set Attention Block (eq. 8): ``SAB(X) = MAB(X, X)``;
* Pooling by Multihead Attention (eq. 11): ``PMA_k(Z) = MAB(S, rFF(Z))`` with ``k`` learned
  seed vectors ``S``.

Used by ``rl.agent_model`` (CLAM's trajectory encoder: the time steps of an ego trajectory
form the set, Ma et al. 2024) and later by vgc-bench.

Shapes: ``x (B, N, d_model)``; ``mask (B, N)`` bool, True where an element is present
(padding lets sequences of different lengths share a batch; every row needs at least one
True). Attention runs through ``torch.nn.functional.scaled_dot_product_attention``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["MAB", "SAB", "PMA", "PoolDiag"]


@dataclass(frozen=True)
class PoolDiag:
    """PMA's attention weights ``(B, n_heads, n_seeds, N)`` (None unless asked for)."""

    weights: torch.Tensor | None

    def detach(self) -> PoolDiag:
        return PoolDiag(None if self.weights is None else self.weights.detach())


class MAB(nn.Module):
    """Multihead Attention Block ``MAB(X, Y)`` (eq. 6-7): X queries, Y keys and values."""

    def __init__(self, *, d_model: int, n_heads: int, d_ff: int | None = None,
                 layer_norm: bool = True):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} must be divisible by n_heads={n_heads}")
        self.n_heads = n_heads
        self.in_proj = nn.Linear(d_model, 3 * d_model)  # W_q, W_k, W_v stacked
        self.o = nn.Linear(d_model, d_model)
        d_ff = d_ff or d_model
        self.ff = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))
        self.ln1 = nn.LayerNorm(d_model) if layer_norm else nn.Identity()
        self.ln2 = nn.LayerNorm(d_model) if layer_norm else nn.Identity()

    def _split(self, t: torch.Tensor) -> torch.Tensor:  # (B, N, d) -> (B, h, N, d/h)
        b, n, d = t.shape
        return t.view(b, n, self.n_heads, d // self.n_heads).transpose(1, 2)

    def forward(self, x: torch.Tensor, y: torch.Tensor, mask: torch.Tensor | None = None,
                *, return_weights: bool = False):
        """``x (B, Nq, d)``, ``y (B, Nk, d)``, ``mask (B, Nk)`` over y's elements."""
        d = x.shape[-1]
        if x is y:  # self-attention: one fused projection
            q, k, v = self.in_proj(x).split(d, -1)
        else:
            w, b = self.in_proj.weight, self.in_proj.bias
            q = F.linear(x, w[:d], b[:d])
            k, v = F.linear(y, w[d:], b[d:]).split(d, -1)
        q, k, v = self._split(q), self._split(k), self._split(v)
        attn_mask = None if mask is None else mask[:, None, None, :]  # (B, 1, 1, Nk)
        weights = None
        if return_weights:  # explicit path: the same numbers, with the map kept
            s = q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5
            if attn_mask is not None:
                s = s.masked_fill(~attn_mask, float("-inf"))
            weights = s.softmax(-1)
            a = weights @ v
        else:
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        a = a.transpose(1, 2).reshape(x.shape)
        h = self.ln1(x + self.o(a))  # H = LN(X + Multihead(X, Y, Y))
        out = self.ln2(h + self.ff(h))  # MAB = LN(H + rFF(H))
        return (out, weights) if return_weights else out


class SAB(nn.Module):
    """Set Attention Block ``SAB(X) = MAB(X, X)`` (eq. 8); padded elements are never keys."""

    def __init__(self, *, d_model: int, n_heads: int, d_ff: int | None = None,
                 layer_norm: bool = True):
        super().__init__()
        self.mab = MAB(d_model=d_model, n_heads=n_heads, d_ff=d_ff, layer_norm=layer_norm)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.mab(x, x, mask)


class PMA(nn.Module):
    """Pooling by Multihead Attention ``PMA_k(Z) = MAB(S, rFF(Z))`` (eq. 11).

    ``forward(z, mask) -> (pooled (B, n_seeds, d_model), PoolDiag)``.
    """

    def __init__(self, *, d_model: int, n_heads: int, n_seeds: int = 1,
                 d_ff: int | None = None, layer_norm: bool = True):
        super().__init__()
        self.seeds = nn.Parameter(torch.empty(1, n_seeds, d_model))
        nn.init.xavier_uniform_(self.seeds)
        self.rff = nn.Sequential(nn.Linear(d_model, d_model), nn.ReLU())
        self.mab = MAB(d_model=d_model, n_heads=n_heads, d_ff=d_ff, layer_norm=layer_norm)

    def forward(self, z: torch.Tensor, mask: torch.Tensor | None = None, *,
                return_weights: bool = False) -> tuple[torch.Tensor, PoolDiag]:
        s = self.seeds.expand(z.shape[0], -1, -1)
        if return_weights:
            out, w = self.mab(s, self.rff(z), mask, return_weights=True)
            return out, PoolDiag(w)
        return self.mab(s, self.rff(z), mask), PoolDiag(None)
