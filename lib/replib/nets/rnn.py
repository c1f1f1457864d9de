"""A GRU sequence core: per-modality input projections, a GRU, Swish on its output.

Weis et al. 2026 ("Multi-agent cooperation through in-context co-player inference",
Sec. 3 and App. A): each input modality (observation token, previous action, previous reward,
...) is linearly projected to ``d_embed`` and the projections are summed; a GRU with
``d_hidden`` units runs over the sequence; Swish (SiLU) is applied to its output before the
heads. GRU (Cho et al. 2014):
    r = σ(W_r x + U_r h + b_r),  z = σ(W_z x + U_z h + b_z),
    n = tanh(W_n x + b_n + r ⊙ (U_n h + b_hn)),  h' = (1 - z) ⊙ n + z ⊙ h.

Shapes: inputs (T, B, d_i) per modality, time-major (a single step is T = 1); hidden
(1, B, d_hidden); output features (T, B, d_hidden). ``gru_reference`` is the equations above
written out step by step (tests compare it with torch's fused ``nn.GRU``).
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["GRUCore", "gru_reference"]


class GRUCore(nn.Module):
    """Sum of per-modality projections -> GRU -> Swish.

    d_inputs: the width of each modality (e.g. (5, 1) for a one-hot token and a reward);
    forward(*inputs, hidden=None) -> (features (T, B, d_hidden), hidden (1, B, d_hidden)).
    """

    def __init__(self, *, d_inputs: tuple[int, ...], d_embed: int, d_hidden: int):
        super().__init__()
        self.d_inputs, self.d_hidden = tuple(int(d) for d in d_inputs), int(d_hidden)
        self.proj = nn.ModuleList(nn.Linear(d, d_embed) for d in self.d_inputs)
        self.gru = nn.GRU(d_embed, d_hidden)

    def initial_hidden(self, n: int, *, device=None) -> torch.Tensor:
        return torch.zeros(1, n, self.d_hidden, device=device)

    def forward(self, *inputs: torch.Tensor, hidden: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        if len(inputs) != len(self.proj):
            raise ValueError(f"expected {len(self.proj)} input modalities, got {len(inputs)}")
        x = sum(p(i) for p, i in zip(self.proj, inputs))  # (T, B, d_embed)
        if hidden is None:
            hidden = self.initial_hidden(x.shape[1], device=x.device)
        y, h = self.gru(x, hidden)
        return nn.functional.silu(y), h

    def step(self, *inputs: torch.Tensor, hidden: torch.Tensor | None = None
             ) -> tuple[torch.Tensor, torch.Tensor]:
        """One time step, inputs (B, d_i) -> (features (B, d_hidden), hidden (1, B, d_hidden));
        the same weights and outputs as ``forward`` with T = 1, through ``torch.gru_cell``
        (cheaper than the fused sequence kernel for a single step)."""
        x = sum(p(i) for p, i in zip(self.proj, inputs))
        h = (torch.zeros(x.shape[0], self.d_hidden, device=x.device, dtype=x.dtype)
             if hidden is None else hidden[0])
        g = self.gru
        h = torch.gru_cell(x, h, g.weight_ih_l0, g.weight_hh_l0, g.bias_ih_l0, g.bias_hh_l0)
        return nn.functional.silu(h), h[None]


def gru_reference(gru: nn.GRU, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """Single-layer GRU written out (module docstring equations); x (T, B, d), h (B, H).
    Returns the outputs (T, B, H)."""
    w_ih, w_hh, b_ih, b_hh = gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0
    out = []
    for t in range(x.shape[0]):
        gi = x[t] @ w_ih.T + b_ih
        gh = h @ w_hh.T + b_hh
        ir, iz, i_n = gi.chunk(3, -1)
        hr, hz, hn = gh.chunk(3, -1)
        r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
        n = torch.tanh(i_n + r * hn)
        h = (1 - z) * n + z * h
        out.append(h)
    return torch.stack(out)

