"""attention.relational: masking (no information from non-neighbours), agreement with SDPA
on the full graph, the straight-through gradient into graph logits, CommGraph modes."""

import pytest
import torch
from torch.nn import functional as F

from replib.attention.relational import (
    CommGraph,
    GraphTransformerLayer,
    RelationalAttention,
    mask_from_gate,
)


def test_output_of_receiver_ignores_non_neighbours():
    torch.manual_seed(0)
    att = RelationalAttention(d_model=16, n_heads=2)
    x = torch.randn(3, 5, 16)
    adj = torch.zeros(5, 5)
    adj[0, 2] = 1.0  # agent 0 hears agent 2 only (plus itself)
    y, _ = att(x, adj)
    x2 = x.clone()
    x2[:, 1] += 5.0
    x2[:, 3] -= 3.0
    y2, _ = att(x2, adj)
    assert torch.allclose(y[:, 0], y2[:, 0], atol=1e-6)
    x3 = x.clone()
    x3[:, 2] += 1.0
    assert not torch.allclose(att(x3, adj)[0][:, 0], y[:, 0])


def test_full_graph_without_relations_matches_sdpa():
    torch.manual_seed(1)
    att = RelationalAttention(d_model=16, n_heads=4, relation_embed=False, self_loops=False)
    x = torch.randn(2, 6, 16)
    y, _ = att(x, torch.ones(6, 6))
    q, k, v = att.qkv(x).view(2, 6, 3, 4, 4).unbind(2)
    ref = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2),
                                         v.transpose(1, 2)).transpose(1, 2).reshape(2, 6, 16)
    assert torch.allclose(y, att.out(ref), atol=1e-5)


def test_maps_are_row_stochastic_on_the_masked_support():
    att = RelationalAttention(d_model=8, n_heads=2)
    adj = (torch.rand(2, 4, 4) > 0.5).float() * (1 - torch.eye(4))
    _, diag = att(torch.randn(2, 4, 8), adj, return_maps=True)
    assert diag.maps.shape == (2, 2, 4, 4)
    assert torch.allclose(diag.maps.sum(-1), torch.ones(2, 2, 4), atol=1e-5)
    support = (adj + torch.eye(4)).unsqueeze(1).expand_as(diag.maps)
    assert (diag.maps[support == 0] == 0).all()


def test_straight_through_gradient_reaches_graph_logits():
    torch.manual_seed(2)
    graph = CommGraph(n_agents=5, sparsity=0.4)
    layer = GraphTransformerLayer(d_model=8, n_heads=2)
    x = torch.randn(4, 5, 8)
    for mode in ("dense", "gumbel", "exact"):
        graph.edges.grad = None
        adj = graph(mode=mode, generator=torch.Generator().manual_seed(0))
        y, _ = layer(x, adj)
        (y ** 2).sum().backward()
        assert graph.edges.grad is not None and graph.edges.grad.abs().sum() > 0, mode


def test_comm_graph_modes_and_errors():
    g = CommGraph(n_agents=8, sparsity=0.4)
    assert g.k == 3
    for mode in ("gumbel", "exact"):
        a = g(mode=mode)
        assert (a.detach().sum(-1) == 3).all()
    assert torch.equal(g(mode="dense"), torch.ones(8, 8))
    with torch.no_grad():
        g.edges[0] = torch.arange(8.0)
    assert g.adjacency()[0].tolist() == [0, 0, 0, 0, 0, 1, 1, 1]
    with pytest.raises(ValueError, match="mode must be one of"):
        g(mode="soft")
    with pytest.raises(ValueError, match="n_agents must be >= 2"):
        CommGraph(n_agents=1, sparsity=0.5)
    with pytest.raises(ValueError, match="sparsity must be in"):
        CommGraph(n_agents=4, sparsity=1.5)


def test_gate_closes_rows():
    adj = torch.ones(4, 4)
    gate = torch.tensor([[1.0, 0.0, 1.0, 0.0]])
    m = mask_from_gate(adj, gate)
    assert m.shape == (1, 4, 4) and m[0, 1].sum() == 0 and m[0, 0].sum() == 4


def test_factored_relation_scores_equal_the_explicit_edge_embedding_form():
    torch.manual_seed(3)
    att = RelationalAttention(d_model=12, n_heads=3)
    x = torch.randn(2, 5, 12)
    adj = (torch.rand(2, 5, 5) > 0.5).float()
    B, n, h, dh = 2, 5, 3, 4
    q, k, v = att.qkv(x).view(B, n, 3, h, dh).unbind(2)
    rel = att.edge_emb(adj.long())  # (B, n, n, d): the paper's r_ij = Emb(A_ij)
    ra, rb = att.rel_proj(rel).view(B, n, n, 2, h, dh).unbind(3)
    e = (((q.unsqueeze(2) + ra) / dh**0.5) * (k.unsqueeze(1) + rb)).sum(-1) / dh**0.5
    mask = adj + torch.eye(n)
    e = e.masked_fill((mask == 0).unsqueeze(-1), float("-inf"))
    w = torch.softmax(e, 2) * mask.unsqueeze(-1)
    ref = att.out(torch.einsum("bijh,bjhd->bihd", w, v).reshape(B, n, 12))
    assert torch.allclose(att(x, adj)[0], ref, atol=1e-5)
