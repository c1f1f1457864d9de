"""Attention diagnostics of the gated-attention paper (Qiu et al. 2025, Table 4, Figs. 2-3).

* F-Attn (first-token attention, the "attention sink"): the attention weight a query puts
  on key position 0, averaged over heads and queries, per layer (paper Fig. 2) and over
  layers (Table 4). Query 0 can only attend to itself under a causal mask, so it is left out
  by default (``skip_first_query``).
* M-Act (massive activation): the largest |hidden state| at each layer's output (the
  residual stream), averaged over layers in Table 4.
* Gate scores: mean and histogram of the gate values (Table 4, Fig. 3).
* Loss spikes: steps whose loss exceeds ``factor`` x the running median of the previous
  ``window`` losses (the same rule as ``book.train.fit``), for curves recorded elsewhere.

All functions take the per-layer ``AttnDiag`` list a model returns, or tensors, and return
numpy arrays or floats; nothing is printed or kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from replib.attention.mha import AttnDiag

__all__ = ["first_token_attention", "head_first_token_attention", "max_activation",
           "gate_scores", "gate_histogram", "count_loss_spikes", "sparsity"]


def _ft(d: AttnDiag, skip_first_query: bool, query_mask: torch.Tensor | None) -> torch.Tensor:
    if d.first_token_attn is None:
        raise ValueError("AttnDiag.first_token_attn is missing: build the attention with "
                         "track_first_token=True or ask for maps")
    a = d.first_token_attn.float()  # (B, H, T)
    keep = torch.ones(a.shape[0], a.shape[-1], dtype=torch.bool, device=a.device)
    if skip_first_query:
        keep[:, 0] = False
    if query_mask is not None:
        keep = keep & query_mask.bool().to(a.device)
    if not bool(keep.any()):
        raise ValueError("query_mask selects no query positions")
    w = keep[:, None, :].float()
    return (a * w).sum(dim=(0, 2)) / w.sum(dim=(0, 2))  # (H,)


def head_first_token_attention(diags: Sequence[AttnDiag], *, skip_first_query: bool = True,
                               query_mask: torch.Tensor | None = None) -> np.ndarray:
    """F-Attn per layer and head, shape ``(n_layers, n_heads)``.

    ``query_mask`` ``(batch, seq_len)`` restricts the queries averaged over (e.g. positions
    that need no attention in a synthetic task).
    """
    return np.stack([_ft(d, skip_first_query, query_mask).cpu().numpy() for d in diags])


def first_token_attention(diags: Sequence[AttnDiag], *, skip_first_query: bool = True,
                          query_mask: torch.Tensor | None = None) -> np.ndarray:
    """F-Attn per layer (mean over heads and queries), shape ``(n_layers,)``."""
    return head_first_token_attention(diags, skip_first_query=skip_first_query,
                                      query_mask=query_mask).mean(axis=1)


def max_activation(hidden: Sequence[torch.Tensor]) -> np.ndarray:
    """M-Act: max |h| of each layer's output hidden state, shape ``(n_layers,)``."""
    return np.array([float(h.detach().abs().max()) for h in hidden])


def gate_scores(diags: Sequence[AttnDiag]) -> np.ndarray:
    """Mean gate value per layer (NaN for a layer without a gate)."""
    return np.array([float("nan") if d.gate is None else float(d.gate.detach().float().mean())
                     for d in diags])


def gate_histogram(diags: Sequence[AttnDiag], *, bins: int | Sequence[float] = 20,
                   value_range: tuple[float, float] = (0.0, 1.0),
                   density: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of all gate values over layers: ``(counts, edges)`` (paper Fig. 3)."""
    vals = [d.gate.detach().float().flatten().cpu().numpy() for d in diags if d.gate is not None]
    if not vals:
        raise ValueError("no layer has a gate: nothing to histogram")
    return np.histogram(np.concatenate(vals), bins=bins, range=value_range, density=density)


def sparsity(diags: Sequence[AttnDiag], *, threshold: float = 0.1) -> float:
    """Fraction of gate values below ``threshold`` (how many outputs the gate closes)."""
    vals = [d.gate.detach().float().flatten() for d in diags if d.gate is not None]
    if not vals:
        raise ValueError("no layer has a gate")
    return float((torch.cat(vals) < threshold).float().mean())


def count_loss_spikes(losses: Sequence[float], *, factor: float = 2.0, window: int = 50,
                      min_history: int = 10) -> int:
    """Steps whose loss > ``factor`` x median of the previous ``window`` losses.

    Non-finite losses count as spikes. Mirrors the counter in ``book.train.fit``.
    """
    if factor <= 1:
        raise ValueError(f"factor={factor} is not allowed: expected a number > 1")
    x = np.asarray(losses, dtype=np.float64)
    n = 0
    for i in range(min_history, x.size):
        prev = x[max(0, i - window):i]
        prev = prev[np.isfinite(prev)]
        if not np.isfinite(x[i]) or (prev.size and x[i] > factor * np.median(prev)):
            n += 1
    return n
