"""Batched environments: the one interface training uses, plus gymnasium/PettingZoo views.

design.md §5.4. A ``BatchedEnv`` steps ``n_envs`` independent copies of an environment at
once, on numpy arrays (torch tensors are accepted as actions and converted). Single- and
multi-agent envs share one interface; multi-agent arrays carry an ``n_agents`` axis right
after the ``n_envs`` axis. All agents of one env instance start and end their episode
together (the envs in this book are team or simultaneous-move games).

Writing an env (subclass ``BatchedEnv``)
    * in ``__init__``: set ``self.spec = EnvSpec(...)`` and ``self.config`` (dict of the
      keyword arguments, without ``n_envs``, that rebuild the same env: ``type(env)(n_envs=1,
      **env.config)`` is how the views make a single instance).
    * ``_reset_envs(idx)``: start new episodes in the env instances ``idx`` (int array),
      drawing randomness from ``self.rng`` (a numpy Generator set by ``reset``).
    * ``_observe()``: current observations, shape ``(n_envs, [n_agents,] *obs_shape)``.
    * ``_step(actions)`` -> ``(reward, terminated, truncated, info)``: advance every instance
      by one step (no resetting). ``reward`` is ``(n_envs, [n_agents])`` float32,
      ``terminated``/``truncated`` are ``(n_envs,)`` bool, ``info`` a dict of arrays.
    * optional: ``_action_mask()`` -> bool ``(n_envs, [n_agents,] n_actions)`` (True = legal),
      ``state()`` (global state for a centralised critic, default: agents' obs concatenated),
      ``render_frame(i)`` (an RGB array or any picture of instance ``i`` for widget replays).

Using an env
    ``obs = env.reset(seed=0)``; ``obs, reward, terminated, truncated, info = env.step(a)``
    with ``a`` of shape ``(n_envs, [n_agents,] *action_shape)``. Finished instances are
    reset automatically: ``obs`` is already the new episode's first observation, and
    ``info["final_obs"]`` holds the last observation of the finished one (rows where
    ``terminated | truncated``; other rows repeat ``obs``). ``info["episode_return"]``
    (``(n_envs, [n_agents])``) and ``info["episode_length"]`` (``(n_envs,)``) are valid on the
    rows that just finished. ``env.action_mask()`` (also ``info["action_mask"]``) is the mask
    for the returned ``obs``, or ``None`` when every action is always legal.

Views: ``as_gymnasium()`` (single-agent envs, a ``gymnasium.Env``) and ``as_pettingzoo()``
(multi-agent envs, a ``pettingzoo.ParallelEnv``; masks go into the observation as
``{"observation", "action_mask"}``, the PettingZoo convention). ``check_conformance(env)``
runs gymnasium's ``check_env`` or PettingZoo's ``parallel_api_test`` on the view and checks
the batched contract (shapes, spaces, auto-reset, seeding).
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from typing import Any

import gymnasium
import numpy as np

__all__ = ["EnvSpec", "BatchedEnv", "GymnasiumView", "PettingZooView", "GymnasiumBatch",
           "check_conformance", "to_numpy"]


def to_numpy(x: Any) -> np.ndarray:
    """Array-like (numpy, torch on any device, list) to a numpy array."""
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


@dataclass(frozen=True)
class EnvSpec:
    """Shapes and spaces of a batched env; spaces are per agent and per instance."""

    n_envs: int
    observation_space: gymnasium.Space
    action_space: gymnasium.Space
    n_agents: int | None = None  # None: single-agent (no agent axis in the arrays)
    horizon: int | None = None  # max episode length, when fixed
    state_space: gymnasium.Space | None = None  # global state for centralised critics
    agent_ids: tuple[str, ...] = field(default=())
    name: str = "env"

    @property
    def multi_agent(self) -> bool:
        return self.n_agents is not None

    @property
    def lead_shape(self) -> tuple[int, ...]:
        """Leading array axes: ``(n_envs,)`` or ``(n_envs, n_agents)``."""
        return (self.n_envs,) if self.n_agents is None else (self.n_envs, self.n_agents)


class BatchedEnv:
    """Base class of every batched env (see the module docstring for the contract)."""

    spec: EnvSpec
    config: dict

    # --- hooks a subclass implements -------------------------------------------------------
    def _reset_envs(self, idx: np.ndarray) -> None:
        raise NotImplementedError

    def _observe(self) -> np.ndarray:
        raise NotImplementedError

    def _step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
        raise NotImplementedError

    def _action_mask(self) -> np.ndarray | None:
        return None

    def state(self) -> np.ndarray:
        """Global state ``(n_envs, *state_shape)``; default: all agents' obs, flattened."""
        obs = self._observe()
        return obs.reshape(obs.shape[0], -1)

    def render_frame(self, i: int = 0) -> np.ndarray:
        """A picture of instance ``i`` (default: its observation array)."""
        return np.asarray(self._observe()[i])

    # --- the public batched API -------------------------------------------------------------
    @property
    def n_envs(self) -> int:
        return self.spec.n_envs

    @property
    def n_agents(self) -> int | None:
        return self.spec.n_agents

    def reset(self, seed: int | None = None) -> np.ndarray:
        """Start every instance afresh; ``seed`` seeds ``self.rng`` (None: fresh entropy)."""
        self.rng = np.random.default_rng(seed)
        self._ep_return = np.zeros(self.spec.lead_shape, np.float64)
        self._ep_len = np.zeros(self.n_envs, np.int64)
        self._reset_envs(np.arange(self.n_envs))
        return self._observe()

    def action_mask(self) -> np.ndarray | None:
        """Legal actions for the current obs, bool ``(n_envs, [n_agents,] n_actions)``."""
        return self._action_mask()

    def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        if not hasattr(self, "rng"):
            raise RuntimeError("call reset(seed) before step(actions)")
        actions = to_numpy(actions)
        if actions.shape[: len(self.spec.lead_shape)] != self.spec.lead_shape:
            raise ValueError(f"actions must have leading shape {self.spec.lead_shape}, "
                             f"got {actions.shape}")
        reward, terminated, truncated, info = self._step(actions)
        reward = np.asarray(reward, np.float32)
        terminated = np.asarray(terminated, bool)
        truncated = np.asarray(truncated, bool)
        self._ep_return += reward
        self._ep_len += 1
        done = terminated | truncated
        info = dict(info)
        info["episode_return"] = self._ep_return.astype(np.float32)
        info["episode_length"] = self._ep_len.copy()
        final = self._observe()
        if done.any():
            idx = np.flatnonzero(done)
            final = final.copy()
            self._reset_envs(idx)
            self._ep_return[idx] = 0.0
            self._ep_len[idx] = 0
        obs = self._observe()
        info["final_obs"] = final
        mask = self._action_mask()
        if mask is not None:
            info["action_mask"] = mask
        return obs, reward, terminated, truncated, info

    # --- views ------------------------------------------------------------------------------
    def single(self) -> BatchedEnv:
        """A fresh one-instance copy of this env (same config)."""
        return type(self)(n_envs=1, **self.config)

    def as_gymnasium(self) -> GymnasiumView:
        if self.spec.multi_agent:
            raise ValueError("as_gymnasium() is for single-agent envs; use as_pettingzoo()")
        return GymnasiumView(self.single())

    def as_pettingzoo(self) -> PettingZooView:
        if not self.spec.multi_agent:
            raise ValueError("as_pettingzoo() is for multi-agent envs; use as_gymnasium()")
        return PettingZooView(self.single())


