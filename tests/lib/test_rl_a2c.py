import numpy as np
import torch

from replib.envs.ipd import SeatedRepeatedGame, fixed, obs_dim
from replib.games.matrix import prisoners_dilemma
from replib.rl.a2c import A2C, A2CConfig, PopActorCritic, collect, select_members

PD = prisoners_dilemma(R=1, S=-1, T=2, P=0).payoff
CFG = A2CConfig(lr=1e-2, gamma=0.99, gae_lambda=1.0, ent_coef=1e-3, vf_coef=0.5,
                reward_scale=0.5, norm_adv=True, grad_clip=1.0)


def make(P, B, T, coplayer="AllC", partner=None, seeds=None):
    net = PopActorCritic(n_members=P, d_obs=obs_dim(False), d_embed=8, d_hidden=8,
                         init_seeds=seeds or list(range(P)))
    env = SeatedRepeatedGame(n_envs=P * B, payoff=PD, horizon=T, partner=partner,
                             coplayer=fixed(coplayer) if coplayer else None)
    return net, env


def test_collect_shapes_and_step_equals_sequence():
    net, env = make(2, 5, 4)
    ag = A2C(net=net, config=CFG)
    ep, obs = collect(env, ag, env.reset(seed=0), torch.Generator().manual_seed(0))
    assert ep.obs.shape == (4, 2, 5, 6) and ep.actions.shape == ep.probs.shape == (4, 2, 5)
    assert ep.joint.shape == (4, 2, 5, 2)
    logits, values, _ = net(ep.obs)
    assert torch.allclose(torch.softmax(logits, -1)[..., 0], ep.probs, atol=1e-5)
    assert values.shape == (4, 2, 5)


def test_learns_to_defect_against_allc():
    net, env = make(1, 64, 4)
    ag = A2C(net=net, config=CFG)
    obs, g = env.reset(seed=0), torch.Generator().manual_seed(0)
    for _ in range(60):
        ep, obs = collect(env, ag, obs, g)
        st = ag.update(ep)
    assert st.coop[0] < 0.1 and st.mean_reward[0] > 1.7  # best response: always D, reward 2


def test_members_are_independent_and_frozen_members_stay():
    torch.manual_seed(0)
    net, env = make(2, 8, 3, seeds=[3, 4])
    ref = select_members(net, [0])
    ag = A2C(net=net, config=CFG, trainable=[True, False])
    ag_ref = A2C(net=ref, config=CFG)
    w1 = [p.clone() for p in net.members[1].parameters()]
    ep, _ = collect(env, ag, env.reset(seed=0), torch.Generator().manual_seed(0))
    ag.update(ep)
    sub = type(ep)(obs=ep.obs[:, :1], actions=ep.actions[:, :1], rewards=ep.rewards[:, :1],
                   probs=ep.probs[:, :1], joint=ep.joint[:, :1])
    ag_ref.update(sub)
    for a, b in zip(net.members[0].parameters(), ref.members[0].parameters()):
        assert torch.allclose(a, b, atol=1e-6)
    for a, b in zip(net.members[1].parameters(), w1):
        assert torch.equal(a, b)


def test_init_depends_only_on_own_seed_and_learner_pairs():
    a = PopActorCritic(n_members=2, d_obs=6, d_embed=4, d_hidden=4, init_seeds=[7, 8])
    b = PopActorCritic(n_members=1, d_obs=6, d_embed=4, d_hidden=4, init_seeds=[8])
    for x, y in zip(a.members[1].parameters(), b.members[0].parameters()):
        assert torch.equal(x, y)
    # two learners paired seat-by-seat: each sees the other's action as "other"
    net, env = make(2, 4, 3, coplayer=None, partner=np.r_[np.arange(4, 8), np.arange(4)])
    ep, _ = collect(env, A2C(net=net, config=CFG), env.reset(seed=1),
                    torch.Generator().manual_seed(1))
    assert np.array_equal(ep.joint[:, 0, :, 0], ep.joint[:, 1, :, 1])
