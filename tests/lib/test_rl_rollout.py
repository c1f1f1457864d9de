"""rl.rollout: GAE against a direct sum, log-probs/entropy, masks, hidden resets, and the
collector's storage shapes, episode bookkeeping and time-limit bootstrap."""

import gymnasium
import numpy as np
import torch

from replib.envs.api import BatchedEnv, EnvSpec
from replib.rl.rollout import (
    Collector,
    PolicyOut,
    RunningNorm,
    gae,
    log_prob_entropy,
    masked_logits,
    reset_hidden,
    sample_actions,
)


def test_gae_matches_direct_discounted_sum_and_lambda_one_is_monte_carlo():
    torch.manual_seed(0)
    T, gamma, lam = 6, 0.9, 0.8
    r, v = torch.randn(T, 2), torch.randn(T, 2)
    dones = torch.zeros(T, 2, dtype=torch.bool)
    dones[2, 0] = True
    last = torch.randn(2)
    adv, ret = gae(r, v, dones, last, gamma=gamma, gae_lambda=lam)
    for e in range(2):
        for t in range(T):
            total, coef = 0.0, 1.0
            for k in range(t, T):
                nxt = last[e] if k == T - 1 else v[k + 1, e]
                nd = 0.0 if dones[k, e] else 1.0
                total += coef * (r[k, e] + gamma * nxt * nd - v[k, e])
                if dones[k, e]:
                    break
                coef *= gamma * lam
            assert abs(float(adv[t, e]) - float(total)) < 1e-5
    adv1, ret1 = gae(r, v, dones, last, gamma=gamma, gae_lambda=1.0)
    mc = r[0, 0] + gamma * r[1, 0] + gamma**2 * r[2, 0]  # episode ends at t=2
    assert abs(float(ret1[0, 0]) - float(mc)) < 1e-5
    assert torch.allclose(ret, adv + v)


def test_gae_broadcasts_over_agents():
    r, v = torch.ones(3, 2, 4), torch.zeros(3, 2, 4)
    d = torch.zeros(3, 2, dtype=torch.bool)
    adv, _ = gae(r, v, d, torch.zeros(2, 4), gamma=1.0, gae_lambda=1.0)
    assert adv.shape == (3, 2, 4) and torch.allclose(adv[0], torch.full((2, 4), 3.0))


def test_log_prob_entropy_single_and_multi_head():
    lg = torch.log(torch.tensor([[0.5, 0.25, 0.25]]))
    logp, ent = log_prob_entropy(lg, torch.tensor([1]))
    assert torch.allclose(logp, torch.log(torch.tensor([0.25])))
    assert torch.allclose(ent, torch.tensor([1.5 * float(np.log(2))]), atol=1e-6)
    logp2, ent2 = log_prob_entropy((lg, lg), torch.tensor([[1, 0]]))
    assert torch.allclose(logp2, torch.log(torch.tensor([0.125])))
    assert torch.allclose(ent2, 2 * ent)


def test_masked_sampling_never_picks_illegal_and_is_seeded():
    lg = torch.zeros(1000, 4)
    mask = torch.tensor([True, False, True, False]).expand(1000, 4)
    g = torch.Generator().manual_seed(0)
    a = sample_actions(masked_logits(lg, mask), generator=g)
    assert set(a.tolist()) == {0, 2}
    b = sample_actions(masked_logits(lg, mask), generator=torch.Generator().manual_seed(0))
    assert torch.equal(a, b)
    _, ent = log_prob_entropy(masked_logits(lg, mask), a)
    assert torch.allclose(ent, torch.full((1000,), float(np.log(2))), atol=1e-5)


def test_reset_hidden_zeroes_only_starting_envs():
    h = (torch.ones(3, 2, 5), torch.ones(3, 5))
    out = reset_hidden(h, torch.tensor([False, True, False]))
    assert out[0][1].abs().sum() == 0 and out[0][0].sum() == 10 and out[1][1].sum() == 0


def test_running_norm_matches_numpy():
    x = torch.randn(1000) * 3 + 2
    n = RunningNorm()
    n.update(x[:300])
    n.update(x[300:])
    assert abs(n.mean - float(x.mean())) < 1e-4 and abs(n.var - float(x.var(False))) < 1e-3


class Const(BatchedEnv):
    """Reward 1 per step, truncated after ``horizon`` steps (never terminal)."""

    def __init__(self, *, n_envs=2, horizon=3, n_agents=2):
        self.config = dict(horizon=horizon, n_agents=n_agents)
        self.horizon = horizon
        self.spec = EnvSpec(n_envs=n_envs, n_agents=n_agents, horizon=horizon,
                            observation_space=gymnasium.spaces.Box(0, 10, (1,)),
                            action_space=gymnasium.spaces.Discrete(2))
        self.t = np.zeros(n_envs, int)

    def _reset_envs(self, idx):
        self.t[idx] = 0

    def _observe(self):
        return np.repeat(self.t[:, None, None], self.spec.n_agents, 1).astype(np.float32)

    def _step(self, a):
        self.t += 1
        return (np.ones((self.n_envs, self.spec.n_agents)), np.zeros(self.n_envs, bool),
                self.t >= self.horizon, {})


class ConstValue(torch.nn.Module):
    def __init__(self, v):
        super().__init__()
        self.v = v
        self.w = torch.nn.Parameter(torch.zeros(1))

    def forward(self, obs, *, state=None, hidden=None):
        return PolicyOut(torch.zeros(*obs.shape[:-1], 2), torch.full(obs.shape[:-1], self.v),
                         None)


def test_collector_shapes_episode_stats_and_truncation_bootstrap():
    env = Const(n_envs=2, horizon=3)
    col = Collector(env, ConstValue(5.0), rollout_len=7, gamma=0.5, gae_lambda=1.0, seed=0)
    ro = col.collect()
    assert ro.obs.shape == (7, 2, 2, 1) and ro.actions.shape == (7, 2, 2)
    assert ro.rewards.shape == (7, 2, 2) and ro.dones.shape == (7, 2)
    assert ro.dones[:, 0].tolist() == [False, False, True] * 2 + [False]
    assert ro.starts[0].all() and ro.starts[3].all() and not ro.starts[1].any()
    # truncated at t=2: reward 1 + gamma * V(final) = 1 + 0.5 * 5
    assert torch.allclose(ro.rewards[2], torch.full((2, 2), 3.5))
    assert ro.episode_returns.shape == (4, 2) and (ro.episode_returns == 3).all()
    assert (ro.episode_lengths == 3).all() and ro.n_steps == 14