class GymnasiumView(gymnasium.Env):
    """A one-instance single-agent ``BatchedEnv`` as a ``gymnasium.Env``."""

    metadata = {"render_modes": []}

    def __init__(self, env: BatchedEnv):
        assert env.n_envs == 1 and not env.spec.multi_agent
        self.env = env
        self.observation_space = env.spec.observation_space
        self.action_space = env.spec.action_space

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        if seed is None and hasattr(self.env, "rng"):
            seed = int(self.env.rng.integers(2**31))  # continue the view's own stream
        obs = self.env.reset(seed=seed)
        mask = self.env.action_mask()
        return obs[0], ({} if mask is None else {"action_mask": mask[0]})

    def step(self, action):
        obs, r, term, trunc, info = self.env.step(np.asarray(action)[None])
        done = bool(term[0] or trunc[0])
        out = info["final_obs"][0] if done else obs[0]
        extra = {"action_mask": info["action_mask"][0]} if "action_mask" in info else {}
        return out, float(r[0]), bool(term[0]), bool(trunc[0]), extra


class PettingZooView:
    """A one-instance multi-agent ``BatchedEnv`` as a PettingZoo ``ParallelEnv``."""

    metadata = {"render_modes": [], "name": "replib_batched", "is_parallelizable": True}
    render_mode = None

    def __init__(self, env: BatchedEnv):
        assert env.n_envs == 1 and env.spec.multi_agent
        self.env = env
        n = env.spec.n_agents
        self.possible_agents = list(env.spec.agent_ids or [f"agent_{i}" for i in range(n)])
        self.agents: list[str] = []
        self._masked = None
        self._obs_space = None

    @property
    def unwrapped(self):
        return self

    def observation_space(self, agent: str) -> gymnasium.Space:
        if self._obs_space is None:  # PettingZoo wants the same object back every call
            space = self.env.spec.observation_space
            if self._has_mask():
                n = int(self.env.spec.action_space.n)
                space = gymnasium.spaces.Dict({"observation": space,
                                               "action_mask": gymnasium.spaces.MultiBinary(n)})
            self._obs_space = space
        return self._obs_space

    def action_space(self, agent: str) -> gymnasium.Space:
        return self.env.spec.action_space

    def _has_mask(self) -> bool:
        if self._masked is None:
            if not hasattr(self.env, "rng"):
                self.env.reset(seed=0)
            self._masked = self.env.action_mask() is not None
        return self._masked

    def _pack(self, obs: np.ndarray, mask: np.ndarray | None) -> dict:
        out = {}
        for j, a in enumerate(self.possible_agents):
            if mask is None:
                out[a] = obs[0, j]
            else:
                out[a] = {"observation": obs[0, j], "action_mask": mask[0, j].astype(np.int8)}
        return out

    def reset(self, seed: int | None = None, options: dict | None = None):
        if seed is None and hasattr(self.env, "rng"):
            seed = int(self.env.rng.integers(2**31))
        obs = self.env.reset(seed=seed)
        self.agents = list(self.possible_agents)
        return self._pack(obs, self.env.action_mask()), {a: {} for a in self.agents}

    def step(self, actions: dict):
        space = self.env.spec.action_space
        default = np.zeros(space.shape, space.dtype)
        acts = np.stack([np.asarray(actions.get(a, default)) for a in self.possible_agents])[None]
        obs, r, term, trunc, info = self.env.step(acts)
        done = bool(term[0] or trunc[0])
        src = info["final_obs"] if done else obs
        out = self._pack(src, info.get("action_mask"))
        agents = list(self.agents)
        rewards = {a: float(r[0, j]) for j, a in enumerate(self.possible_agents) if a in agents}
        terms = {a: bool(term[0]) for a in agents}
        truncs = {a: bool(trunc[0]) for a in agents}
        out = {a: out[a] for a in agents}
        if done:
            self.agents = []
        return out, rewards, terms, truncs, {a: {} for a in agents}

    def render(self):
        return self.env.render_frame(0)

    def close(self):
        pass

    def state(self) -> np.ndarray:
        return self.env.state()[0]


