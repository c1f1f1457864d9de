"""Gated linear attention in recurrent, parallel (log-space) and chunkwise forms.

Yang, Wang, Shen, Panda & Kim (2024), "Gated Linear Attention Transformers with
Hardware-Efficient Training", ICML, Sec. 4.1-4.3. Per head, with S_0 = 0 (or a given state):

    S_t = Diag(α_t) S_{t-1} + k_tᵀ v_t        (Eq. 4, S_t ∈ R^{d_k × d_v})
    o_t = scale · q_t S_t

Special cases through ``log_alpha`` (= log α_t, broadcastable to (B, H, T, d_k)):
``None`` = plain linear attention (α = 1); (1, H, 1, 1) constants = RetNet's fixed decay
(``retnet_log_decay``: γ_h = 1 − 2^{−5−h}); (B, H, T, 1) = a data-dependent scalar gate;
(B, H, T, d_k) = GLA's diagonal gate.

* ``recurrent``: the loop above, O(T) sequential steps.
* ``parallel``: b_t = ∏_{j≤t} α_j;  o_t = Σ_{i≤t} (q_t ⊙ k_i ⊙ exp(log b_t − log b_i)) · v_i
  (Eq. 5 in log space), materialising a (T, T, d_k) tensor.
* ``chunk``: chunks of ``chunk`` tokens (Sec. 4.2). With Λ the within-chunk cumulative
  log-gates: O_inter = (Q ⊙ exp Λ) S_[n−1];  S_[n] = exp(Λ_C) ⊙ S_[n−1] +
  (K ⊙ exp(Λ_C − Λ))ᵀ V;  O_intra: P_ij = Σ_k Q_ik K_jk exp(Λ_ik − Λ_jk), j ≤ i. The
  intra-chunk part is log-space, or with ``subchunk`` secondary chunks (Sec. 4.3): ordinary
  matmuls between sub-chunks (reference point at the start of the query sub-chunk, so all
  exponents are ≤ 0) and inside diagonal sub-chunks a stabilised matmul when the gate range
  is small, else log-space (``subchunk == chunk`` is the single-block matmul form).
  A length that is not a multiple of ``chunk`` is padded with k = v = 0, log α = 0 and cropped.

All cumulative log-gates and products are computed in float32 (float64 stays float64);
the output has the dtype of ``v``. Gradients come from autograd (the gate-gradient identity
of Sec. 4.3 is what autograd computes). ``fla_chunk_gla`` calls flash-linear-attention's
Triton kernel (GPU, ``full`` profile only).
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

__all__ = ["gated_linear_attention", "retnet_log_decay", "fla_chunk_gla", "MODES"]

MODES = ("recurrent", "parallel", "chunk")
_MAX_RANGE = {torch.float32: 30.0, torch.float64: 300.0}  # nats; exp(30) ~ 1e13 is safe


def retnet_log_decay(n_heads: int, *, dtype=torch.float32, device=None) -> torch.Tensor:
    """log γ_h with RetNet's per-head decays γ_h = 1 − 2^{−5−h}, h = 0..n_heads−1; (H,)."""
    h = torch.arange(n_heads, dtype=torch.float64, device=device)
    return torch.log1p(-(2.0 ** (-5.0 - h))).to(dtype)


def _check(q, k, v, log_alpha, initial_state):
    if q.dim() != 4 or k.shape != q.shape or v.dim() != 4 or v.shape[:3] != q.shape[:3]:
        raise ValueError(f"expected q, k (B, H, T, d_k) and v (B, H, T, d_v) with matching "
                         f"d_k; got q {tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}")
    B, H, T, dk = q.shape
    if log_alpha is not None:
        try:
            torch.broadcast_shapes(log_alpha.shape, (B, H, T, dk))
        except RuntimeError:
            raise ValueError(f"log_alpha must broadcast to (B, H, T, d_k)={(B, H, T, dk)}, "
                             f"got {tuple(log_alpha.shape)}") from None
    if initial_state is not None and initial_state.shape != (B, H, dk, v.shape[-1]):
        raise ValueError(f"initial_state must be (B, H, d_k, d_v)={(B, H, dk, v.shape[-1])}, "
                         f"got {tuple(initial_state.shape)}")


