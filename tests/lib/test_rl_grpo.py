"""rl.grpo: advantages, clipped objective gradient, KL estimator, errors."""

import pytest
import torch

from replib.rl.grpo import group_advantages, grpo_loss, kl_k3, token_logprobs


def test_group_advantages_closed_form_and_flat():
    r = torch.tensor([[1.0, 0.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]])
    a = group_advantages(r, eps=0.0 + 1e-12)
    torch.testing.assert_close(a[0], torch.tensor([1.0, -1.0, -1.0, 1.0]))
    torch.testing.assert_close(a[1], torch.zeros(4))
    flat = group_advantages(r.reshape(-1), group_size=4, eps=1e-12)
    torch.testing.assert_close(flat, a.reshape(-1))
    torch.testing.assert_close(group_advantages(r, scale=False)[0],
                               torch.tensor([0.5, -0.5, -0.5, 0.5]))
    with pytest.raises(ValueError, match="group_size"):
        group_advantages(torch.ones(6), group_size=4)


def test_on_policy_gradient_is_policy_gradient():
    # at ratio 1 and no KL, d loss / d logp_i = -A_i / (n * L) for "sample" aggregation
    logp = torch.log(torch.tensor([[0.5, 0.25], [0.2, 0.4], [0.9, 0.1]])).requires_grad_()
    adv = torch.tensor([1.0, -2.0, 0.5])
    loss, st = grpo_loss(logp, logp.detach(), adv)
    loss.backward()
    torch.testing.assert_close(logp.grad, -adv[:, None].expand(3, 2) / 6)
    assert st.clip_frac == 0.0 and abs(st.ratio_mean - 1.0) < 1e-6


def test_clipping_stops_gradient_beyond_the_trust_region():
    old = torch.zeros(2, 1)
    logp = torch.log(torch.tensor([[1.5], [0.5]])).requires_grad_()  # ratios 1.5 and 0.5
    loss, st = grpo_loss(logp, old, torch.tensor([1.0, -1.0]), clip_eps=0.2)
    loss.backward()
    torch.testing.assert_close(logp.grad, torch.zeros(2, 1))  # both clipped, no gradient
    assert st.clip_frac == 1.0
    logp2 = torch.log(torch.tensor([[1.5]])).requires_grad_()
    loss2, _ = grpo_loss(logp2, torch.zeros(1, 1), torch.tensor([-1.0]))
    loss2.backward()  # negative advantage, ratio above range: unclipped branch is the min
    assert float(logp2.grad) > 0


def test_kl_k3_properties_and_mask():
    a = torch.randn(50)
    assert float(kl_k3(a, a).abs().max()) == 0.0
    assert float(kl_k3(a, a + torch.randn(50)).min()) >= 0.0
    logp = torch.zeros(2, 3, requires_grad=True)
    ref = torch.full((2, 3), -1.0)
    mask = torch.tensor([[1, 1, 0], [1, 0, 0]], dtype=torch.bool)
    loss, st = grpo_loss(logp, logp.detach(), torch.zeros(2), ref_logp=ref, kl_coef=0.1,
                         mask=mask, aggregation="token")
    assert abs(st.kl - (float(torch.exp(torch.tensor(-1.0))) + 1 - 1)) < 1e-6
    loss.backward()
    assert float(logp.grad[0, 2]) == 0.0 and float(logp.grad[1, 1]) == 0.0


def test_token_logprobs_and_errors():
    logits = torch.randn(2, 3, 5)
    tok = torch.randint(0, 5, (2, 3))
    lp = token_logprobs(logits, tok)
    torch.testing.assert_close(lp, torch.log_softmax(logits, -1).gather(-1, tok[..., None])[..., 0])
    with pytest.raises(ValueError, match="aggregation"):
        grpo_loss(lp, lp, torch.zeros(2), aggregation="mean")
    with pytest.raises(ValueError, match="kl_coef"):
        grpo_loss(lp, lp, torch.zeros(2), kl_coef=0.1)
