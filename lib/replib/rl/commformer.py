"""CommFormer's actor-critic: a learned sparse communication graph + relational encoder.

Hu, Shen, Zhang, Tao (ICLR 2024), "Learning Multi-Agent Communication from Graph Modeling
Perspective", Sec. 4 and the official ``cformer.py`` (encoder + decentralised actors,
``commformer_dec``); temporal gating from the extended version (arXiv 2411.00382).

    x_i = LN(GELU(W·LN(o_i)))                                  observation embedding
    A   = CommGraph(α): dense α before warm-up, Gumbel top-k (train), exact top-k (act)
    A_t = diag(g_t)·A,  g_{i,t} = GumbelSigmoid(MLP(o_{i,t}))   optional temporal gate
    h   = GraphTransformerLayer^L(x, A_t)                       relation-enhanced attention
    V_i = MLP_v(h_i),   π_i = softmax(MLP_i(h_i))               per-agent actor heads
    aux = λ_g · mean(g)                                         communication cost

``graph`` picks the communication structure: ``"learned"`` (CommFormer), ``"full"`` (all
edges), ``"none"`` (self only), ``"fixed"`` (a given 0/1 matrix, e.g. random k per row or
the true graph). ``relation_embed=False`` gives TarMAC-style plain attention over the graph.
In ``eval()`` mode (acting) the graph and gate are deterministic; in ``train()`` mode
(PPO's update) they are sampled, as in the official trainer (one graph per forward pass,
``graph_samples="shared"``, or one per sample, ``"per_sample"``, a lower-variance option).
``set_progress(update)`` tells the policy how many PPO updates have been done (warm-up,
post-stable phase).
Parameters of α are ``graph_parameters()`` (CommFormer's second optimiser), the rest
``model_parameters()``.
"""

from __future__ import annotations

import torch
from torch import nn

from replib.attention.relational import CommGraph, GraphTransformerLayer, mask_from_gate
from replib.gates.gumbel import gumbel_sigmoid, sigmoid_gate_st
from replib.rl.rollout import PolicyOut

__all__ = ["CommFormerPolicy", "GRAPHS", "GRAPH_SAMPLES", "random_graph"]

GRAPHS = ("learned", "full", "none", "fixed")
GRAPH_SAMPLES = ("shared", "per_sample")


def random_graph(n_agents: int, k: int, *, generator: torch.Generator) -> torch.Tensor:
    """A fixed random graph with k senders per receiver, self excluded (k ≤ n − 1)."""
    if not 1 <= k <= n_agents - 1:
        raise ValueError(f"k must be in [1, {n_agents - 1}], got {k}")
    a = torch.zeros(n_agents, n_agents)
    for i in range(n_agents):
        others = torch.tensor([j for j in range(n_agents) if j != i])
        a[i, others[torch.randperm(n_agents - 1, generator=generator)[:k]]] = 1.0
    return a


class _AgentHeads(nn.Module):
    """Separate per-agent MLP heads, LN → Linear → GELU → LN → Linear, batched by einsum."""

    def __init__(self, n_agents: int, d_model: int, d_out: int):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.w1 = nn.Parameter(torch.randn(n_agents, d_model, d_model) * (2 / d_model) ** 0.5)
        self.b1 = nn.Parameter(torch.zeros(n_agents, d_model))
        self.w2 = nn.Parameter(torch.randn(n_agents, d_model, d_out) * 0.01)
        self.b2 = nn.Parameter(torch.zeros(n_agents, d_out))

    def forward(self, h: torch.Tensor) -> torch.Tensor:  # (B, n, d) -> (B, n, d_out)
        z = torch.einsum("bnd,nde->bne", self.ln1(h), self.w1) + self.b1
        z = self.ln2(nn.functional.gelu(z))
        return torch.einsum("bnd,nde->bne", z, self.w2) + self.b2