def gated_linear_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                           log_alpha: torch.Tensor | None = None, *, mode: str = "chunk",
                           chunk: int = 64, subchunk: int | None = None,
                           scale: float | None = None,
                           initial_state: torch.Tensor | None = None,
                           return_state: bool = False):
    """o (B, H, T, d_v) of gated linear attention; ``(o, S_T)`` when ``return_state``.

    ``scale`` defaults to d_k^{-1/2} (flash-linear-attention's convention).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if mode == "chunk":
        if chunk < 1:
            raise ValueError(f"chunk must be >= 1, got {chunk}")
        if subchunk is not None and (subchunk < 1 or chunk % subchunk):
            raise ValueError(f"subchunk must divide chunk={chunk}, got {subchunk}")
    _check(q, k, v, log_alpha, initial_state)
    B, H, T, dk = q.shape
    ct = torch.float64 if v.dtype == torch.float64 else torch.float32
    scale = dk ** -0.5 if scale is None else scale
    qf, kf, vf = (q.to(ct) * scale), k.to(ct), v.to(ct)
    la = (torch.zeros((), dtype=ct, device=q.device) if log_alpha is None
          else log_alpha.to(ct)).expand(B, H, T, dk)
    s0 = None if initial_state is None else initial_state.to(ct)
    if mode == "recurrent":
        o, s = _recurrent(qf, kf, vf, la, s0)
    elif mode == "parallel":
        o, s = _parallel(qf, kf, vf, la, s0)
    else:
        o, s = _chunkwise(qf, kf, vf, la, s0, chunk, subchunk)
    o = o.to(v.dtype)
    return (o, s) if return_state else o


def _recurrent(q, k, v, la, s0):
    B, H, T, dk = q.shape
    S = q.new_zeros(B, H, dk, v.shape[-1]) if s0 is None else s0
    outs = []
    for q_t, k_t, v_t, a_t in zip(q.unbind(2), k.unbind(2), v.unbind(2), la.exp().unbind(2)):
        S = a_t[..., None] * S + k_t[..., None] * v_t[..., None, :]  # Eq. 4
        outs.append((q_t[..., None, :] @ S).squeeze(-2))
    return torch.stack(outs, dim=2), S


def _parallel(q, k, v, la, s0):
    T = q.shape[2]
    cum = la.cumsum(dim=2)                                         # log b_t
    diff = cum[:, :, :, None, :] - cum[:, :, None, :, :]           # (B,H,T,T,dk) log b_t/b_i
    causal = torch.ones(T, T, dtype=torch.bool, device=q.device).tril()
    w = diff.masked_fill(~causal[:, :, None], -math.inf).exp()     # b_t / b_i, i <= t
    P = (q[:, :, :, None, :] * k[:, :, None, :, :] * w).sum(-1)
    o = P @ v
    last = cum[:, :, -1:, :]                                       # log b_T
    S = ((k * (last - cum).exp()).transpose(2, 3) @ v)
    if s0 is not None:
        o = o + (q * cum.exp()) @ s0
        S = S + last.transpose(2, 3).exp() * s0
    return o, S


def _intra_logspace(q, k, lam):
    """Causal P_ij = Σ_k q_ik k_jk exp(Λ_ik − Λ_jk) within blocks; q, k, lam (..., c, dk)."""
    c = q.shape[-2]
    diff = lam[..., :, None, :] - lam[..., None, :, :]
    upper = torch.ones(c, c, dtype=torch.bool, device=q.device).triu(1)
    w = diff.masked_fill(upper[:, :, None], -math.inf).exp()       # exp(Λ_i − Λ_j), j <= i
    return (q[..., :, None, :] * k[..., None, :, :] * w).sum(-1)


def _intra_subchunk(q, k, lam, c):
    """Secondary chunking (Sec. 4.3): matmuls between sub-chunks, stabilised on the diagonal.

    Off-diagonal blocks use the reference r_a = Λ just before query sub-chunk a, so every
    exponent is <= 0. Diagonal blocks use (Q ⊙ exp(Λ − r_a))(K ⊙ exp(r_a − Λ))ᵀ when the
    largest within-sub-chunk gate range stays below ``_MAX_RANGE`` nats (no overflow, no
    cancellation: all factors are positive), else the log-space form.
    """
    *lead, C, dk = q.shape
    ns = C // c
    qs, ks, ls = (t.reshape(*lead, ns, c, dk) for t in (q, k, lam))
    r = torch.cat([torch.zeros_like(ls[..., :1, :1, :]), ls[..., :-1, -1:, :]], dim=-3)
    qa = qs * (ls - r).exp()                                       # (..., ns, c, dk)
    if float((r - ls).detach().max()) <= _MAX_RANGE[q.dtype]:
        causal = torch.ones(c, c, dtype=torch.bool, device=q.device).tril()
        diag = (qa @ (ks * (r - ls).exp()).transpose(-1, -2)) * causal
    else:
        diag = _intra_logspace(qs, ks, ls)                         # (..., ns, c, c)
    if ns == 1:
        return diag.reshape(*lead, C, C)
    e = (r.unsqueeze(-3) - ls.unsqueeze(-4)).clamp(max=0.0)        # (..., a, b, c, dk)
    kab = ks.unsqueeze(-4) * e.exp()
    off = torch.einsum("...aik,...abjk->...abij", qa, kab)         # (..., a, b, c, c)
    lower = torch.ones(ns, ns, dtype=torch.bool, device=q.device).tril(-1)
    off = off * lower[:, :, None, None]
    eye = torch.eye(ns, dtype=torch.bool, device=q.device)[:, :, None, None]
    blocks = torch.where(eye, diag.unsqueeze(-3).expand_as(off), off)
    return blocks.transpose(-3, -2).reshape(*lead, C, C)


def _chunkwise(q, k, v, la, s0, C, c):
    B, H, T, dk = q.shape
    dv = v.shape[-1]
    pad = (-T) % C
    if pad:
        q, k, la = (F.pad(t, (0, 0, 0, pad)) for t in (q, k, la))
        v = F.pad(v, (0, 0, 0, pad))
    N = (T + pad) // C
    qc, kc, lc = (t.reshape(B, H, N, C, dk) for t in (q, k, la))
    vc = v.reshape(B, H, N, C, dv)
    lam = lc.cumsum(dim=3)                                         # Λ within each chunk
    lamC = lam[:, :, :, -1:, :]                                    # Λ_C  (B,H,N,1,dk)
    # chunk-local state contributions U_n = (K ⊙ exp(Λ_C − Λ))ᵀ V, all chunks at once
    U = (kc * (lamC - lam).exp()).transpose(3, 4) @ vc             # (B,H,N,dk,dv)
    decay = lamC.squeeze(3).exp()[..., None]                       # (B,H,N,dk,1)
    S = q.new_zeros(B, H, dk, dv) if s0 is None else s0
    prev = []
    for d_n, u_n in zip(decay.unbind(2), U.unbind(2)):             # S_[n] recursion
        prev.append(S)
        S = d_n * S + u_n
    Sprev = torch.stack(prev, dim=2)                               # S_[n−1]  (B,H,N,dk,dv)
    o = (qc * lam.exp()) @ Sprev                                   # O_inter
    P = _intra_logspace(qc, kc, lam) if c is None else _intra_subchunk(qc, kc, lam, c)
    o = o + P @ vc                                                 # O_intra
    return o.reshape(B, H, N * C, dv)[:, :, :T], S


def fla_chunk_gla(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, log_alpha: torch.Tensor,
                  *, scale: float | None = None) -> torch.Tensor:
    """flash-linear-attention's chunked GLA kernel on (B, H, T, d) tensors (GPU only).

    Needs ``pip install flash-linear-attention`` and CUDA; used by ``full`` profiles as the
    speed path and as a cross-check of :func:`gated_linear_attention`.
    """
    try:
        from fla.ops.gla import chunk_gla
    except ImportError as e:
        raise ImportError("fla_chunk_gla needs flash-linear-attention "
                          "(pip install flash-linear-attention) and a CUDA GPU; it is used "
                          "only in the full profile") from e
    if not q.is_cuda:
        raise RuntimeError("fla_chunk_gla needs CUDA tensors (device='cuda'); on CPU use "
                           "gated_linear_attention(mode='chunk')")
    g = log_alpha.expand_as(q).float()
    tr = lambda t: t.transpose(1, 2).contiguous()                  # fla layout (B, T, H, d)
    o, _ = chunk_gla(tr(q), tr(k), tr(v), tr(g), scale=scale)
    return o.transpose(1, 2)
