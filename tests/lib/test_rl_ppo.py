"""rl.ppo: reaches the known optimum of tiny MDPs (single-agent chain, multi-agent masked
matching, a memory task that needs the recurrent path), steps extra parameter groups on
their own schedule, and is deterministic under a seed."""

import gymnasium
import numpy as np
import pytest
import torch
from toy_envs import Chain

from replib.envs.api import BatchedEnv, EnvSpec
from replib.rl.ppo import PPO, AuxOptimizer, MLPPolicy
from replib.rl.rollout import PolicyOut


class Match(BatchedEnv):
    """One step, n agents each see a token in 0..2 and should output it (reward 1 each);
    action 3 would pay 2 but is masked. Optimal mean reward: 1."""

    def __init__(self, *, n_envs=64, n_agents=3):
        self.config = dict(n_agents=n_agents)
        self.spec = EnvSpec(n_envs=n_envs, n_agents=n_agents, horizon=1,
                            observation_space=gymnasium.spaces.Box(0, 1, (3,)),
                            action_space=gymnasium.spaces.Discrete(4))
        self.tok = np.zeros((n_envs, n_agents), int)

    def _reset_envs(self, idx):
        self.tok[idx] = self.rng.integers(0, 3, (len(idx), self.spec.n_agents))

    def _observe(self):
        return np.eye(3, dtype=np.float32)[self.tok]

    def _action_mask(self):
        m = np.ones((*self.tok.shape, 4), bool)
        m[..., 3] = False
        return m

    def _step(self, a):
        r = np.where(a == 3, 2.0, (a == self.tok).astype(float))
        return r, np.ones(self.n_envs, bool), np.zeros(self.n_envs, bool), {}


class Recall(BatchedEnv):
    """Cue c in {0,1} shown at t=0 only; at t=1 the agent is paid 1 for answering c.
    Memoryless optimum 0.5, with memory 1."""

    def __init__(self, *, n_envs=64):
        self.config = {}
        self.spec = EnvSpec(n_envs=n_envs, horizon=2,
                            observation_space=gymnasium.spaces.Box(0, 1, (3,)),
                            action_space=gymnasium.spaces.Discrete(2))
        self.c = np.zeros(n_envs, int)
        self.t = np.zeros(n_envs, int)

    def _reset_envs(self, idx):
        self.c[idx] = self.rng.integers(0, 2, len(idx))
        self.t[idx] = 0

    def _observe(self):
        o = np.zeros((self.n_envs, 3), np.float32)
        o[self.t == 0, self.c[self.t == 0]] = 1
        o[self.t == 1, 2] = 1
        return o

    def _step(self, a):
        r = ((self.t == 1) & (a == self.c)).astype(float)
        self.t += 1
        return r, self.t >= 2, np.zeros(self.n_envs, bool), {}


class GRUPolicy(torch.nn.Module):
    def __init__(self, obs_dim, n_actions, d=32):
        super().__init__()
        self.cell = torch.nn.GRUCell(obs_dim, d)
        self.pi, self.v = torch.nn.Linear(d, n_actions), torch.nn.Linear(d, 1)

    def initial_hidden(self, n):
        return torch.zeros(n, self.cell.hidden_size)

    def forward(self, obs, *, state=None, hidden=None):
        h = self.cell(obs, hidden)
        return PolicyOut(self.pi(h), self.v(h).squeeze(-1), h)


def greedy_return(policy, env, episodes_steps=20):
    env = type(env)(n_envs=16, **env.config)
    obs, total, n = env.reset(seed=99), 0.0, 0
    h = policy.initial_hidden(16) if hasattr(policy, "initial_hidden") else None
    with torch.no_grad():
        for _ in range(episodes_steps):
            out = policy(torch.as_tensor(obs), hidden=h)
            lg = out.logits
            m = env.action_mask()
            if m is not None:
                lg = lg.masked_fill(~torch.as_tensor(m), -1e9)
            obs, r, term, trunc, info = env.step(lg.argmax(-1).numpy())
            done = term | trunc
            if out.hidden is not None:
                h = out.hidden * torch.as_tensor(~done, dtype=torch.float32)[:, None]
            total += float(np.asarray(info["episode_return"])[done].sum())
            n += int(done.sum()) * (1 if env.n_agents is None else env.n_agents)
    return total / n


