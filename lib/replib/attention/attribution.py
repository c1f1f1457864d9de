"""Head attribution, circuits and head interventions (thinking-sparks' analysis).

Node-level EAP-IG (Hanna et al. 2024, "Have Faith in Faithfulness"; used by Park et al. 2025,
"Thinking Sparks!", Sec. 3): with clean input x and corrupted input x′, interpolate the input
embeddings e_α = e′ + α(e − e′) for α = k/m, k = 1..m, and score every attention head h by

    s_h = Δz_h · (1/m) Σ_k ∂L/∂z_h |_{e_α},     Δz_h = z_h(x) − z_h(x′),

where z_h is the head's output before W_O (``AttnDiag.heads`` / the ``head_patch`` handle of
:class:`replib.attention.mha.MultiHeadAttention`) and L = KL(p_clean ‖ p_α) on the scored
positions. The embedding node's own score Σ Δe·∂L/∂e is a complete cut of the graph, so by
the IG completeness property it approximates L(x) − L(x′) = −KL(p_clean ‖ p_corrupt); the
ratio of the two (``completeness``) checks the Riemann sum.

A circuit is the smallest set of heads whose |score| reaches ``mass`` of the total; the
emergent heads of a post-trained model are ``circuit(post) − circuit(base)``. Interventions
set per-head output scales (0 = zero ablation, α > 1 amplification) through ``head_scale``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from replib.attention.mha import MultiHeadAttention

__all__ = ["HeadAttribution", "attention_modules", "head_attribution", "circuit",
           "jaccard", "emergent", "churn", "head_scales"]

Head = tuple[int, int]


@dataclass(frozen=True)
class HeadAttribution:
    """Scores ``(n_layers, n_heads)``, the clean→corrupt KL and the IG completeness ratio."""

    scores: np.ndarray
    kl: float
    embed_score: float
    completeness: float


def attention_modules(model: nn.Module) -> list[MultiHeadAttention]:
    """The model's attention layers in forward order (module registration order)."""
    mods = [m for m in model.modules() if isinstance(m, MultiHeadAttention)]
    if not mods:
        raise ValueError("the model has no MultiHeadAttention layer to attribute")
    return mods


def _logits(out):
    return out[0] if isinstance(out, tuple) else out


