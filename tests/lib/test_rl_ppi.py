import numpy as np
import torch

from replib.envs.ipd import SeatedRepeatedGame, fixed
from replib.games.matrix import prisoners_dilemma
from replib.rl import ppi

PD = prisoners_dilemma(R=1, S=-1, T=2, P=0).payoff


def test_tokens_and_teacher_forced_shapes():
    tr = ppi.tabular_trajectories(payoff=PD, horizon=5, n=7, seed=0)
    assert tr.own.shape == tr.other.shape == tr.reward.shape == (5, 7)
    tok = tr.tokens()
    assert (tok[0] == 0).all() and torch.equal(tok[1], 1 + 2 * tr.own[0] + tr.other[0])
    r = torch.as_tensor(PD[0])[tr.own, tr.other].float()
    assert torch.allclose(tr.reward, r)
    m = ppi.SeqWorldModel(d_hidden=8)
    la, lb, rr = m(tr)
    assert la.shape == lb.shape == (5, 7, 2) and rr.shape == (5, 7)


def test_world_model_learns_allc_and_ppi_defects():
    # data: random own actions against AllC; the model must predict "co-player plays C" and
    # the reward, and the improved policy must prefer D (Q(D) - Q(C) = 1 per round here)
    g = torch.Generator().manual_seed(0)
    T, n = 4, 256
    own = torch.randint(2, (T, n), generator=g)
    other = torch.zeros_like(own)
    rew = torch.as_tensor(PD[0])[own, other].float()
    data = ppi.Trajectories(own, other, rew)
    model, hist = ppi.fit_world_model(data, d_hidden=16, epochs=30, batch_size=64, lr=1e-2,
                                      weight_decay=1e-2, grad_clip=1.0, generator=g)
    assert hist[-1] < hist[0] and hist[-1] < 0.75  # ~ln 2 for the random own action
    h, a_log = model.step(torch.zeros(1, 16), torch.zeros(1, dtype=torch.long), torch.zeros(1))
    q = ppi.q_estimate(model, h, rollout_len=3, n_samples=512, generator=g)
    assert abs(float(q[0, 1] - q[0, 0]) - 1.0) < 0.25
    p = ppi.improved_policy(a_log, q, beta=5.0)
    assert p[0, 1] > 0.9
    env = SeatedRepeatedGame(n_envs=8, payoff=PD, horizon=T, coplayer=fixed("AllC"))
    tr, pc = ppi.collect_ppi(model, env, beta=5.0, rollout_len=2, n_samples=8, seed=0,
                             generator=g)
    assert pc.shape == (T, 8) and float(pc.mean()) < 0.2
    assert np.isclose(float(tr.reward.mean()), 2 - 3 * float((tr.own == 0).float().mean()))


def test_beta_zero_is_prior():
    a = torch.randn(5, 2)
    p = ppi.improved_policy(a, torch.randn(5, 2), beta=0.0)
    assert torch.allclose(p, torch.softmax(a, -1))


def test_sequence_forward_equals_stepwise_reference():
    tr = ppi.tabular_trajectories(payoff=PD, horizon=6, n=5, seed=3)
    torch.manual_seed(0)
    m = ppi.SeqWorldModel(d_hidden=8)
    for fast, slow in zip(m(tr), m.forward_stepwise(tr)):
        assert torch.allclose(fast, slow, atol=1e-6)


def test_train_ppi_is_seeded_and_evaluates_per_opponent():
    cfg = ppi.PPIConfig(d_hidden=8, epochs=1, batch_size=32, lr=1e-2, beta=1.0,
                        rollout_len=2, n_samples=2)
    kw = dict(payoff=PD, horizon=5, phases=2, n_traj=16, pretrain_n=32, config=cfg, seed=4)
    m1, c1 = ppi.train_ppi(**kw)
    m2, c2 = ppi.train_ppi(**kw)
    assert [r["phase"] for r in c1] == [1, 2] and c1 == c2
    ev = ppi.evaluate_ppi(m1, opponents=["AllC", "AllD", "TFT"], payoff=PD, horizon=5,
                          n_episodes=4, config=cfg, seed=0)
    assert ev["p_coop"].shape == ev["coop"].shape == (5, 3)
    assert (ev["co_coop"][:, 0] == 1).all() and (ev["co_coop"][:, 1] == 0).all()


def test_reward_is_predicted_from_the_joint_action():
    # Paper App. A.3.1: p(r_t | x_<t, a_{t-1}, o_t): the reward is predicted after the
    # observation that reveals the co-player's action. Against a co-player that plays C or D
    # at random, a reward head that sees only the own action can predict E_b[r | a] at best
    # (0.5 after C, 1 after D), and a rollout would feed that back as r_{t-1}, a value never
    # seen in training; the model must give the payoff of each joint action (a, b).
    g = torch.Generator().manual_seed(1)
    T, n = 4, 512
    own = torch.randint(2, (T, n), generator=g)
    other = torch.randint(2, (T, n), generator=g)
    rew = torch.as_tensor(PD[0])[own, other].float()
    model, _ = ppi.fit_world_model(ppi.Trajectories(own, other, rew), d_hidden=16, epochs=30,
                                   batch_size=64, lr=1e-2, weight_decay=1e-2, grad_clip=1.0,
                                   generator=g)
    h, _ = model.step(torch.zeros(4, 16), torch.zeros(4, dtype=torch.long), torch.zeros(4))
    a, b = torch.tensor([0, 0, 1, 1]), torch.tensor([0, 1, 0, 1])
    with torch.no_grad():
        r = model.reward(h, a, b)
    assert torch.allclose(r, torch.as_tensor(PD[0])[a, b].float(), atol=0.15)
