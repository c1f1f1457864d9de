"""The Gated Associative Memory (GAM) token mixer.

Acharya (2025), "Gated Associative Memory: A Parallel O(N) Architecture for Efficient
Sequence Modeling", arXiv 2509.00605, Sec. 3 (and the released ``gam_model.py``). On the
pre-normed input h (batch, T, C):

* local path: a depthwise causal Conv1d over time, kernel k, left padding k − 1:
  L_t = Σ_{j<k} w_j ⊙ h_{t−j}   (each channel sees tokens t−k+1..t);
* global path: a learned memory bank M ∈ R^{S×C} (Xavier init), shared by all sequences:
  G_t = softmax(h_t Mᵀ) M   — retrieval depends on the current token only, there is no
  token-to-token interaction in this path;
* fusion gate: [g_L, g_G] = h W_g + b_g (C → 2C);  y = σ(g_L) ⊙ L + σ(g_G) ⊙ G.

``fusion`` gives the paper's Table 3 ablations: ``"gate"`` (full), ``"sum"`` (L + G),
``"local"`` (L only), ``"global"`` (G only). Token mixing comes only from the convolution,
so a stack of N blocks sees ``receptive_field(n_layers=N, kernel=k)`` = N(k−1)+1 tokens.

``forward(h) -> (y, GAMDiag)``; the diag holds the mean gate values (on the graph) and the
slot-weight entropy (detached).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["GAM", "GAMDiag", "FUSIONS", "receptive_field"]

FUSIONS = ("gate", "sum", "local", "global")


def receptive_field(*, n_layers: int, kernel: int) -> int:
    """Tokens a stack of GAM blocks can see: n_layers·(kernel − 1) + 1."""
    return n_layers * (kernel - 1) + 1


@dataclass(frozen=True)
class GAMDiag:
    """Mean fusion-gate values σ(g_L), σ(g_G) (None unless fusion="gate") and slot entropy."""

    gate_local: torch.Tensor | None
    gate_global: torch.Tensor | None
    slot_entropy: torch.Tensor | None


class GAM(nn.Module):
    """GAM mixer: causal depthwise conv + memory-bank retrieval + sigmoid fusion gates."""

    def __init__(self, *, d_model: int, mem_slots: int = 512, conv_kernel: int = 3,
                 fusion: str = "gate"):
        super().__init__()
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, got {fusion!r}")
        if conv_kernel < 1 or mem_slots < 1:
            raise ValueError(f"conv_kernel and mem_slots must be >= 1, got {conv_kernel}, "
                             f"{mem_slots}")
        self.d_model, self.kernel, self.fusion = d_model, conv_kernel, fusion
        # an ablation holds only the parameters it uses (paper Table 3: local-only has no
        # memory bank, sum and the single paths no gate), so parameter counts are its own
        self.conv = (nn.Conv1d(d_model, d_model, conv_kernel, groups=d_model)  # depthwise
                     if fusion in ("gate", "sum", "local") else None)
        self.memory = None
        if fusion in ("gate", "sum", "global"):
            self.memory = nn.Parameter(torch.empty(mem_slots, d_model))
            nn.init.xavier_uniform_(self.memory)
        self.gate = nn.Linear(d_model, 2 * d_model) if fusion == "gate" else None

    def forward(self, h: torch.Tensor):
        if h.dim() != 3 or h.shape[-1] != self.d_model:
            raise ValueError(f"input must be (batch, T, d_model={self.d_model}), got "
                             f"{tuple(h.shape)}")
        L = G = ent = None
        if self.conv is not None:   # causal: pad k-1 on the left, conv over time
            L = self.conv(F.pad(h.transpose(1, 2), (self.kernel - 1, 0))).transpose(1, 2)
        if self.memory is not None:
            w = torch.softmax(h @ self.memory.T, dim=-1)             # (B, T, S) slot weights
            G = w @ self.memory                                      # (B, T, C)
            ent = -(w * w.clamp_min(1e-12).log()).sum(-1).mean().detach()
        if self.fusion == "gate":
            gl, gg = torch.sigmoid(self.gate(h)).chunk(2, dim=-1)
            return gl * L + gg * G, GAMDiag(gl.mean(), gg.mean(), ent)
        if self.fusion == "sum":
            return L + G, GAMDiag(None, None, ent)
        return (L if self.fusion == "local" else G), GAMDiag(None, None, ent)
