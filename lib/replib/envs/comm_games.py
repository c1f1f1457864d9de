"""The "who-needs-whom" reference game and its gated multi-step variant (commformer chapter).

Built to isolate CommFormer's mechanism (Hu et al., ICLR 2024; temporal gating from arXiv
2411.00382) with a known ground-truth graph. n agents; at every step agent i privately
observes a token s_i ∈ {0..n_tokens−1} (and its own id); it is rewarded for outputting
    y_i = (Σ_{j ∈ P(i)} s_j) mod n_tokens,
where P(i) is a fixed, hidden set of ``n_parents`` other agents (drawn once from
``graph_seed``). Without hearing exactly its parents an agent is at chance 1/n_tokens: a
sum mod n_tokens is uniform as long as one summand is unknown.

Gated variant (``flag_prob`` set): each agent also sees a flag f_{i,t} ~ Bernoulli(p), and
only flagged steps count, r_{i,t} = f_{i,t}·1[a_{i,t} = y_{i,t}]; communication is needed
only when f = 1. Tokens and flags are redrawn at every step; episodes last ``horizon`` steps.

``reward="team"`` gives every agent the mean over agents (the paper's shared reward);
``"individual"`` gives each its own. ``info`` carries ``correct`` and ``flag`` (n_envs,
n_agents) for the step just taken. ``true_adjacency()`` is the receiver×sender 0/1 graph.
"""

from __future__ import annotations

import gymnasium
import numpy as np

from replib.envs.api import BatchedEnv, EnvSpec

__all__ = ["WhoNeedsWhom", "REWARD_MODES", "dependency_graph"]

REWARD_MODES = ("team", "individual")


def dependency_graph(n_agents: int, n_parents: int, *, graph_seed: int) -> np.ndarray:
    """Parents P(i): (n_agents, n_parents) distinct agents ≠ i, from ``graph_seed``."""
    if n_agents < 2:
        raise ValueError(f"n_agents must be >= 2, got {n_agents}")
    if not 1 <= n_parents <= n_agents - 1:
        raise ValueError(f"n_parents must be in [1, n_agents - 1 = {n_agents - 1}], "
                         f"got {n_parents}")
    rng = np.random.default_rng(graph_seed)
    others = [np.delete(np.arange(n_agents), i) for i in range(n_agents)]
    return np.stack([np.sort(rng.choice(o, n_parents, replace=False)) for o in others])


class WhoNeedsWhom(BatchedEnv):
    """Batched who-needs-whom game; obs per agent = [one-hot token, one-hot id, (flag)]."""

    def __init__(self, *, n_envs: int, n_agents: int = 8, n_tokens: int = 4,
                 n_parents: int = 2, horizon: int = 1, flag_prob: float | None = None,
                 reward: str = "team", graph_seed: int = 0):
        if reward not in REWARD_MODES:
            raise ValueError(f"reward must be one of {REWARD_MODES}, got {reward!r}")
        if n_tokens < 2:
            raise ValueError(f"n_tokens must be >= 2, got {n_tokens}")
        if flag_prob is not None and not 0 < flag_prob <= 1:
            raise ValueError(f"flag_prob must be in (0, 1] or None, got {flag_prob}")
        self.parents = dependency_graph(n_agents, n_parents, graph_seed=graph_seed)
        self.config = dict(n_agents=n_agents, n_tokens=n_tokens, n_parents=n_parents,
                           horizon=horizon, flag_prob=flag_prob, reward=reward,
                           graph_seed=graph_seed)
        self.n_tokens, self.horizon, self.flag_prob, self.reward = (n_tokens, horizon,
                                                                   flag_prob, reward)
        self.obs_dim = n_tokens + n_agents + (flag_prob is not None)
        self.spec = EnvSpec(
            n_envs=n_envs, n_agents=n_agents, horizon=horizon, name="who_needs_whom",
            observation_space=gymnasium.spaces.Box(0.0, 1.0, (self.obs_dim,), np.float32),
            action_space=gymnasium.spaces.Discrete(n_tokens),
            agent_ids=tuple(f"agent_{i}" for i in range(n_agents)))
        self.tokens = np.zeros((n_envs, n_agents), np.int64)
        self.flags = np.ones((n_envs, n_agents), bool)
        self.t = np.zeros(n_envs, np.int64)
        self._id = np.eye(n_agents, dtype=np.float32)

    def true_adjacency(self) -> np.ndarray:
        """A[i, j] = 1 iff j ∈ P(i) (receiver i needs sender j)."""
        n = self.spec.n_agents
        a = np.zeros((n, n), np.float32)
        a[np.repeat(np.arange(n), self.parents.shape[1]), self.parents.ravel()] = 1.0
        return a

    def targets(self) -> np.ndarray:
        """y_i = (Σ_{j∈P(i)} s_j) mod n_tokens for the current tokens, (n_envs, n_agents)."""
        return self.tokens[:, self.parents].sum(-1) % self.n_tokens

    def _draw(self, idx: np.ndarray) -> None:
        n = self.spec.n_agents
        self.tokens[idx] = self.rng.integers(0, self.n_tokens, (len(idx), n))
        if self.flag_prob is not None:
            self.flags[idx] = self.rng.random((len(idx), n)) < self.flag_prob

    def _reset_envs(self, idx: np.ndarray) -> None:
        self.t[idx] = 0
        self._draw(idx)

    def _observe(self) -> np.ndarray:
        E, n = self.tokens.shape
        parts = [np.eye(self.n_tokens, dtype=np.float32)[self.tokens],
                 np.broadcast_to(self._id, (E, n, n))]
        if self.flag_prob is not None:
            parts.append(self.flags[..., None].astype(np.float32))
        return np.concatenate(parts, -1)

    def _step(self, actions: np.ndarray):
        correct = actions.astype(np.int64) == self.targets()
        r = (correct & self.flags).astype(np.float32)  # r_i = f_i · 1[a_i = y_i]
        if self.reward == "team":
            r = np.repeat(r.mean(1, keepdims=True), self.spec.n_agents, 1)
        info = {"correct": correct, "flag": self.flags.copy()}
        self.t += 1
        term = self.t >= self.horizon
        live = np.flatnonzero(~term)
        if len(live):
            self._draw(live)
        return r, term, np.zeros(self.n_envs, bool), info

    def render_frame(self, i: int = 0) -> np.ndarray:
        """Tokens, targets and flags of instance i as a (3, n_agents) array."""
        return np.stack([self.tokens[i], self.targets()[i], self.flags[i].astype(np.int64)])
