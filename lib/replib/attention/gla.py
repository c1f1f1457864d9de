"""The GLA layer: gated linear attention with a low-rank data-dependent gate.

Yang et al. (2024), "Gated Linear Attention Transformers with Hardware-Efficient
Training", ICML, Sec. 4.4 (Eq. 6-7):

    Q = X W_Q, K = X W_K  (d_k = d_model/2 in total),  V = X W_V  (d_v = d_model)
    α_t = σ(x_t W_α1 W_α2 + b_α)^{1/τ}   (W_α1: d×16, W_α2: 16×d_k, τ = 16)
    O = GLA(Q, K, V, α) per head  (``attention.linear``),  O' = norm_h(O) per head
    R = Swish(X W_r + b_r),  Y = (R ⊙ O') W_O

``gate`` selects the paper's Table 4 ablation of the forget gate, everything else equal:
``"diag"`` (GLA), ``"scalar"`` (data-dependent scalar per head, σ(x w_h + b)^{1/τ}),
``"fixed"`` (RetNet's data-independent γ_h = 1 − 2^{−5−h}) and ``"none"`` (α = 1, plain
linear attention). Log-gates are computed as logsigmoid(·)/τ in float32.

``forward(x) -> (y, GLADiag)`` with x, y (batch, T, d_model); ``GLADiag.log_alpha``
(broadcastable to (batch, n_heads, T, d_k/n_heads), on the graph; ``None`` without a gate).
``memory_horizon(log_alpha)`` is the per-head e-folding time 1/(−log α) of the state.
``backend="fla"`` uses flash-linear-attention's kernel (GPU, ``full`` profile).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from replib.attention.linear import fla_chunk_gla, gated_linear_attention, retnet_log_decay

__all__ = ["GLA", "GLADiag", "GATES", "memory_horizon"]

GATES = ("diag", "scalar", "fixed", "none")


@dataclass(frozen=True)
class GLADiag:
    """Forget-gate log-values of one GLA layer (``None`` for the no-gate variant)."""

    log_alpha: torch.Tensor | None

    def detach(self) -> GLADiag:
        return GLADiag(None if self.log_alpha is None else self.log_alpha.detach())


def memory_horizon(log_alpha: torch.Tensor) -> torch.Tensor:
    """Per-head median over channels of the mean e-folding time 1/(−log α), in tokens.

    log_alpha (batch, H, T, d) or broadcastable with a head axis at dim 1; returns (H,).
    """
    la = log_alpha.detach().float()
    h = (1.0 / (-la).clamp_min(1e-6))                      # tokens until the state decays by e
    h = h.transpose(0, 1).reshape(la.shape[1], -1, la.shape[-1]).mean(1)   # (H, d)
    return h.median(dim=-1).values


class GLA(nn.Module):
    """Gated linear attention layer (token mixer with the ``(y, diag)`` interface)."""

    def __init__(self, *, d_model: int, n_heads: int = 4, gate: str = "diag",
                 expand_k: float = 0.5, gate_rank: int = 16, tau: float = 16.0,
                 chunk: int = 64, subchunk: int | None = 16, mode: str = "chunk",
                 backend: str = "torch", norm: str = "layer"):
        super().__init__()
        if gate not in GATES:
            raise ValueError(f"gate must be one of {GATES}, got {gate!r}")
        if backend not in ("torch", "fla"):
            raise ValueError(f"backend must be one of ('torch', 'fla'), got {backend!r}")
        if norm not in ("layer", "rms"):
            raise ValueError(f"norm must be one of ('layer', 'rms'), got {norm!r}")
        d_k = int(d_model * expand_k)
        if n_heads < 1 or d_k % n_heads or d_model % n_heads:
            raise ValueError(f"n_heads={n_heads} must divide d_model={d_model} and "
                             f"d_k={d_k} (= expand_k * d_model)")
        if tau <= 0:
            raise ValueError(f"tau must be > 0, got {tau}")
        self.d_model, self.n_heads, self.gate, self.tau = d_model, n_heads, gate, tau
        self.dk, self.dv = d_k // n_heads, d_model // n_heads
        self.chunk, self.subchunk, self.mode, self.backend = chunk, subchunk, mode, backend
        self.q = nn.Linear(d_model, d_k, bias=False)
        self.k = nn.Linear(d_model, d_k, bias=False)
        self.v = nn.Linear(d_model, d_model, bias=False)
        self.r = nn.Linear(d_model, d_model, bias=True)      # output gate, Swish
        self.o = nn.Linear(d_model, d_model, bias=False)
        if gate == "diag":                                   # low-rank gate W_α1 W_α2 + b_α
            self.gate_down = nn.Linear(d_model, gate_rank, bias=False)
            self.gate_up = nn.Linear(gate_rank, d_k, bias=True)
        elif gate == "scalar":
            self.gate_proj = nn.Linear(d_model, n_heads, bias=True)
        elif gate == "fixed":
            self.register_buffer("log_gamma", retnet_log_decay(n_heads), persistent=False)
        self.head_norm = (nn.LayerNorm(self.dv) if norm == "layer"
                          else nn.RMSNorm(self.dv, eps=1e-6))

    def log_alpha(self, x: torch.Tensor) -> torch.Tensor | None:
        """log α, (B, H, T, d_k/H) for "diag", (B, H, T, 1) "scalar", (1, H, 1, 1) "fixed"."""
        B, T, _ = x.shape
        if self.gate == "diag":
            z = self.gate_up(self.gate_down(x)).float()
            return (F.logsigmoid(z) / self.tau).view(B, T, self.n_heads, self.dk).transpose(1, 2)
        if self.gate == "scalar":
            z = self.gate_proj(x).float()
            return (F.logsigmoid(z) / self.tau).transpose(1, 2)[..., None]
        if self.gate == "fixed":
            return self.log_gamma.view(1, -1, 1, 1)
        return None

    def forward(self, x: torch.Tensor):
        B, T, D = x.shape
        if D != self.d_model:
            raise ValueError(f"input width {D} does not match d_model={self.d_model}")
        H = self.n_heads
        q = self.q(x).view(B, T, H, self.dk).transpose(1, 2)
        k = self.k(x).view(B, T, H, self.dk).transpose(1, 2)
        v = self.v(x).view(B, T, H, self.dv).transpose(1, 2)
        la = self.log_alpha(x)
        if self.backend == "fla":
            g = torch.zeros_like(q, dtype=torch.float32) if la is None else la
            o = fla_chunk_gla(q, k, v, g.expand(B, H, T, self.dk))
        else:
            o = gated_linear_attention(q, k, v, la, mode=self.mode, chunk=self.chunk,
                                       subchunk=self.subchunk)
        o = self.head_norm(o.transpose(1, 2))                # per-head norm, (B, T, H, dv)
        y = self.o(F.silu(self.r(x)) * o.reshape(B, T, D))   # (Swish(X W_r) ⊙ O') W_O
        return y, GLADiag(la)
