import numpy as np
import pytest

from replib.games.matrix import prisoners_dilemma
from replib.rl import coplayer as CP
from replib.rl.a2c import A2CConfig

PD = prisoners_dilemma(R=1, S=-1, T=2, P=0).payoff
CFG = A2CConfig(lr=5e-3, gamma=0.99, gae_lambda=0.99, ent_coef=0.01, vf_coef=0.5,
                reward_scale=0.2, norm_adv=True, grad_clip=1.0)
KW = dict(payoff=PD, horizon=4, batch=8, d_embed=4, d_hidden=4)


def test_pair_partner_is_mutual():
    p = CP.pair_partner(2, 4, 0.5)
    paired = np.flatnonzero(p >= 0)
    assert len(paired) == 8 and np.array_equal(p[p[paired]], paired)
    assert np.all(p[[2, 3, 6, 7, 10, 11, 14, 15]] == -1)


def test_pipeline_shapes_and_determinism():
    net, cur = CP.train_pool(seeds=[0, 1], updates=2, config=CFG, **KW)
    assert cur.reward.shape == (2, 2)
    ev = CP.evaluate(net, opponents=["AllC", "TFT"], payoff=PD, horizon=4, n_episodes=3,
                     seed=5)
    assert ev["p_coop"].shape == (4, 2, 2) and np.all(ev["co_coop"][:, :, 0] == 1)
    ex, _, fin = CP.train_exploiters(net, seeds=[0, 1], updates=2, config=CFG, n_eval=4, **KW)
    assert fin["exploiter"].shape == (2,) and ex.n_members == 2
    _, before, after, within = CP.train_mutual(ex, seeds=[0, 1], payoff=PD, horizon=4,
                                               batch=8, updates=1, config=CFG, n_eval=4)
    assert within.shape == (4, 2) and before.shape == after.shape == (2,)
    a = CP.train_pairs(condition="opponent-id", seeds=[3], updates=2, config=CFG, n_eval=4,
                       **KW)[1]
    b = CP.train_pairs(condition="opponent-id", seeds=[3], updates=2, config=CFG, n_eval=4,
                       **KW)[1]
    assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="condition"):
        CP.train_pairs(condition="selfish", seeds=[0], updates=1, config=CFG, n_eval=2, **KW)


def test_in_context_checks_on_known_profiles():
    from replib.rl.coplayer import in_context_checks
    T, names = 16, ["AllC", "AllD", "TFT"]
    ideal = np.zeros((T, 2, 3))
    ideal[:T - 2, :, 2] = 1.0   # cooperate with TFT until the last two rounds, defect otherwise
    stats, ok = in_context_checks(ideal, names, T)
    assert ok.all() and np.allclose(stats["defect vs AllC"], 1)
    blind = np.full((T, 2, 3), 0.5)  # the same against everyone: not an in-context response
    assert not in_context_checks(blind, names, T)[1].any()
