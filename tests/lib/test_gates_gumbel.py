"""gates.gumbel: forward masks (one-hot, binary, exactly k per row), the exact sampling laws
(Gumbel-max, σ(ℓ), Plackett–Luce inclusion), the straight-through gradient paths, the
deterministic forms, seeding and bad arguments."""

import pytest
import torch

from replib.gates.gumbel import (
    gumbel_sigmoid,
    gumbel_softmax,
    gumbel_topk,
    k_from_sparsity,
    onehot_st,
    sigmoid_gate_st,
    topk_mask_st,
)


def gen(s=0):
    return torch.Generator().manual_seed(s)


def test_gumbel_softmax_forward_one_hot_and_gumbel_max_law():
    logits = torch.log(torch.tensor([0.6, 0.3, 0.1])).expand(20000, 3)
    y = gumbel_softmax(logits, temperature=0.5, generator=gen())
    assert set(y.unique().tolist()) == {0.0, 1.0} and (y.sum(-1) == 1).all()
    freq = y.mean(0)
    assert torch.allclose(freq, torch.tensor([0.6, 0.3, 0.1]), atol=0.015)


def test_gumbel_softmax_gradient_is_the_soft_samples():
    logits = torch.randn(4, 5, requires_grad=True)
    w = torch.randn(4, 5)
    (gumbel_softmax(logits, temperature=0.7, generator=gen(1)) * w).sum().backward()
    g_st = logits.grad.clone()
    logits.grad = None
    (gumbel_softmax(logits, temperature=0.7, hard=False, generator=gen(1)) * w).sum().backward()
    assert torch.allclose(g_st, logits.grad)


def test_gumbel_sigmoid_probability_is_sigmoid_of_logit_for_any_temperature():
    logits = torch.tensor([-1.0, 0.0, 2.0]).expand(20000, 3)
    for t in (0.3, 1.0, 3.0):
        g = gumbel_sigmoid(logits, temperature=t, generator=gen(2))
        assert set(g.unique().tolist()) <= {0.0, 1.0}
        assert torch.allclose(g.mean(0), torch.sigmoid(logits[0]), atol=0.015)


def test_gumbel_sigmoid_backward_variants():
    logits = torch.tensor([0.3, -0.5, 1.2], requires_grad=True)
    gumbel_sigmoid(logits, backward="identity", generator=gen()).sum().backward()
    assert torch.allclose(logits.grad, torch.ones(3))
    logits.grad = None
    sigmoid_gate_st(logits, temperature=2.0, backward="sigmoid").sum().backward()
    s = torch.sigmoid(logits.detach() / 2)
    assert torch.allclose(logits.grad, s * (1 - s) / 2)
    logits.grad = None
    out = gumbel_sigmoid(logits, backward="relaxed", generator=gen(3))
    out.sum().backward()
    soft = gumbel_sigmoid(logits.detach(), hard=False, generator=gen(3))
    assert torch.allclose(logits.grad, soft * (1 - soft))


def test_topk_mask_has_exactly_k_per_row_and_gradient_of_softmax():
    logits = torch.randn(6, 8, requires_grad=True)
    m = gumbel_topk(logits, k=3, temperature=0.5, generator=gen(4))
    assert set(m.unique().tolist()) == {0.0, 1.0} and (m.sum(-1) == 3).all()
    w = torch.randn(6, 8)
    (m * w).sum().backward()
    g_st = logits.grad.clone()
    logits.grad = None
    y = gumbel_topk(logits, k=3, temperature=0.5, hard=False, generator=gen(4))
    (y * w).sum().backward()
    assert torch.allclose(g_st, logits.grad) and g_st.abs().sum() > 0


def test_gumbel_topk_inclusion_follows_plackett_luce():
    w = torch.tensor([0.5, 0.3, 0.2])
    m = gumbel_topk(torch.log(w).expand(30000, 3), k=2, generator=gen(5))
    # item i is excluded iff it comes last: sum over the first pick j of w_j/1 * w_m/(1-w_j)
    excl = []
    for i in range(3):
        j, mm = [x for x in range(3) if x != i]
        excl.append(w[j] * w[mm] / (1 - w[j]) + w[mm] * w[j] / (1 - w[mm]))
    assert torch.allclose(1 - m.mean(0), torch.stack(excl), atol=0.012)


def test_deterministic_forms_and_eval_topk():
    logits = torch.tensor([[0.1, 2.0, -1.0, 1.5]], requires_grad=True)
    assert topk_mask_st(logits, k=2).tolist() == [[0.0, 1.0, 0.0, 1.0]]
    assert onehot_st(logits).tolist() == [[0.0, 1.0, 0.0, 0.0]]
    assert sigmoid_gate_st(logits).tolist() == [[1.0, 1.0, 0.0, 1.0]]
    topk_mask_st(logits, k=2)[0, 0].backward()  # gradient reaches an unselected entry's logit
    s = torch.softmax(logits.detach(), -1)
    assert torch.allclose(logits.grad[0, 0], s[0, 0] * (1 - s[0, 0]))


def test_seeded_and_other_dims():
    x = torch.randn(3, 7)
    assert torch.equal(gumbel_topk(x, k=2, generator=gen(9)), gumbel_topk(x, k=2, generator=gen(9)))
    assert (gumbel_topk(x, k=2, dim=0, generator=gen(1)).sum(0) == 2).all()


def test_bad_arguments_name_the_parameter():
    x = torch.zeros(2, 3)
    with pytest.raises(ValueError, match="k must be in"):
        gumbel_topk(x, k=4)
    with pytest.raises(ValueError, match="temperature must be > 0"):
        gumbel_softmax(x, temperature=0)
    with pytest.raises(ValueError, match="backward must be one of"):
        gumbel_sigmoid(x, backward="st")
    with pytest.raises(ValueError, match=r"sparsity must be in \(0, 1\]"):
        k_from_sparsity(8, 0.0)
    assert [k_from_sparsity(8, s) for s in (0.1, 0.2, 0.4, 0.6, 1.0)] == [1, 1, 3, 4, 8]
