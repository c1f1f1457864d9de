"""Toy environments with known optima, shared by the env-API and RL tests."""

import gymnasium
import numpy as np

from replib.envs.api import BatchedEnv, EnvSpec


class Chain(BatchedEnv):
    """Single agent walks right (action 1) or left (0) on 0..length; +1 on reaching the end,
    -step_cost per step. Optimal return: 1 - length * step_cost."""

    def __init__(self, *, n_envs=4, length=3, horizon=6, step_cost=0.0):
        self.config = dict(length=length, horizon=horizon, step_cost=step_cost)
        self.length, self.horizon, self.cost = length, horizon, step_cost
        self.spec = EnvSpec(n_envs=n_envs, n_agents=None, horizon=horizon,
                            observation_space=gymnasium.spaces.Box(0, 1, (length + 1,)),
                            action_space=gymnasium.spaces.Discrete(2))
        self.pos = np.zeros(n_envs, int)
        self.t = np.zeros(n_envs, int)

    def _reset_envs(self, idx):
        self.pos[idx] = 0
        self.t[idx] = 0

    def _observe(self):
        return np.eye(self.length + 1, dtype=np.float32)[self.pos]

    def _step(self, a):
        self.pos = np.clip(self.pos + np.where(a == 1, 1, -1), 0, self.length)
        self.t += 1
        term = self.pos == self.length
        reward = (term - self.cost).astype(np.float32)
        return reward, term, (self.t >= self.horizon) & ~term, {}
