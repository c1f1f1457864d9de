"""A tiny causal language model with a pluggable token mixer.

The host network of the sequence chapters (GLA, GAM, gated attention, ...): token
embedding (+ optional absolute positions, ``attention.positional``), ``n_layers`` pre-norm
blocks (``nets.blocks.Block``) whose token mixer comes from a factory, a final norm and a
head tied to the embedding (Press & Wolf 2017, "Using the Output Embedding to Improve
Language Models"). Training objective: next-token cross-entropy; perplexity = exp(loss).

Interface
---------
``TinyLM(vocab_size=, d_model=, n_layers=, mixer=factory, ...)`` where
``factory(layer_idx) -> nn.Module`` returns a mixer whose ``forward(h)`` maps
(batch, T, d_model) to ``(y, diag)``. ``model(idx) -> (logits, diags)`` with
idx (batch, T) int64, logits (batch, T, vocab_size) and ``diags`` the per-layer list.

Evaluation helpers: ``lm_loss`` (masked mean CE), ``evaluate`` (loss and perplexity over
batches), ``position_bucket_loss`` (mean CE per position bucket, for length extrapolation)
and ``sample`` (autoregressive sampling with a ``torch.Generator``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from replib.attention.positional import AbsolutePositional
from replib.nets.blocks import Block, make_norm

__all__ = ["TinyLM", "lm_loss", "evaluate", "position_bucket_loss", "sample"]


class TinyLM(nn.Module):
    """Causal LM: embed -> [Block(mixer(i))] x n_layers -> norm -> tied head."""

    def __init__(self, *, vocab_size: int, d_model: int, n_layers: int,
                 mixer: Callable[[int], nn.Module], ffn: str | None = "swiglu",
                 d_ff: int | None = None, norm: str = "rms", pos: str = "none",
                 max_len: int = 2048, dropout: float = 0.0, tie: bool = True):
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"n_layers must be >= 1, got {n_layers}")
        if not callable(mixer):
            raise TypeError("mixer must be a factory mixer(layer_idx) -> nn.Module")
        self.vocab_size, self.d_model = vocab_size, d_model
        self.embed = nn.Embedding(vocab_size, d_model)
        nn.init.normal_(self.embed.weight, std=0.02)
        self.pos = AbsolutePositional(kind=pos, d_model=d_model, max_len=max_len)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            Block(d_model=d_model, mixer=mixer(i), ffn=ffn, d_ff=d_ff, norm=norm,
                  dropout=dropout) for i in range(n_layers))
        self.norm = make_norm(norm, d_model)
        self.head = nn.Linear(d_model, vocab_size, bias=False)
        if tie:
            self.head.weight = self.embed.weight

    def forward(self, idx: torch.Tensor):
        if idx.dim() != 2:
            raise ValueError(f"idx must be (batch, seq_len) token ids, got shape "
                             f"{tuple(idx.shape)}")
        x = self.drop(self.pos(self.embed(idx)))
        diags = []
        for blk in self.blocks:
            x, d = blk(x)
            diags.append(d)
        return self.head(self.norm(x)), diags


def lm_loss(logits: torch.Tensor, targets: torch.Tensor,
            mask: torch.Tensor | None = None) -> torch.Tensor:
    """Mean next-token cross-entropy over positions where ``mask`` is true (all if None).

    logits (batch, T, V), targets (batch, T); targets < 0 are ignored as well.
    """
    ce = F.cross_entropy(logits.float().flatten(0, 1), targets.clamp_min(0).flatten(),
                         reduction="none").view_as(targets)
    keep = targets >= 0 if mask is None else (mask.bool() & (targets >= 0))
    n = keep.sum()
    if n == 0:
        raise ValueError("mask selects no positions to score")
    return (ce * keep).sum() / n


@torch.no_grad()
def evaluate(model: nn.Module, batches: Iterable) -> dict[str, float]:
    """Token-weighted loss and perplexity over ``(x, y)`` or ``(x, y, mask)`` batches."""
    was = model.training
    model.eval()
    tot, n = 0.0, 0
    for b in batches:
        x, y = b[0], b[1]
        mask = b[2] if len(b) > 2 else None
        logits, _ = model(x)
        keep = (y >= 0) if mask is None else (mask.bool() & (y >= 0))
        k = int(keep.sum())
        tot += float(lm_loss(logits, y, mask)) * k
        n += k
    model.train(was)
    loss = tot / max(n, 1)
    return {"loss": loss, "ppl": math.exp(min(loss, 50.0)), "tokens": n}


@torch.no_grad()
def position_bucket_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
                         edges: Sequence[int]) -> list[float]:
    """Mean CE in each position bucket [edges[i], edges[i+1]) of sequences x -> y.

    Used for length extrapolation (loss beyond the training length vs inside it).
    """
    if list(edges) != sorted(edges) or edges[0] < 0 or edges[-1] > x.shape[1]:
        raise ValueError(f"edges must increase within [0, {x.shape[1]}], got {list(edges)}")
    was = model.training
    model.eval()
    logits, _ = model(x)
    model.train(was)
    ce = F.cross_entropy(logits.float().flatten(0, 1), y.flatten(), reduction="none")
    ce = ce.view_as(y).mean(0)
    return [float(ce[a:b].mean()) for a, b in zip(edges[:-1], edges[1:])]


@torch.no_grad()
def sample(model: nn.Module, prompt: torch.Tensor, *, n_new: int,
           generator: torch.Generator | None = None, temperature: float = 1.0) -> torch.Tensor:
    """Append ``n_new`` sampled tokens to prompt (batch, T0); returns (batch, T0 + n_new)."""
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    was = model.training
    model.eval()
    idx = prompt
    for _ in range(n_new):
        logits, _ = model(idx)
        p = torch.softmax(logits[:, -1].float() / temperature, dim=-1)
        nxt = torch.multinomial(p, 1, generator=generator)
        idx = torch.cat([idx, nxt], dim=1)
    model.train(was)
    return idx
