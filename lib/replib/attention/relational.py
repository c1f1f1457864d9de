"""Relation-enhanced masked attention over a (learned) communication graph.

CommFormer (Hu, Shen, Zhang, Tao; ICLR 2024, "Learning Multi-Agent Communication from Graph
Modeling Perspective", Sec. 4; official ``cformer.py``). Agents are tokens; the adjacency
A ∈ {0,1}^{n×n} says who receives from whom (row i = receiver i, column j = sender j).

* Edge embedding r_ij = Emb(A_ij) ∈ ℝ^d, projected to (ρᵃ_ij, ρᵇ_ij) (per head):
      e_ij = ⟨(q_i + ρᵃ_ij)/√d_h, k_j + ρᵇ_ij⟩ / √d_h
  (the official code scales twice, by d_h^{-1/2} on the query and again on the product;
  we keep that).
* Masked aggregation with self-loops M = A + I ("self_loop_add"):
      w_ij = softmax_j(e_ij, −∞ where M_ij = 0) · M_ij,   y_i = Σ_j w_ij v_j W_O.
  Multiplying by M after the softmax keeps the straight-through gradient path from the
  mask back into the graph logits (the embedding lookup Emb(A_ij) is not differentiable).
* ``GraphTransformerLayer``: attention + residual + LayerNorm, ReLU FFN + residual + LayerNorm.
* ``CommGraph``: the graph logits α ∈ ℝ^{n×n} (init ones) and CommFormer's three modes:
  ``"dense"`` (A = α, before warm-up), ``"gumbel"`` (Gumbel top-k with k = max(1, ⌊nS⌋),
  straight-through; training) and ``"exact"`` (deterministic top-k; execution).

Shapes: x (B, n, d_model); adj (n, n) or (B, n, n), float (it may carry gradients).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from replib.attention.mha import AttnDiag
from replib.gates.gumbel import gumbel_topk, k_from_sparsity, topk_mask_st

__all__ = ["RelationalAttention", "GraphTransformerLayer", "CommGraph", "GRAPH_MODES",
           "mask_from_gate"]

GRAPH_MODES = ("dense", "gumbel", "exact")


class RelationalAttention(nn.Module):
    """Multi-head attention restricted to a graph, with edge-type embeddings (see module doc)."""

    def __init__(self, *, d_model: int, n_heads: int, relation_embed: bool = True,
                 self_loops: bool = True):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model ({d_model}) must be divisible by n_heads ({n_heads})")
        self.d_model, self.n_heads, self.d_head = d_model, n_heads, d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.relation_embed = relation_embed
        self.self_loops = self_loops
        if relation_embed:
            self.edge_emb = nn.Embedding(2, d_model)  # r_ij = Emb(A_ij)
            self.rel_proj = nn.Linear(d_model, 2 * d_model)  # (ρᵃ, ρᵇ)
        for w in (self.qkv.weight, self.out.weight):
            nn.init.normal_(w, std=0.02)
        nn.init.zeros_(self.qkv.bias)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor, adj: torch.Tensor, *,
                return_maps: bool = False) -> tuple[torch.Tensor, AttnDiag]:
        B, n, _ = x.shape
        h, dh = self.n_heads, self.d_head
        q, k, v = self.qkv(x).view(B, n, 3, h, dh).unbind(2)  # each (B, n, h, dh)
        adj = adj.expand(B, n, n) if adj.dim() == 2 else adj
        mask = adj + torch.eye(n, device=x.device, dtype=adj.dtype) if self.self_loops else adj
        if self.relation_embed:
            # Emb(A_ij) takes two values, so (q_i + ρᵃ_ij)·(k_j + ρᵇ_ij) splits into
            # q_i·k_j + q_i·ρᵇ[A_ij] + ρᵃ[A_ij]·k_j + ρᵃ[A_ij]·ρᵇ[A_ij]: O(B n² h), not O(B n² d)
            ra, rb = self.rel_proj(self.edge_emb.weight).view(2, 2, h, dh).unbind(1)  # (2, h, dh)
            qk = torch.einsum("bihd,bjhd->bijh", q, k)
            q_rb = torch.einsum("bihd,ehd->beih", q, rb)  # (B, 2, n, h) for edge type e
            ra_k = torch.einsum("ehd,bjhd->bejh", ra, k)
            ra_rb = (ra * rb).sum(-1)  # (2, h)
            on = (adj.detach() > 0.5).unsqueeze(-1)  # (B, i, j, 1)
            extra = torch.where(on, q_rb[:, 1, :, None] + ra_k[:, 1, None] + ra_rb[1],
                                q_rb[:, 0, :, None] + ra_k[:, 0, None] + ra_rb[0])
            e = (qk + extra) / dh  # scaled by d_h^{-1/2} twice, as in the official code
        else:
            e = torch.einsum("bihd,bjhd->bijh", q, k) / math.sqrt(dh)
        e = e.masked_fill((mask.detach() == 0).unsqueeze(-1), float("-inf"))
        w = torch.softmax(e, dim=2)
        w = torch.nan_to_num(w) * mask.unsqueeze(-1)  # keep the straight-through path into adj
        y = torch.einsum("bijh,bjhd->bihd", w, v).reshape(B, n, self.d_model)
        maps = w.permute(0, 3, 1, 2).detach() if return_maps else None
        return self.out(y), AttnDiag(maps=maps)


class GraphTransformerLayer(nn.Module):
    """CommFormer's encoder layer: relational attention, residual + LN, FFN, residual + LN."""

    def __init__(self, *, d_model: int, n_heads: int, d_ff: int | None = None,
                 relation_embed: bool = True):
        super().__init__()
        self.attn = RelationalAttention(d_model=d_model, n_heads=n_heads,
                                        relation_embed=relation_embed)
        d_ff = d_ff or d_model
        self.ff = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))
        self.ln1, self.ln2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)

    def forward(self, x: torch.Tensor, adj: torch.Tensor, *,
                return_maps: bool = False) -> tuple[torch.Tensor, AttnDiag]:
        y, diag = self.attn(x, adj, return_maps=return_maps)
        x = self.ln1(x + y)
        return self.ln2(x + self.ff(x)), diag


