"""rl.rejection: tabular policy, RFT on winners, feedback model."""

import numpy as np
import pytest
import torch

from replib.rl.rejection import FeedbackModel, TabularPolicy, rft_round, rft_update


def test_truthful_prior_and_log_prob():
    pol = TabularPolicy(n_slots=3, n_states=4, n_choices=4, strength=5.0)
    states = torch.tensor([[0, 2, 3]])
    lp = torch.log_softmax(pol.logits(states), -1)
    assert lp.shape == (1, 3, 4)
    assert torch.allclose(lp.argmax(-1), states)
    msg = torch.tensor([[0, 2, 3]])
    expect = 3 * float(np.log(np.exp(5) / (np.exp(5) + 3)))
    assert float(pol.log_prob(states, msg).detach()) == pytest.approx(expect, rel=1e-5)


def test_rft_moves_mass_to_winners_and_kl_pulls_back():
    states = torch.zeros(64, 2, dtype=torch.long)
    winners = torch.ones(64, 2, dtype=torch.long)
    free = TabularPolicy(n_slots=2, n_states=4, n_choices=4, strength=2.0)
    tied = TabularPolicy(n_slots=2, n_states=4, n_choices=4, strength=2.0)
    s1 = rft_update(free, states, winners, beta_kl=0.0, lr=0.2, steps=30)
    s2 = rft_update(tied, states, winners, beta_kl=5.0, lr=0.2, steps=30)
    assert s1.nll_after < s1.nll_before and s2.nll_after > s1.nll_after


def test_rft_round_selects_best_candidates():
    pol = TabularPolicy(n_slots=4, n_states=2, n_choices=2, strength=0.0)
    states = torch.zeros(32, 4, dtype=torch.long)
    g = torch.Generator().manual_seed(0)
    _, win = rft_round(pol, states, n_samples=8, score=lambda c: c.sum(-1), beta_kl=0.0,
                       lr=0.1, steps=5, generator=g, rng=np.random.default_rng(0))
    assert win.shape == (32, 4) and win.sum(-1).mean() > 2.5  # best of 8 beats the mean 2


def test_feedback_model_recovers_linear_law():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 3.0
    fm = FeedbackModel(ridge=1e-6).fit(X, y)
    assert np.allclose(fm.predict(X), y, atol=1e-4)
    with pytest.raises(RuntimeError, match="before fit"):
        FeedbackModel().predict(X)
