"""Multiplicative output gates y ⊙ g(x W) and their relatives.

Gated attention (Qiu et al. 2025, Eq. 5): ``Y' = Y ⊙ g(X W_θ)``, with the gate computed from
the current token's hidden state ``X``. The same primitive is the GLU family's output gate
(GLU: σ, GEGLU/SwiGLU: GELU/SiLU, bilinear: identity). Variants from the paper's Tables 1, 3, 4:

* ``act``: ``"sigmoid"`` (default in the paper), ``"silu"``, ``"ns_sigmoid"`` (non-sparse
  sigmoid 0.5 + 0.5 σ(z)), ``"tanh"``, ``"identity"`` (bilinear);
* ``mode``: ``"multiplicative"`` (y ⊙ g) or ``"additive"`` (y + g);
* ``input_independent``: g = act(θ) with a zero-initialised θ, not a function of x.

Nothing here prints or keeps state beyond the parameters.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["GATE_ACTIVATIONS", "GATE_MODES", "gate_activation", "OutputGate", "glu"]


def _ns_sigmoid(z: torch.Tensor) -> torch.Tensor:
    return 0.5 + 0.5 * torch.sigmoid(z)


_ACTS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sigmoid": torch.sigmoid,
    "silu": F.silu,
    "ns_sigmoid": _ns_sigmoid,
    "tanh": torch.tanh,
    "identity": lambda z: z,
    "gelu": F.gelu,
}
GATE_ACTIVATIONS: tuple[str, ...] = tuple(_ACTS)
GATE_MODES: tuple[str, ...] = ("multiplicative", "additive")


def gate_activation(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """The activation ``g`` called ``name``; a one-line error names the allowed values."""
    if name not in _ACTS:
        raise ValueError(f"gate activation act={name!r} is not allowed: expected one of "
                         f"{list(GATE_ACTIVATIONS)}")
    return _ACTS[name]


class OutputGate(nn.Module):
    """``y ⊙ act(x W [+ b])`` (or ``y + act(...)`` when ``mode="additive"``).

    Args:
        d_in: width of the gating input ``x``.
        d_out: number of gate values per token (``y``'s last dim, or fewer for a
            broadcast gate: the caller reshapes).
        act: one of :data:`GATE_ACTIVATIONS`.
        mode: ``"multiplicative"`` or ``"additive"``.
        input_independent: gate = act(θ), θ ∈ R^{d_out} zero-initialised.
        bias: add a bias to ``x W`` (the paper's gates have none).
    """

    def __init__(self, d_in: int, d_out: int, *, act: str = "sigmoid",
                 mode: str = "multiplicative", input_independent: bool = False,
                 bias: bool = False):
        super().__init__()
        self.fn = gate_activation(act)
        if mode not in GATE_MODES:
            raise ValueError(f"gate mode={mode!r} is not allowed: expected one of "
                             f"{list(GATE_MODES)}")
        self.act, self.mode, self.input_independent = act, mode, bool(input_independent)
        self.d_in, self.d_out = int(d_in), int(d_out)
        if self.input_independent:
            self.theta = nn.Parameter(torch.zeros(self.d_out))
            self.proj = None
        else:
            self.theta = None
            self.proj = nn.Linear(self.d_in, self.d_out, bias=bias)

    def scores(self, x: torch.Tensor) -> torch.Tensor:
        """Gate values ``act(x W)`` with shape ``x.shape[:-1] + (d_out,)``."""
        if self.input_independent:
            return self.fn(self.theta).expand(*x.shape[:-1], self.d_out)
        return self.fn(self.proj(x))

    def apply(self, y: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        """Combine a value ``y`` with gate values ``g`` (broadcast) by the gate's mode."""
        return y * g if self.mode == "multiplicative" else y + g

    def forward(self, y: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(gated y, gate values)``; ``y`` must have ``d_out`` as its last dim."""
        g = self.scores(x)
        return self.apply(y, g), g

    def extra_repr(self) -> str:
        return (f"d_in={self.d_in}, d_out={self.d_out}, act={self.act!r}, mode={self.mode!r}, "
                f"input_independent={self.input_independent}")


def glu(x: torch.Tensor, w_value: torch.Tensor, w_gate: torch.Tensor, *,
        act: str = "sigmoid") -> torch.Tensor:
    """GLU-family output gate ``(x W_v) ⊙ act(x W_g)`` (GLU: sigmoid, SwiGLU: silu).

    ``w_value`` and ``w_gate`` are ``(d_in, d_out)`` matrices.
    """
    if w_value.shape != w_gate.shape:
        raise ValueError(f"w_gate shape {tuple(w_gate.shape)} must equal w_value shape "
                         f"{tuple(w_value.shape)}")
    return (x @ w_value) * gate_activation(act)(x @ w_gate)