class CommGraph(nn.Module):
    """Learnable communication graph α (n × n, init ones) with CommFormer's modes."""

    def __init__(self, *, n_agents: int, sparsity: float, temperature: float = 1.0):
        super().__init__()
        if n_agents < 2:
            raise ValueError(f"n_agents must be >= 2, got {n_agents}")
        self.k = k_from_sparsity(n_agents, sparsity)
        self.n_agents, self.sparsity, self.temperature = n_agents, sparsity, temperature
        self.edges = nn.Parameter(torch.ones(n_agents, n_agents))  # α

    def forward(self, *, mode: str, generator: torch.Generator | None = None,
                batch: int | None = None) -> torch.Tensor:
        """(n, n) graph, or (batch, n, n) independent Gumbel samples when ``batch`` is set."""
        if mode not in GRAPH_MODES:
            raise ValueError(f"mode must be one of {GRAPH_MODES}, got {mode!r}")
        if mode == "dense":
            return self.edges
        if mode == "gumbel":
            logits = self.edges if batch is None else self.edges.expand(batch, -1, -1)
            return gumbel_topk(logits, k=self.k, temperature=self.temperature,
                               generator=generator)
        return topk_mask_st(self.edges, k=self.k, temperature=self.temperature)

    @torch.no_grad()
    def adjacency(self) -> torch.Tensor:
        """The execution-time 0/1 graph (deterministic top-k of α)."""
        return topk_mask_st(self.edges, k=self.k).detach()

    def extra_repr(self) -> str:
        return f"n_agents={self.n_agents}, sparsity={self.sparsity}, k={self.k}"


def mask_from_gate(adj: torch.Tensor, gate: torch.Tensor) -> torch.Tensor:
    """Temporal gating (CommFormer extended version, arXiv 2411.00382): receiver i's row of
    A is kept when g_i = 1 and zeroed when g_i = 0, A_t = diag(g_t)·A; the attention's
    self-loop keeps i's own token. ``adj`` (n, n) or (B, n, n); ``gate`` (B, n) in {0, 1}
    (straight-through, so the gate logits get the reward gradient)."""
    return adj * gate.unsqueeze(-1)
