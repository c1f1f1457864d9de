"""IC3Net-style grid Predator–Prey, batched (commformer chapter, ``full`` profile only).

Re-implemented from the published description of the task (Singh, Jain, Sukhbaatar, ICLR
2019, "Learning when to communicate at scale", Sec. 4; also used by CommFormer, Hu et al.,
ICLR 2024), not copied. ``n_agents`` predators and one prey live on a ``grid × grid``
board; predators, prey start on distinct random cells. Each predator sees its own cell as a
one-hot over the board and, in a (2v+1)² window around itself (v = ``vision``), three
channels per cell: outside the board, another predator, the prey. Actions (5): 0 up, 1 right,
2 down, 3 left, 4 stay; a move into a wall leaves the predator where it is. A predator that
has reached the prey stays on it (IC3Net's cooperative mode). Rewards per predator and step:

    r_i = 0 if predator i is on the prey, else  −step_penalty   (IC3Net: 0.05)

``reward="team"`` gives every predator the mean over predators. The episode terminates when
all predators are on the prey (``success``) and is truncated after ``max_steps``. The prey is
static (the paper's setting) or, with ``moving_prey=True``, takes a uniform random move each
step. ``info``: ``on_prey`` (n_envs, n_agents) and ``success`` (n_envs,) for the step taken.
"""

from __future__ import annotations

import gymnasium
import numpy as np

from replib.envs.api import BatchedEnv, EnvSpec

__all__ = ["GridPredatorPrey", "MOVES", "REWARD_MODES"]

MOVES = np.array([[-1, 0], [0, 1], [1, 0], [0, -1], [0, 0]], np.int64)  # up right down left stay
REWARD_MODES = ("individual", "team")


class GridPredatorPrey(BatchedEnv):
    """Batched IC3Net Predator–Prey; obs per predator = [one-hot cell, window channels]."""

    def __init__(self, *, n_envs: int, n_agents: int = 5, grid: int = 10, vision: int = 0,
                 max_steps: int = 40, moving_prey: bool = False, step_penalty: float = 0.05,
                 reward: str = "individual"):
        if n_agents < 1:
            raise ValueError(f"n_agents must be >= 1, got {n_agents}")
        if not isinstance(grid, int) or grid < 2 or grid * grid < n_agents + 1:
            raise ValueError(f"grid must be an integer >= 2 with grid² >= n_agents + 1 = "
                             f"{n_agents + 1}, got {grid}")
        if vision < 0:
            raise ValueError(f"vision must be an integer >= 0, got {vision}")
        if max_steps < 1:
            raise ValueError(f"max_steps must be an integer >= 1, got {max_steps}")
        if reward not in REWARD_MODES:
            raise ValueError(f"reward must be one of {REWARD_MODES}, got {reward!r}")
        self.config = dict(n_agents=n_agents, grid=grid, vision=vision, max_steps=max_steps,
                           moving_prey=moving_prey, step_penalty=step_penalty, reward=reward)
        self.grid, self.vision, self.max_steps = grid, vision, max_steps
        self.moving_prey, self.step_penalty, self.reward = moving_prey, step_penalty, reward
        w = 2 * vision + 1
        self.obs_dim = grid * grid + 3 * w * w
        self.spec = EnvSpec(
            n_envs=n_envs, n_agents=n_agents, horizon=max_steps, name="grid_predator_prey",
            observation_space=gymnasium.spaces.Box(0.0, 1.0, (self.obs_dim,), np.float32),
            action_space=gymnasium.spaces.Discrete(5),
            agent_ids=tuple(f"predator_{i}" for i in range(n_agents)))
        self.pred = np.zeros((n_envs, n_agents, 2), np.int64)
        self.prey = np.zeros((n_envs, 2), np.int64)
        self.t = np.zeros(n_envs, np.int64)

    def on_prey(self) -> np.ndarray:
        """(n_envs, n_agents) bool: predator i stands on the prey's cell."""
        return (self.pred == self.prey[:, None]).all(-1)

    def _reset_envs(self, idx: np.ndarray) -> None:
        g, n = self.grid, self.spec.n_agents
        cells = np.argsort(self.rng.random((len(idx), g * g)), axis=1)[:, : n + 1]
        pos = np.stack([cells // g, cells % g], -1)  # distinct cells: prey first
        self.prey[idx], self.pred[idx] = pos[:, 0], pos[:, 1:]
        self.t[idx] = 0

    def _observe(self) -> np.ndarray:
        E, n = self.pred.shape[:2]
        g, v = self.grid, self.vision
        w = 2 * v + 1
        cell = np.zeros((E, n, g * g), np.float32)
        np.put_along_axis(cell, (self.pred[..., 0] * g + self.pred[..., 1])[..., None], 1.0, -1)
        off = np.stack(np.meshgrid(np.arange(-v, v + 1), np.arange(-v, v + 1),
                                   indexing="ij"), -1).reshape(-1, 2)  # (w², 2)
        look = self.pred[:, :, None, :] + off  # (E, n, w², 2)
        outside = ((look < 0) | (look >= g)).any(-1)
        prey = (look == self.prey[:, None, None, :]).all(-1)
        # other predators in each viewed cell (a predator never counts itself)
        same = (look[:, :, :, None, :] == self.pred[:, None, None, :, :]).all(-1)  # (E,n,w²,n)
        same &= ~np.eye(n, dtype=bool)[None, :, None, :]
        other = same.any(-1)
        win = np.stack([outside, other, prey], -1).reshape(E, n, 3 * w * w)
        return np.concatenate([cell, win.astype(np.float32)], -1)

    def _step(self, actions: np.ndarray):
        a = actions.astype(np.int64).reshape(self.pred.shape[:2])
        if ((a < 0) | (a > 4)).any():
            raise ValueError("actions must be in {0..4} (up, right, down, left, stay)")
        frozen = self.on_prey()[..., None]  # predators on the prey stay there
        self.pred = np.where(frozen, self.pred, np.clip(self.pred + MOVES[a], 0, self.grid - 1))
        if self.moving_prey:
            m = MOVES[self.rng.integers(0, 5, len(self.prey))]
            self.prey = np.clip(self.prey + m, 0, self.grid - 1)
        on = self.on_prey()
        r = np.where(on, 0.0, -self.step_penalty).astype(np.float32)
        if self.reward == "team":
            r = np.repeat(r.mean(1, keepdims=True), self.spec.n_agents, 1)
        self.t += 1
        success = on.all(1)
        trunc = (self.t >= self.max_steps) & ~success
        return r, success, trunc, {"on_prey": on, "success": success}

    def state(self) -> np.ndarray:
        """Global state: predator and prey coordinates scaled to [0, 1]."""
        g = max(self.grid - 1, 1)
        return np.concatenate([self.pred.reshape(len(self.pred), -1), self.prey], 1) / g

    def render_frame(self, i: int = 0) -> np.ndarray:
        """Board of instance i: 0 empty, 1 predator(s), 2 prey, 3 prey with a predator."""
        b = np.zeros((self.grid, self.grid), np.int64)
        b[self.pred[i, :, 0], self.pred[i, :, 1]] = 1
        b[self.prey[i, 0], self.prey[i, 1]] += 2
        return b