def _kl(p_log: torch.Tensor, q_log: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over scored positions of KL(p ‖ q) from log-probs ``(n, T, V)``."""
    kl = (p_log.exp() * (p_log - q_log)).sum(-1)
    m = mask.to(kl.dtype)
    return (kl * m).sum() / m.sum().clamp_min(1.0)


@contextmanager
def _patched(model: nn.Module, embed_out: Mapping[nn.Module, torch.Tensor] | None,
             heads_store: list | None, heads_grad: bool) -> Iterator[None]:
    mods = attention_modules(model)
    handles = []
    if embed_out is not None:
        for emb, t in embed_out.items():
            handles.append(emb.register_forward_hook(lambda m, a, o, _t=t: _t))

    def patch(h):
        if heads_grad:
            h.retain_grad()
        heads_store.append(h)
        return h

    old = [m.head_patch for m in mods]
    try:
        if heads_store is not None:
            for m in mods:
                m.head_patch = patch
        yield
    finally:
        for m, o in zip(mods, old):
            m.head_patch = o
        for h in handles:
            h.remove()


def _embed_outputs(model: nn.Module, x: torch.Tensor) -> dict[nn.Module, torch.Tensor]:
    embs = [m for m in model.modules() if isinstance(m, nn.Embedding)]
    if not embs:
        raise ValueError("the model has no nn.Embedding to interpolate")
    out: dict[nn.Module, torch.Tensor] = {}
    handles = [e.register_forward_hook(lambda m, a, o: out.__setitem__(m, o.detach()))
               for e in embs]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return out


def head_attribution(model: nn.Module, clean: torch.Tensor, corrupted: torch.Tensor, *,
                     mask: torch.Tensor | None = None, ig_steps: int = 5) -> HeadAttribution:
    """Node-level EAP-IG scores of every head (module docstring).

    ``clean`` and ``corrupted`` are token ids ``(n, T)`` of equal shape; ``mask`` ``(n, T)``
    marks the positions whose next-token distribution L compares (default: all).
    The model's parameters are not changed; gradients are taken w.r.t. activations only.
    """
    if clean.shape != corrupted.shape:
        raise ValueError(f"corrupted shape {tuple(corrupted.shape)} must equal clean shape "
                         f"{tuple(clean.shape)}")
    if ig_steps < 1:
        raise ValueError(f"ig_steps={ig_steps} is not allowed: expected an integer >= 1")
    mask = (torch.ones(clean.shape, dtype=torch.bool, device=clean.device) if mask is None
            else mask.bool())
    was = model.training
    model.eval()
    req = [p.requires_grad for p in model.parameters()]
    for p in model.parameters():
        p.requires_grad_(False)
    try:
        e_clean, e_corr = _embed_outputs(model, clean), _embed_outputs(model, corrupted)
        z_clean, z_corr = [], []
        with torch.no_grad():
            with _patched(model, None, z_clean, False):
                p_clean = torch.log_softmax(_logits(model(clean)).float(), -1)
            with _patched(model, None, z_corr, False):
                p_corr = torch.log_softmax(_logits(model(corrupted)).float(), -1)
        kl = float(_kl(p_clean, p_corr, mask))
        grads = [torch.zeros_like(z) for z in z_clean]
        e_grad = {e: torch.zeros_like(t) for e, t in e_clean.items()}
        for k in range(1, ig_steps + 1):
            a = k / ig_steps
            interp = {e: (e_corr[e] + a * (e_clean[e] - e_corr[e])).requires_grad_()
                      for e in e_clean}
            store: list[torch.Tensor] = []
            with torch.enable_grad(), _patched(model, interp, store, True):
                q = torch.log_softmax(_logits(model(clean)).float(), -1)
                loss = _kl(p_clean, q, mask)
                loss.backward()
            for i, h in enumerate(store):
                grads[i] += h.grad / ig_steps
            for e, t in interp.items():
                e_grad[e] += t.grad / ig_steps
        scores = np.stack([((zc - zr) * g).sum(dim=(0, 1, 3)).cpu().numpy()
                           for zc, zr, g in zip(z_clean, z_corr, grads)])
        emb = float(sum(((e_clean[e] - e_corr[e]) * e_grad[e]).sum() for e in e_clean))
    finally:
        for p, r in zip(model.parameters(), req):
            p.requires_grad_(r)
        model.train(was)
    # IG completeness: the embedding cut recovers L(clean) - L(corrupt) = 0 - KL
    completeness = emb / -kl if kl > 0 else float("nan")
    return HeadAttribution(scores, kl, emb, completeness)


def circuit(scores: np.ndarray, *, mass: float = 0.8) -> frozenset[Head]:
    """Smallest set of heads whose |score| sum reaches ``mass`` of the total |score|."""
    if not 0 < mass <= 1:
        raise ValueError(f"mass={mass} is not allowed: expected a fraction in (0, 1]")
    s = np.abs(np.asarray(scores, dtype=np.float64))
    total = s.sum()
    if total == 0:
        return frozenset()
    order = np.argsort(-s, axis=None, kind="stable")
    cum = np.cumsum(s.flat[order])
    n = int(np.searchsorted(cum, mass * total - 1e-12 * total) + 1)
    return frozenset((int(i // s.shape[1]), int(i % s.shape[1])) for i in order[:n])


def jaccard(a: Iterable[Head], b: Iterable[Head]) -> float:
    """|a ∩ b| / |a ∪ b| (1 for two empty sets)."""
    a, b = set(a), set(b)
    return 1.0 if not (a | b) else len(a & b) / len(a | b)


def emergent(post: Iterable[Head], base: Iterable[Head]) -> frozenset[Head]:
    """Heads in the post-trained circuit but not in the base circuit."""
    return frozenset(set(post) - set(base))


def churn(sets: Sequence[Iterable[Head]]) -> float:
    """Added-then-removed events per transition over a checkpoint sequence.

    A head counts once per transition in which it leaves the circuit after having entered it
    at an earlier checkpoint of the same sequence (it was not in the first set).
    """
    seq = [set(s) for s in sets]
    if len(seq) < 2:
        raise ValueError("churn needs at least two checkpoints")
    first, events = seq[0], 0
    for prev, nxt in zip(seq[:-1], seq[1:]):
        events += len((prev - nxt) - first)
    return events / (len(seq) - 1)


@contextmanager
def head_scales(model: nn.Module, scales: Mapping[Head, float]) -> Iterator[None]:
    """Temporarily multiply head (layer, head)'s output by ``scales[(layer, head)]``."""
    mods = attention_modules(model)
    saved = [m.head_scale.clone() for m in mods]
    try:
        for (layer, head), s in scales.items():
            if not (0 <= layer < len(mods) and 0 <= head < mods[layer].n_heads):
                raise ValueError(f"head ({layer}, {head}) is not allowed: expected layer < "
                                 f"{len(mods)} and head < {mods[0].n_heads}")
            mods[layer].head_scale[head] = float(s)
        yield
    finally:
        for m, s in zip(mods, saved):
            m.head_scale.copy_(s)
