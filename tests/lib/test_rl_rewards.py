import numpy as np
import pytest
import torch

from replib.rl.rewards import REWARDS, combine, gate


def test_closed_forms():
    h, s = np.array([0.5, 0.9, 1.0]), np.array([0.2, 0.4, 0.6])
    g = 1 / (1 + np.exp(-12 * (h - 0.9)))
    assert np.allclose(combine("gated_sigmoid", hard=h, soft=s), h + g * s)
    assert np.allclose(combine("additive", hard=h, soft=s, lambda_add=2.0), h + 2 * s)
    assert np.allclose(combine("step_gate", hard=h, soft=s), h + (h >= 0.9) * s)
    assert np.allclose(combine("hard_only", hard=h, soft=s), h)
    assert np.isclose(gate(np.array(0.9)), 0.5)


def test_lexicographic_soft_never_outweighs_one_hard_constraint():
    n = 6
    worse_hard = combine("lexicographic", hard=5 / 6, soft=1.0, n_hard=n)
    better_hard = combine("lexicographic", hard=1.0, soft=0.0, n_hard=n)
    assert better_hard > worse_hard
    with pytest.raises(ValueError, match="n_hard"):
        combine("lexicographic", hard=1.0, soft=0.0)


def test_gate_prefers_feasible_plan_where_additive_does_not():
    # one violation (h = 5/6) buys a large soft gain
    feasible = dict(hard=1.0, soft=0.3)
    cheat = dict(hard=5 / 6, soft=0.9)
    assert combine("additive", **cheat) > combine("additive", **feasible)
    assert combine("gated_sigmoid", **feasible) > combine("gated_sigmoid", **cheat)


def test_torch_and_numpy_agree_and_gradients_flow():
    h = torch.tensor([0.3, 0.95], requires_grad=True)
    s = torch.tensor([0.5, 0.5])
    for kind in REWARDS:
        r = combine(kind, hard=h, soft=s, n_hard=6)
        assert isinstance(r, torch.Tensor)
        assert np.allclose(r.detach().numpy(),
                           combine(kind, hard=h.detach().numpy(), soft=s.numpy(), n_hard=6))
    combine("gated_sigmoid", hard=h, soft=s).sum().backward()
    assert h.grad is not None and (h.grad > 1).all()  # 1 + κ g(1-g) s


def test_bad_kind_names_the_parameter():
    with pytest.raises(ValueError, match="kind='sigmoid'"):
        combine("sigmoid", hard=1.0, soft=1.0)
    with pytest.raises(ValueError, match="kappa"):
        combine("gated_sigmoid", hard=1.0, soft=1.0, kappa=0.0)
