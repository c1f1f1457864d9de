"""The book's one multi-head attention, with the gate positions of gated attention.

Standard MHA (Vaswani et al. 2017): Q = XW_Q, K = XW_K, V = XW_V,
Y_h = softmax(Q_h K_hᵀ / √d_head + causal mask) V_h, O = concat_h(Y_h) W_O.

Gated attention (Qiu et al. 2025, "Gated Attention for Large Language Models", Eq. 5):
Y' = Y ⊙ g(X W_θ), the gate computed from the current token's (pre-norm) hidden state X,
at one of five positions (paper Sec. 2.2, Table 1):

* ``G1``: each head's SDPA output, before concatenation (the paper's best);
* ``G2``: the values V;  ``G3``: the keys K;  ``G4``: the queries Q;
* ``G5``: the dense output after W_O (adds no non-linearity between W_V and W_O).

``granularity``: ``"elementwise"`` (W_θ: d_model → n_heads·d_head), ``"headwise"``
(d_model → n_heads, one scalar per head) or ``"shared"`` (head-shared, d_model → d_head).
Activation, additive mode and the input-independent gate come from :mod:`replib.gates.act`.
``g1_nonlin`` adds the paper's non-linearity-only controls at G1 (Table 3): a per-head
RMSNorm or a parameter-free SiLU.

Backends (design.md §4.5): ``"sdpa"`` calls ``torch.nn.functional.scaled_dot_product_attention``;
``"explicit"`` forms the attention matrix and is used when maps are wanted. Both give the
same output (tested). A per-head scale handle ``head_scale`` (buffer, default 1) and an
optional ``head_patch`` callable on the per-head outputs serve ablation, amplification and
attribution (thinking-sparks). The layer returns ``(y, AttnDiag)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import torch
from torch import nn
from torch.nn import functional as F

from replib.gates.act import GATE_ACTIVATIONS, GATE_MODES, OutputGate

__all__ = ["GATE_POSITIONS", "GRANULARITIES", "BACKENDS", "G1_NONLINS", "AttnDiag",
           "MultiHeadAttention", "gate_param_count"]

GATE_POSITIONS: tuple[str, ...] = ("none", "G1", "G2", "G3", "G4", "G5")
GRANULARITIES: tuple[str, ...] = ("elementwise", "headwise", "shared")
BACKENDS: tuple[str, ...] = ("sdpa", "explicit")
G1_NONLINS: tuple[str, ...] = ("none", "rmsnorm", "silu")


@dataclass(frozen=True)
class AttnDiag:
    """What one attention layer reports about a forward pass.

    Fields are ``None`` when not computed. ``gate`` stays on the autograd graph.

    * ``gate``: gate values, broadcastable to the gated tensor (``None`` without a gate);
    * ``gate_score``: mean gate value (scalar tensor), the paper's "gate score" (Table 4);
    * ``first_token_attn``: attention weight on key position 0, ``(batch, n_heads, seq_len)``
      per query (detached), the paper's F-Attn before averaging;
    * ``maps``: attention probabilities ``(batch, n_heads, seq_len, seq_len)`` when asked;
    * ``heads``: per-head outputs before W_O, ``(batch, seq_len, n_heads, d_head)`` when asked.
    """

    gate: torch.Tensor | None = None
    gate_score: torch.Tensor | None = None
    first_token_attn: torch.Tensor | None = None
    maps: torch.Tensor | None = None
    heads: torch.Tensor | None = None

    def detach(self) -> AttnDiag:
        return AttnDiag(**{f.name: (None if getattr(self, f.name) is None
                                    else getattr(self, f.name).detach()) for f in fields(self)})

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if v is not None:
                out[f.name] = v.detach().cpu().numpy()
        return out


def _check(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"parameter {name}={value!r} is not allowed: expected one of "
                         f"{list(allowed)}")


def gate_param_count(*, d_model: int, n_heads: int, gate_pos: str, granularity: str,
                     input_independent: bool = False) -> int:
    """Parameters a gate adds (no bias), for parameter matching and the paper's Table 1."""
    _check("gate_pos", gate_pos, GATE_POSITIONS)
    if gate_pos == "none":
        return 0
    d_head = d_model // n_heads
    width = d_model if gate_pos == "G5" else {"elementwise": n_heads * d_head,
                                              "headwise": n_heads, "shared": d_head}[granularity]
    return width if input_independent else d_model * width