class GymnasiumBatch(BatchedEnv):
    """``n_envs`` copies of a registered gymnasium env stepped in a loop (as SB3's
    ``DummyVecEnv``), so external single-agent tasks run on the batched interface."""

    def __init__(self, *, n_envs: int = 1, env_id: str, env_kwargs: dict | None = None):
        self.config = dict(env_id=env_id, env_kwargs=env_kwargs)
        self.envs = [gymnasium.make(env_id, **(env_kwargs or {})) for _ in range(n_envs)]
        e = self.envs[0]
        horizon = getattr(e.spec, "max_episode_steps", None)
        self.spec = EnvSpec(n_envs=n_envs, observation_space=e.observation_space,
                            action_space=e.action_space, horizon=horizon, name=env_id)
        self._obs = np.zeros((n_envs, *e.observation_space.shape), e.observation_space.dtype)

    def _reset_envs(self, idx):
        for i in idx:
            self._obs[i] = self.envs[i].reset(seed=int(self.rng.integers(2**31)))[0]

    def _observe(self):
        return self._obs.copy()

    def _step(self, actions):
        n = self.n_envs
        rew, term, trunc = np.zeros(n, np.float32), np.zeros(n, bool), np.zeros(n, bool)
        for i, env in enumerate(self.envs):
            a = actions[i].item() if actions[i].ndim == 0 else actions[i]
            self._obs[i], rew[i], term[i], trunc[i], _ = env.step(a)
        return rew, term, trunc, {}