class CommFormerPolicy(nn.Module):
    """Multi-agent actor-critic over ``(B, n_agents, obs_dim)`` observations (module doc)."""

    def __init__(self, *, n_agents: int, obs_dim: int, n_actions: int, d_model: int = 64,
                 n_heads: int = 1, n_layers: int = 1, graph: str = "learned",
                 sparsity: float = 0.4, warmup: int = 10, post_stable_update: int | None = None,
                 fixed_adj: torch.Tensor | None = None, relation_embed: bool = True,
                 gate: bool = False, gate_lambda: float = 0.0, gate_init: float = 2.0,
                 temperature: float = 1.0, graph_samples: str = "shared", seed: int = 0):
        super().__init__()
        if graph not in GRAPHS:
            raise ValueError(f"graph must be one of {GRAPHS}, got {graph!r}")
        if graph_samples not in GRAPH_SAMPLES:
            raise ValueError(f"graph_samples must be one of {GRAPH_SAMPLES}, "
                             f"got {graph_samples!r}")
        self.graph_samples = graph_samples
        if graph == "fixed" and (fixed_adj is None or fixed_adj.shape != (n_agents, n_agents)):
            raise ValueError("graph='fixed' needs fixed_adj of shape (n_agents, n_agents)")
        self.n_agents, self.graph_kind, self.warmup = n_agents, graph, warmup
        self.post_stable_update, self.gate_lambda = post_stable_update, gate_lambda
        self.graph = CommGraph(n_agents=n_agents, sparsity=sparsity,
                               temperature=temperature) if graph == "learned" else None
        fixed = {"full": torch.ones(n_agents, n_agents), "none": torch.zeros(n_agents, n_agents),
                 "fixed": fixed_adj, "learned": torch.zeros(0)}[graph]
        self.register_buffer("fixed_adj", fixed.float().clone())
        self.embed = nn.Sequential(nn.LayerNorm(obs_dim), nn.Linear(obs_dim, d_model),
                                   nn.GELU(), nn.LayerNorm(d_model))
        self.layers = nn.ModuleList(GraphTransformerLayer(
            d_model=d_model, n_heads=n_heads, relation_embed=relation_embed)
            for _ in range(n_layers))
        self.v_head = nn.Sequential(nn.Linear(d_model, d_model), nn.GELU(),
                                    nn.LayerNorm(d_model), nn.Linear(d_model, 1))
        self.pi_heads = _AgentHeads(n_agents, d_model, n_actions)
        self.gate_net = None
        if gate:
            self.gate_net = nn.Sequential(nn.Linear(obs_dim, d_model), nn.GELU(),
                                          nn.Linear(d_model, 1))
            nn.init.constant_(self.gate_net[-1].bias, gate_init)  # start open
        self.generator = torch.Generator()
        self.generator.manual_seed(int(seed))
        self.update_count = 0

    # --- parameter groups (bi-level optimisation) -----------------------------------------
    def graph_parameters(self) -> list[nn.Parameter]:
        return [] if self.graph is None else [self.graph.edges]

    def model_parameters(self) -> list[nn.Parameter]:
        ids = {id(p) for p in self.graph_parameters()}
        return [p for p in self.parameters() if id(p) not in ids]

    def set_progress(self, update: int) -> None:
        self.update_count = int(update)

    # --- graph and gate ---------------------------------------------------------------------
    def adjacency(self, batch: int | None = None) -> torch.Tensor:
        """The current communication graph (receiver × sender), straight-through when learned;
        (batch, n, n) when training with ``graph_samples="per_sample"``."""
        if self.graph is None:
            return self.fixed_adj
        if self.update_count <= self.warmup:  # dense α while warming up, acting and training
            return self.graph(mode="dense")
        if not self.training:
            return self.graph(mode="exact")
        post = self.post_stable_update is not None and self.update_count > self.post_stable_update
        if post:
            return self.graph(mode="exact")
        per = batch if self.graph_samples == "per_sample" else None
        return self.graph(mode="gumbel", generator=self.generator, batch=per)

    def gates(self, obs: torch.Tensor) -> torch.Tensor | None:
        """g (B, n) ∈ {0, 1}: sampled when training, 1[logit > 0] when acting; None if off."""
        if self.gate_net is None:
            return None
        logits = self.gate_net(obs).squeeze(-1)
        if self.training:
            self._gen_to(obs.device)
            return gumbel_sigmoid(logits, generator=self.generator)
        return sigmoid_gate_st(logits)

    def _gen_to(self, device: torch.device) -> None:
        if self.generator.device != device:
            g = torch.Generator(device=device)
            g.manual_seed(int(torch.randint(2**31, (1,), generator=self.generator)))
            self.generator = g

    def forward(self, obs: torch.Tensor, *, state=None, hidden=None,
                return_maps: bool = False) -> PolicyOut:
        self._gen_to(obs.device)
        adj = self.adjacency(obs.shape[0])
        g = self.gates(obs)
        if g is not None:
            adj = mask_from_gate(adj, g)
        x = self.embed(obs)
        diags = []
        for layer in self.layers:
            x, d = layer(x, adj, return_maps=return_maps)
            diags.append(d)
        self.last_diags, self.last_gate = diags, g
        aux = None
        if g is not None and self.training and self.gate_lambda > 0:
            aux = self.gate_lambda * g.mean()  # communication cost
        return PolicyOut(self.pi_heads(x), self.v_head(x).squeeze(-1), None, aux)