class MultiHeadAttention(nn.Module):
    """Causal (or not) multi-head attention with an optional gate; returns ``(y, AttnDiag)``.

    Args:
        d_model, n_heads: widths; ``d_model`` must be divisible by ``n_heads``.
        gate_pos: one of :data:`GATE_POSITIONS`.
        granularity: one of :data:`GRANULARITIES` (``G5`` allows ``"elementwise"`` only).
        gate_act, gate_mode, input_independent: see :class:`replib.gates.act.OutputGate`.
        g1_nonlin: ``"none"``, ``"rmsnorm"`` or ``"silu"`` applied to each head's output.
        backend: ``"sdpa"`` or ``"explicit"``.
        causal: apply the causal mask.
        qk_transform: optional ``f(q, k) -> (q, k)`` on ``(batch, n_heads, seq_len, d_head)``
            tensors, e.g. RoPE from :mod:`replib.attention.positional`.
        bias: biases on the Q/K/V/O projections.
        track_first_token: compute ``first_token_attn`` on every call (one extra SDPA on the
            sdpa backend, free on the explicit one).
    """

    def __init__(self, d_model: int, n_heads: int, *, gate_pos: str = "none",
                 granularity: str = "elementwise", gate_act: str = "sigmoid",
                 gate_mode: str = "multiplicative", input_independent: bool = False,
                 g1_nonlin: str = "none", backend: str = "sdpa", causal: bool = True,
                 qk_transform: Callable | None = None, bias: bool = False,
                 track_first_token: bool = True):
        super().__init__()
        if n_heads < 1 or d_model % n_heads:
            raise ValueError(f"parameter n_heads={n_heads} is not allowed: expected a "
                             f"positive divisor of d_model={d_model}")
        _check("gate_pos", gate_pos, GATE_POSITIONS)
        _check("granularity", granularity, GRANULARITIES)
        _check("gate_act", gate_act, GATE_ACTIVATIONS)
        _check("gate_mode", gate_mode, GATE_MODES)
        _check("g1_nonlin", g1_nonlin, G1_NONLINS)
        _check("backend", backend, BACKENDS)
        if gate_pos == "G5" and granularity != "elementwise":
            raise ValueError(f"parameter granularity={granularity!r} is not allowed with "
                             "gate_pos='G5': expected 'elementwise' (W_O mixes the heads)")
        self.d_model, self.n_heads, self.d_head = d_model, n_heads, d_model // n_heads
        self.gate_pos, self.granularity, self.backend = gate_pos, granularity, backend
        self.causal, self.qk_transform = causal, qk_transform
        self.track_first_token = track_first_token
        self.return_maps = False
        self.return_heads = False
        self.head_patch: Callable[[torch.Tensor], torch.Tensor] | None = None
        self.q = nn.Linear(d_model, d_model, bias=bias)
        self.k = nn.Linear(d_model, d_model, bias=bias)
        self.v = nn.Linear(d_model, d_model, bias=bias)
        self.o = nn.Linear(d_model, d_model, bias=bias)
        self.register_buffer("head_scale", torch.ones(n_heads), persistent=False)
        self.g1_nonlin = g1_nonlin
        self.g1_norm = nn.RMSNorm(self.d_head) if g1_nonlin == "rmsnorm" else None
        self.gate = None
        if gate_pos != "none":
            width = gate_param_count(d_model=d_model, n_heads=n_heads, gate_pos=gate_pos,
                                     granularity=granularity, input_independent=True)
            self.gate = OutputGate(d_model, width, act=gate_act, mode=gate_mode,
                                   input_independent=input_independent)

    # -- gate helpers -------------------------------------------------------------------
    def _gate_values(self, x: torch.Tensor) -> torch.Tensor:
        """Gate values shaped to broadcast onto (batch, n_heads, seq_len, d_head) or (B,T,D)."""
        g = self.gate.scores(x)  # (B, T, width)
        if self.gate_pos == "G5":
            return g
        B, T = x.shape[:2]
        shape = {"elementwise": (B, T, self.n_heads, self.d_head),
                 "headwise": (B, T, self.n_heads, 1),
                 "shared": (B, T, 1, self.d_head)}[self.granularity]
        return g.reshape(shape).transpose(1, 2)  # (B, H|1, T, d_head|1)

    def _split(self, t: torch.Tensor) -> torch.Tensor:
        B, T, _ = t.shape
        return t.view(B, T, self.n_heads, self.d_head).transpose(1, 2)

    # -- attention core -----------------------------------------------------------------
    def _attend(self, q, k, v, want_maps: bool):
        T, S = q.shape[-2], k.shape[-2]
        if self.backend == "sdpa" and not want_maps:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal)
            first = None
            if self.track_first_token:
                with torch.no_grad():
                    e0 = torch.zeros(*k.shape[:-1], 1, dtype=v.dtype, device=v.device)
                    e0[..., 0, 0] = 1.0
                    first = F.scaled_dot_product_attention(
                        q.detach(), k.detach(), e0, is_causal=self.causal)[..., 0]
            return y, None, first
        scores = (q @ k.transpose(-2, -1)) / self.d_head ** 0.5
        if self.causal:
            mask = torch.ones(T, S, dtype=torch.bool, device=q.device).tril(S - T)
            scores = scores.masked_fill(~mask, float("-inf"))
        probs = scores.softmax(dim=-1)
        return probs @ v, probs, probs[..., 0].detach()

    def forward(self, x: torch.Tensor, *, return_maps: bool | None = None,
                return_heads: bool | None = None) -> tuple[torch.Tensor, AttnDiag]:
        """``x``: ``(batch, seq_len, d_model)`` → ``(y, AttnDiag)`` with ``y`` like ``x``."""
        if x.dim() != 3 or x.shape[-1] != self.d_model:
            raise ValueError(f"input shape {tuple(x.shape)} is not allowed: expected "
                             f"(batch, seq_len, d_model={self.d_model})")
        want_maps = self.return_maps if return_maps is None else return_maps
        want_heads = self.return_heads if return_heads is None else return_heads
        q, k, v = self._split(self.q(x)), self._split(self.k(x)), self._split(self.v(x))
        g = None if self.gate is None else self._gate_values(x)
        pos = self.gate_pos
        if pos == "G2":
            v = self.gate.apply(v, g)
        elif pos == "G3":
            k = self.gate.apply(k, g)
        elif pos == "G4":
            q = self.gate.apply(q, g)
        if self.qk_transform is not None:
            q, k = self.qk_transform(q, k)
        y, maps, first = self._attend(q, k, v, want_maps)
        if self.g1_nonlin == "rmsnorm":
            y = self.g1_norm(y)
        elif self.g1_nonlin == "silu":
            y = F.silu(y)
        if pos == "G1":
            y = self.gate.apply(y, g)
        y = y * self.head_scale.view(1, -1, 1, 1).to(y.dtype)
        heads = y.transpose(1, 2)  # (B, T, H, d_head)
        if self.head_patch is not None:
            heads = self.head_patch(heads)
        out = self.o(heads.reshape(x.shape[0], x.shape[1], self.d_model))
        if pos == "G5":
            out = self.gate.apply(out, g)
        diag = AttnDiag(gate=g, gate_score=None if g is None else g.mean(),
                        first_token_attn=first, maps=maps if want_maps else None,
                        heads=heads if want_heads else None)
        return out, diag

    def extra_repr(self) -> str:
        return (f"d_model={self.d_model}, n_heads={self.n_heads}, gate_pos={self.gate_pos!r}, "
                f"granularity={self.granularity!r}, backend={self.backend!r}, "
                f"causal={self.causal}")
