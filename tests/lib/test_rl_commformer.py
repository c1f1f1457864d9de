"""rl.commformer and its experiment: shapes, graph/gate modes (exact when acting, sampled
when training), parameter groups for the bi-level update, gate cost, tiny end-to-end runs."""

import numpy as np
import pytest
import torch

from replib.rl.commformer import CommFormerPolicy, random_graph
from replib.rl.commformer_experiment import (
    check_method,
    check_task,
    edge_recovery,
    run_grid,
    train_run,
)


def make(**kw):
    base = dict(n_agents=5, obs_dim=7, n_actions=3, d_model=8, n_heads=2, warmup=2, seed=0)
    base.update(kw)
    return CommFormerPolicy(**base)


def test_shapes_and_parameter_groups():
    p = make()
    out = p(torch.randn(4, 5, 7))
    assert out.logits.shape == (4, 5, 3) and out.value.shape == (4, 5) and out.aux_loss is None
    assert [id(x) for x in p.graph_parameters()] == [id(p.graph.edges)]
    assert all(id(x) != id(p.graph.edges) for x in p.model_parameters())
    assert make(graph="full").graph_parameters() == []


def test_graph_modes_follow_train_eval_and_warmup():
    p = make(sparsity=0.4, graph_samples="per_sample")
    p.train()
    assert torch.equal(p.adjacency(3), torch.ones(5, 5))  # dense before warm-up
    p.set_progress(5)
    a = p.adjacency(3)
    assert a.shape == (3, 5, 5) and (a.detach().sum(-1) == 2).all()
    p.eval()
    e = p.adjacency()
    assert e.shape == (5, 5) and torch.equal(e, p.adjacency())  # deterministic when acting


def test_gate_cost_and_closed_gate_blocks_messages():
    p = make(gate=True, gate_lambda=0.5, graph="full")
    p.train()
    out = p(torch.randn(6, 5, 7))
    assert out.aux_loss is not None and 0 <= out.aux_loss.item() <= 0.5
    p.eval()
    with torch.no_grad():
        p.gate_net[-1].bias.fill_(-50.0)  # gate shut: each agent hears only itself
        x = torch.randn(2, 5, 7)
        y1 = p(x).logits
        x2 = x.clone()
        x2[:, 1:] += 3.0
        assert torch.allclose(p(x2).logits[:, 0], y1[:, 0], atol=1e-5)


def test_random_graph_and_recovery_and_errors():
    a = random_graph(6, 2, generator=torch.Generator().manual_seed(0))
    assert (a.sum(1) == 2).all() and a.diagonal().sum() == 0
    true = np.zeros((3, 3))
    true[0, 1] = true[1, 2] = 1
    assert edge_recovery(np.ones((3, 3)), true) == 1.0
    with pytest.raises(ValueError, match="graph must be one of"):
        make(graph="ring")
    with pytest.raises(ValueError, match="method must be one of"):
        check_method("tarmac")


def test_tiny_runs_end_to_end_and_deterministic():
    kw = dict(n_agents=3, n_tokens=2, sparsity=0.7, d_model=8, updates=3, batch=16,
              warmup=1, n_epochs=5, eval_envs=32, snapshot_at=[2, 3])
    r1, r2 = run_grid([dict(kw, method="commformer", seed=0),
                       dict(kw, method="commformer", seed=0)])
    assert r1.accuracy == r2.accuracy and np.array_equal(r1.curve, r2.curve)
    assert len(r1.curve) == 3 and [u for u, _ in r1.snapshots] == [2, 3]
    g = train_run(**dict(kw, method="full", seed=1, gate=True, gate_lambda=0.1, horizon=2,
                         flag_prob=0.5))
    assert 0 <= g.comm_ratio <= 1 and 0 <= g.accuracy <= 1


def test_post_stable_phase_trains_on_the_exact_graph():
    pol = CommFormerPolicy(n_agents=4, obs_dim=3, n_actions=2, d_model=8, graph="learned",
                           sparsity=0.5, warmup=1, post_stable_update=3,
                           graph_samples="per_sample")
    pol.train()
    pol.set_progress(3)
    assert pol.adjacency(5).shape == (5, 4, 4)  # Gumbel samples, one per training sample
    pol.set_progress(4)  # past P: the exact top-k graph that acting uses
    exact = pol.adjacency(5)
    assert exact.shape == (4, 4) and torch.equal(exact.detach().round(), pol.graph.adjacency())
    exact.sum().backward()  # still straight-through (α is frozen by its optimiser instead)
    assert pol.graph.edges.grad is not None
    kw = dict(method="commformer", seed=0, n_agents=4, n_tokens=2, sparsity=0.5, d_model=8,
              updates=4, batch=16, warmup=1, eval_envs=16)
    assert 0 <= train_run(**kw, post_ratio=0.5).accuracy <= 1
    with pytest.raises(ValueError, match="post_ratio"):
        train_run(**kw, post_ratio=1.5)


def test_predator_prey_task_tiny_run_and_errors():
    kw = dict(task="predator_prey", n_agents=3, n_tokens=4, grid=4, max_steps=6, sparsity=0.4,
              d_model=8, updates=2, batch=24, warmup=1, eval_envs=16)
    r = train_run(**kw, method="commformer", seed=0)
    assert r.task == "predator_prey" and len(r.curve) == 2 and 0 <= r.accuracy <= 1
    assert 1 <= r.mean_steps <= 6 and np.isnan(r.recovery) and r.adjacency.shape == (3, 3)
    assert r.env_steps == 2 * 24 and (r.curve <= 0).all()  # episode returns: step penalties
    g = train_run(**kw, method="random", seed=1, gate=True, gate_lambda=0.1)
    assert 0 <= g.comm_ratio <= 1
    with pytest.raises(ValueError, match="task must be one of"):
        check_task("smac")
    with pytest.raises(ValueError, match="oracle"):
        train_run(**kw, method="oracle", seed=0)
    with pytest.raises(ValueError, match="grid must be"):
        train_run(**dict(kw, grid=1), method="full", seed=0)
