"""Selective state-space model: the Mamba block in pure PyTorch (Gu & Dao 2023, arXiv:2312.00752).

The selective scan (Sec. 3.2, Algorithm 2), per channel d and state n, with input-dependent
step Δ_t = softplus(W_Δ x_t + b_Δ), B_t = W_B x_t, C_t = W_C x_t and A = −exp(A_log):

    h_t = exp(Δ_t A) ⊙ h_{t−1} + Δ_t B_t x_t          (zero-order hold on A, Euler on B)
    y_t = C_t · h_t + D x_t

``selective_scan`` computes it three ways that agree to float tolerance:

* ``"sequential"``: the loop above (the reference);
* ``"chunked"``: the recurrence is a composition of affine maps h ↦ a_t h + b_t
  (a_t = exp(Δ_t A), b_t = Δ_t B_t x_t), which is associative, so within a chunk of L steps
  a Hillis–Steele prefix scan computes every h_t in log2(L) tensor passes; the state is
  carried from chunk to chunk (memory O(T·d·n·log L) for backward). Decays are products of
  numbers in (0, 1], so no exponent can overflow (unlike the factorised exp(S_t − S_s) form);
* ``"mamba_ssm"``: the fused CUDA kernel ``selective_scan_fn`` of the ``mamba_ssm`` package
  (CUDA tensors only; not installed by this book, used when a reader has it).

The block (Sec. 3.4, Fig. 3): in_proj to (x, z) of width d_inner = expand · d_model, a causal
depthwise conv (kernel d_conv) and SiLU on x, the selective scan, y ⊙ SiLU(z), out_proj.
Initialisation as in the paper's reference code: A_log = log(1..d_state) per channel (S4D-real),
D = 1, and the Δ bias set so that softplus(bias) is log-uniform in [dt_min, dt_max].
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["SCAN_MODES", "selective_scan", "Mamba", "MambaDiag"]

SCAN_MODES = ("sequential", "chunked", "mamba_ssm")


def _check(u, delta, A, B, C, D):
    if u.dim() != 3 or delta.shape != u.shape:
        raise ValueError(f"u and delta must both be (batch, T, d_inner), got {tuple(u.shape)} "
                         f"and {tuple(delta.shape)}")
    d, n = A.shape
    if u.shape[-1] != d:
        raise ValueError(f"A must be (d_inner={u.shape[-1]}, d_state), got {tuple(A.shape)}")
    for name, M in (("B", B), ("C", C)):
        if M.shape != (*u.shape[:2], n):
            raise ValueError(f"{name} must be (batch, T, d_state={n}), got {tuple(M.shape)}")
    if D is not None and D.shape != (d,):
        raise ValueError(f"D must be (d_inner={d},), got {tuple(D.shape)}")


def _sequential(u, delta, A, B, C, h0):
    Bsz, T, d = u.shape
    h = u.new_zeros(Bsz, d, A.shape[1]) if h0 is None else h0
    ys = []
    for t in range(T):
        dA = torch.exp(delta[:, t, :, None] * A)                         # (B, d, n)
        h = dA * h + (delta[:, t] * u[:, t])[..., None] * B[:, t, None, :]
        ys.append((h * C[:, t, None, :]).sum(-1))
    return torch.stack(ys, 1), h


def _chunked(u, delta, A, B, C, h0, chunk):
    Bsz, T, d = u.shape
    h = u.new_zeros(Bsz, d, A.shape[1]) if h0 is None else h0
    ys = []
    for s in range(0, T, chunk):
        e = min(s + chunk, T)
        a = torch.exp(delta[:, s:e, :, None] * A)                          # (B, L, d, n)
        b = (delta[:, s:e] * u[:, s:e])[..., None] * B[:, s:e, None, :]    # (B, L, d, n)
        # Hillis-Steele inclusive scan of the affine maps h -> a h + b: after the pass with
        # offset k, (a_t, b_t) composes the maps of steps t-2k+1..t
        k = 1
        while k < e - s:
            b = torch.cat([b[:, :k], a[:, k:] * b[:, :-k] + b[:, k:]], 1)
            a = torch.cat([a[:, :k], a[:, k:] * a[:, :-k]], 1)
            k *= 2
        states = a * h[:, None] + b                                         # (B, L, d, n)
        ys.append((states * C[:, s:e, None, :]).sum(-1))
        h = states[:, -1]
    return torch.cat(ys, 1), h


def selective_scan(u: torch.Tensor, delta: torch.Tensor, A: torch.Tensor, B: torch.Tensor,
                   C: torch.Tensor, D: torch.Tensor | None = None, *, mode: str = "chunked",
                   chunk: int = 64, h0: torch.Tensor | None = None,
                   return_state: bool = False):
    """Mamba's selective scan (module docstring). Shapes: u, delta (batch, T, d_inner) with
    delta > 0 already (after softplus); A (d_inner, d_state), negative; B, C (batch, T,
    d_state); D (d_inner,) or None; h0 (batch, d_inner, d_state) or None.

    Returns y (batch, T, d_inner), and the final state when ``return_state``."""
    if mode not in SCAN_MODES:
        raise ValueError(f"mode must be one of {SCAN_MODES}, got {mode!r}")
    if mode == "chunked" and (not isinstance(chunk, int) or chunk < 1):
        raise ValueError(f"chunk must be a positive integer, got {chunk!r}")
    _check(u, delta, A, B, C, D)
    if mode == "mamba_ssm":
        if not u.is_cuda:
            raise ValueError("mode 'mamba_ssm' runs the package's CUDA kernel: it needs CUDA "
                             "tensors (use 'chunked' on a CPU)")
        if h0 is not None:
            raise ValueError("mode 'mamba_ssm' does not take an initial state h0")
        from mamba_ssm.ops.selective_scan_interface import selective_scan_fn

        out = selective_scan_fn(u.transpose(1, 2).contiguous(),
                                delta.transpose(1, 2).contiguous(), A.contiguous(),
                                B.transpose(1, 2).contiguous(), C.transpose(1, 2).contiguous(),
                                D=None if D is None else D.float(),
                                return_last_state=return_state)
        y, h = (out if return_state else (out, None))
        y = y.transpose(1, 2)
        return (y, h) if return_state else y
    y, h = (_sequential(u, delta, A, B, C, h0) if mode == "sequential"
            else _chunked(u, delta, A, B, C, h0, chunk))
    if D is not None:
        y = y + u * D
    return (y, h) if return_state else y


def _has_mamba_ssm() -> bool:
    import importlib.util

    return importlib.util.find_spec("mamba_ssm") is not None


class MambaDiag(NamedTuple):
    """What a Mamba block reports: the mean step size Δ and the mean per-step decay
    exp(Δ A) (how much of its state a channel keeps per token)."""

    mean_delta: torch.Tensor
    mean_decay: torch.Tensor


class Mamba(nn.Module):
    """Mamba token mixer (Sec. 3.4): ``forward(h) -> (y, MambaDiag)``, causal.

    ``backend`` picks the scan: ``"torch"`` (the chunked form, any device), ``"mamba_ssm"``
    (the package's CUDA kernel) or ``"auto"``: for CUDA inputs the kernel when ``mamba_ssm``
    is installed, else the chunked scan (few, large kernel launches); on a CPU the sequential
    loop, which does the least work (no log-factor) and is the fastest there."""

    def __init__(self, *, d_model: int, d_state: int = 16, d_conv: int = 4, expand: int = 2,
                 dt_rank: int | None = None, dt_min: float = 1e-3, dt_max: float = 1e-1,
                 chunk: int = 64, backend: str = "torch"):
        super().__init__()
        if backend not in ("torch", "mamba_ssm", "auto"):
            raise ValueError(f"backend must be 'torch', 'mamba_ssm' or 'auto', got {backend!r}")
        if min(d_model, d_state, d_conv, expand) < 1:
            raise ValueError("d_model, d_state, d_conv and expand must be >= 1")
        d_inner = expand * d_model
        self.d_model, self.d_inner, self.d_state = d_model, d_inner, d_state
        self.dt_rank = dt_rank or math.ceil(d_model / 16)
        self.d_conv, self.chunk, self.backend = d_conv, chunk, backend
        self.in_proj = nn.Linear(d_model, 2 * d_inner, bias=False)
        self.conv = nn.Conv1d(d_inner, d_inner, d_conv, groups=d_inner)  # depthwise
        self.x_proj = nn.Linear(d_inner, self.dt_rank + 2 * d_state, bias=False)
        self.dt_proj = nn.Linear(self.dt_rank, d_inner)
        self.out_proj = nn.Linear(d_inner, d_model, bias=False)
        with torch.no_grad():
            dt = torch.exp(torch.rand(d_inner) * (math.log(dt_max) - math.log(dt_min))
                           + math.log(dt_min)).clamp_min(1e-4)
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))  # softplus^-1(dt)
        self.A_log = nn.Parameter(torch.log(torch.arange(1, d_state + 1, dtype=torch.float32)
                                            ).repeat(d_inner, 1))
        self.D = nn.Parameter(torch.ones(d_inner))

    def _scan_mode(self, h: torch.Tensor) -> str:
        if self.backend == "auto":
            if not h.is_cuda:
                return "sequential"
            return "mamba_ssm" if _has_mamba_ssm() else "chunked"
        return "chunked" if self.backend == "torch" else "mamba_ssm"

    def forward(self, h: torch.Tensor):
        if h.dim() != 3 or h.shape[-1] != self.d_model:
            raise ValueError(f"input must be (batch, T, d_model={self.d_model}), got "
                             f"{tuple(h.shape)}")
        x, z = self.in_proj(h).chunk(2, dim=-1)
        x = self.conv(F.pad(x.transpose(1, 2), (self.d_conv - 1, 0))).transpose(1, 2)
        x = F.silu(x)
        dt, Bm, Cm = self.x_proj(x).split([self.dt_rank, self.d_state, self.d_state], dim=-1)
        delta = F.softplus(self.dt_proj(dt))
        A = -torch.exp(self.A_log.float())
        y = selective_scan(x, delta, A, Bm, Cm, self.D, mode=self._scan_mode(h),
                           chunk=self.chunk)
        y = y * F.silu(z)
        with torch.no_grad():
            diag = MambaDiag(delta.mean(), torch.exp(delta.mean((0, 1))[:, None] * A).mean())
        return self.out_proj(y), diag