def test_ppo_reaches_chain_optimum():
    torch.manual_seed(0)
    env = Chain(n_envs=8, length=4, horizon=12, step_cost=0.05)
    pol = MLPPolicy(obs_dim=5, n_actions=2, hidden_sizes=(32,))
    ppo = PPO(pol, lr=3e-3, gamma=0.99, rollout_len=32, n_epochs=4, n_minibatches=2)
    stats = ppo.learn(env, updates=20, seed=0)
    assert greedy_return(pol, env) == pytest.approx(1 - 4 * 0.05, abs=1e-6)
    assert stats[-1].env_steps == 20 * 32 * 8 and stats[-1].episodes > 0


def test_multi_agent_masked_ppo_reaches_optimum_and_never_takes_masked_action():
    torch.manual_seed(0)
    env = Match()
    pol = MLPPolicy(obs_dim=3, n_actions=4, hidden_sizes=(32,))
    ppo = PPO(pol, lr=1e-2, gamma=0.0, rollout_len=4, n_epochs=4, n_minibatches=2,
              ent_coef=0.01)
    stats = ppo.learn(env, updates=25, seed=0)
    assert max(s.mean_reward for s in stats) <= 1.0  # action 3 (reward 2) never sampled
    assert stats[-1].mean_reward > 0.95
    assert greedy_return(pol, env, 1) == 1.0


def test_a2c_special_case_learns_too():
    torch.manual_seed(1)
    env = Match()
    pol = MLPPolicy(obs_dim=3, n_actions=4, hidden_sizes=(32,))
    ppo = PPO(pol, lr=3e-2, gamma=0.0, rollout_len=4, n_epochs=1, n_minibatches=1,
              clip_eps=None, value_loss="huber", value_norm=True)
    stats = ppo.learn(env, updates=40, seed=1)
    assert stats[-1].mean_reward > 0.9


def test_recurrent_policy_solves_memory_task():
    torch.manual_seed(0)
    env = Recall()
    pol = GRUPolicy(3, 2)
    ppo = PPO(pol, lr=1e-2, gamma=0.9, rollout_len=4, n_epochs=4, n_minibatches=2)
    ppo.learn(env, updates=25, seed=0)
    assert greedy_return(pol, env, 8) == 1.0  # a memoryless policy gets 0.5


def test_aux_optimizer_steps_on_its_own_schedule_only():
    torch.manual_seed(0)
    env = Match(n_envs=8)
    pol = MLPPolicy(obs_dim=3, n_actions=4, hidden_sizes=(8,))
    alpha = torch.nn.Parameter(torch.zeros(4))

    class Wrap(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.pol, self.alpha = pol, alpha

        def forward(self, obs, *, state=None, hidden=None):
            out = self.pol(obs)
            return PolicyOut(out.logits + self.alpha, out.value, None)

    aux = AuxOptimizer(torch.optim.SGD([alpha], lr=0.1), every=5, start_update=1)
    ppo = PPO(Wrap(), lr=1e-2, gamma=0.0, rollout_len=2, n_epochs=10, n_minibatches=2,
              aux_optimizers=[aux])
    s0 = ppo.learn(env, updates=1, seed=0)
    assert s0[0].aux_steps == 0 and alpha.abs().sum() == 0  # before start_update
    w_before = pol.pi_heads[0].weight.detach().clone()
    s1 = ppo.learn(env, updates=1, seed=0)
    assert s1[0].aux_steps == 2 * 2  # epochs 4 and 9, two minibatches each
    assert alpha.abs().sum() > 0 and not torch.equal(w_before, pol.pi_heads[0].weight)
    assert all(id(p) != id(alpha) for g in ppo.optimizer.param_groups for p in g["params"])
    aux.stop_update = 2  # CommFormer's post-stable phase: the graph optimiser stops
    a_before = alpha.detach().clone()
    s2 = ppo.learn(env, updates=1, seed=0)
    assert s2[0].aux_steps == 0 and torch.equal(a_before, alpha)


def test_aux_optimizer_window():
    aux = AuxOptimizer(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1),
                       every=5, start_update=2, stop_update=4)
    on = [(u, e) for u in range(6) for e in range(10) if aux.active(u, e)]
    assert on == [(2, 4), (2, 9), (3, 4), (3, 9)]


def test_deterministic_under_seed():
    def run():
        torch.manual_seed(0)
        pol = MLPPolicy(obs_dim=3, n_actions=4, hidden_sizes=(8,))
        return [s.policy_loss for s in PPO(pol, rollout_len=2, n_epochs=2).learn(
            Match(n_envs=8), updates=3, seed=5)]
    assert run() == run()


def test_bad_value_loss_names_allowed_values():
    with pytest.raises(ValueError, match="value_loss must be one of"):
        PPO(MLPPolicy(obs_dim=3, n_actions=2), value_loss="l1")
