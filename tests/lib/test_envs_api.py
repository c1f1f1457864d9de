"""envs.api: the batched contract, auto-reset with final obs, masks, and the standard views
(gymnasium check_env, PettingZoo parallel_api_test) on two toy envs."""

import gymnasium
import numpy as np
import pytest
import torch
from toy_envs import Chain

from replib.envs.api import BatchedEnv, EnvSpec, check_conformance


class Coord(BatchedEnv):
    """Two agents, 3 actions; agent 1 may not play action 2 (masked); reward 1 when the two
    actions match; episodes last ``horizon`` steps; obs is the step counter (noisy)."""

    def __init__(self, *, n_envs=3, horizon=2):
        self.config = dict(horizon=horizon)
        self.horizon = horizon
        self.spec = EnvSpec(n_envs=n_envs, n_agents=2, horizon=horizon,
                            observation_space=gymnasium.spaces.Box(-5, 5, (2,)),
                            action_space=gymnasium.spaces.Discrete(3))
        self.t = np.zeros(n_envs, int)
        self.noise = np.zeros((n_envs, 2), np.float32)

    def _reset_envs(self, idx):
        self.t[idx] = 0
        self.noise[idx] = self.rng.normal(size=(len(idx), 2))

    def _observe(self):
        t = np.broadcast_to(self.t[:, None, None], (self.n_envs, 2, 1)).astype(np.float32)
        return np.concatenate([t, np.broadcast_to(self.noise[:, :, None], t.shape)], -1)

    def _action_mask(self):
        m = np.ones((self.n_envs, 2, 3), bool)
        m[:, 1, 2] = False
        return m

    def _step(self, a):
        self.t += 1
        r = (a[:, 0] == a[:, 1]).astype(np.float32)
        return np.stack([r, r], 1), self.t >= self.horizon, np.zeros(self.n_envs, bool), {}


def test_single_agent_conformance_and_gymnasium_check_env():
    check_conformance(Chain())


def test_multi_agent_conformance_and_parallel_api_test():
    check_conformance(Coord())


def test_auto_reset_returns_final_obs_and_episode_stats():
    env = Chain(n_envs=2, length=2, horizon=10)
    env.reset(seed=0)
    env.step(np.array([1, 0]))
    obs, r, term, trunc, info = env.step(np.array([1, 0]))
    assert term.tolist() == [True, False] and r.tolist() == [1.0, 0.0]
    assert info["final_obs"][0].argmax() == 2  # the goal cell
    assert obs[0].argmax() == 0  # already reset
    assert info["episode_return"][0] == 1.0 and info["episode_length"][0] == 2
    obs, *_ , info = env.step(np.array([0, 0]))
    assert info["episode_length"][0] == 1  # counters restarted


def test_truncation_at_horizon_and_torch_actions():
    env = Chain(n_envs=1, length=3, horizon=2)
    env.reset(seed=0)
    env.step(torch.tensor([0]))
    _, _, term, trunc, _ = env.step(torch.tensor([0]))
    assert trunc.tolist() == [True] and term.tolist() == [False]


def test_masks_shapes_and_multi_agent_rewards():
    env = Coord(n_envs=3)
    obs = env.reset(seed=1)
    assert obs.shape == (3, 2, 2)
    mask = env.action_mask()
    assert mask.shape == (3, 2, 3) and not mask[:, 1, 2].any()
    _, r, term, _, info = env.step(np.array([[0, 0], [1, 0], [2, 1]]))
    assert r.shape == (3, 2) and r[:, 0].tolist() == [1.0, 0.0, 0.0]
    assert "action_mask" in info and term.shape == (3,)


def test_bad_action_shape_and_step_before_reset():
    env = Coord()
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.zeros((3, 2), int))
    env.reset(seed=0)
    with pytest.raises(ValueError, match="leading shape"):
        env.step(np.zeros((3,), int))


def test_views_are_for_the_right_kind():
    with pytest.raises(ValueError, match="as_pettingzoo"):
        Coord().as_gymnasium()
    with pytest.raises(ValueError, match="as_gymnasium"):
        Chain().as_pettingzoo()
    pz = Coord().as_pettingzoo()
    obs, _ = pz.reset(seed=3)
    assert set(obs) == {"agent_0", "agent_1"}
    assert obs["agent_1"]["action_mask"].tolist() == [1, 1, 0]