def _check_batched(env: BatchedEnv, steps: int) -> None:
    spec = env.spec
    obs = env.reset(seed=123)
    obs2 = type(env)(n_envs=env.n_envs, **env.config).reset(seed=123)
    assert np.array_equal(obs, obs2), "reset(seed) must be deterministic"
    assert obs.shape[: len(spec.lead_shape)] == spec.lead_shape, "obs leading axes"
    flat = obs.reshape(-1, *spec.observation_space.shape)
    assert all(spec.observation_space.contains(o) for o in flat[:64]), "obs outside space"
    rng = np.random.default_rng(0)
    seen_done = False
    for _ in range(steps):
        mask = env.action_mask()
        if isinstance(spec.action_space, gymnasium.spaces.Discrete):
            n = int(spec.action_space.n)
            logits = rng.random((*spec.lead_shape, n))
            if mask is not None:
                assert mask.shape == (*spec.lead_shape, n) and mask.any(-1).all()
                logits = np.where(mask, logits, -1.0)
            act = logits.argmax(-1)
        else:
            act = np.stack([spec.action_space.sample() for _ in range(int(np.prod(
                spec.lead_shape)))]).reshape(*spec.lead_shape, *spec.action_space.shape)
        obs, r, term, trunc, info = env.step(act)
        assert obs.shape == info["final_obs"].shape
        assert r.shape == spec.lead_shape and term.shape == trunc.shape == (env.n_envs,)
        seen_done |= bool((term | trunc).any())
        if spec.horizon is not None:
            assert (info["episode_length"] <= spec.horizon).all(), "episode exceeds horizon"
    if spec.horizon is not None and steps >= spec.horizon:
        assert seen_done, "no episode ended within the horizon"


def check_conformance(env: BatchedEnv, *, steps: int = 50, num_cycles: int = 200) -> None:
    """Raise ``AssertionError`` unless ``env`` meets the batched contract and its standard view
    passes gymnasium's ``check_env`` (single-agent) or PettingZoo's ``parallel_api_test``."""
    _check_batched(env, steps)
    sink = io.StringIO()  # the reference checkers print; the library does not
    with contextlib.redirect_stdout(sink):
        if env.spec.multi_agent:
            from pettingzoo.test import parallel_api_test

            parallel_api_test(env.as_pettingzoo(), num_cycles=num_cycles)
        else:
            from gymnasium.utils.env_checker import check_env

            check_env(env.as_gymnasium(), skip_render_check=True)
