"""Particle-world tasks with fixed-policy co-players whose *type* the ego must infer.

Ma, Chang, Yang, Wang and Lin (2024), "Contrastive learning-based agent modeling for deep
reinforcement learning" (CLAM) evaluate on MPE's predator-prey (``simple_tag``; Lowe et al.
2017): the learner is the prey (the ego); the predators are *modeled agents* whose joint
policy is one of several fixed combinations ("types"), drawn once per episode. This module
re-implements that world in batched numpy, plus a cooperative task of our own.

Physics (MPE ``core.World.step``): ``v <- v (1 - damping) + (accel * a) dt``, speed clipped
at ``max_speed``, ``p <- p + v dt``; here the world is the square [-1, 1]^2 with walls
(a particle stops against a wall). Discrete actions as in MPE: 0 no-op, 1 -x, 2 +x, 3 -y, 4 +y.

* :class:`PredatorPrey` (competitive). Ego = prey. ``n_predators`` predators; type ``k``
  assigns each predator one heuristic from ``HEURISTICS`` (chase the prey, chase the farthest
  agent, chase the closest agent, follow the leader = predator 0, intercept the prey's
  predicted position) with action noise ``noise[k]``. Prey reward (MPE ``agent_reward``):
  ``-10`` per touching predator, plus ``shaping * sum_j |p_prey - p_j|``.
  Ego obs: own velocity and position, predators' positions relative to the ego (MPE gives
  the prey no predator velocities, so their behaviour shows only across time).
* :class:`PartnerTarget` (cooperative, ours; the paper's cooperative task is not known).
  One partner walks to landmark ``target = type % n_landmarks``; types ``>= n_landmarks``
  are "late deciders" that first walk towards the landmark after their target for
  ``horizon // 3`` steps. Landmarks sit evenly on a circle of radius 0.7 (fixed; randomly
  rotated per episode with ``rotate_landmarks=True``). The ego is paid for covering a
  *different* landmark:
  ``r = -min_{l != target} |p_ego - l|`` per step. Ego obs: own velocity and position,
  landmarks and partner relative to the ego (no partner velocity).

Both are ``envs.api.BatchedEnv`` with one learning agent (the ego; ``n_agents=1``) and the
co-players inside the dynamics. Privileged data for baselines that need it (LIAM, the
oracle) is returned in ``info``, never in the observation: ``info["type"]`` (n_envs,),
``info["modeled_obs"]`` (n_envs, n_modeled, 4: position and velocity, before the step) and
``info["modeled_actions"]`` (n_envs, n_modeled), all for the step just taken. ``env.types``
holds the current episodes' types.
"""

from __future__ import annotations

import gymnasium
import numpy as np

from replib.envs.api import BatchedEnv, EnvSpec

__all__ = ["PredatorPrey", "PartnerTarget", "HEURISTICS", "PREDATOR_TYPES", "DIRECTIONS",
           "move", "greedy_action"]

DIRECTIONS = np.array([[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]], np.float64)
HEURISTICS = ("chase_prey", "chase_farthest", "chase_closest", "follow_leader", "intercept")
# type -> (heuristic index per predator, cycled over predators; action-noise probability)
PREDATOR_TYPES = (((0,), 0.0), ((2,), 0.0), ((1,), 0.0), ((0, 3, 3), 0.0), ((4,), 0.3),
                  ((0, 2, 1), 0.0), ((3, 4, 2), 0.2), ((4, 1, 4), 0.2))


def move(pos, vel, actions, *, accel, max_speed, dt=0.1, damping=0.25):
    """One MPE integration step with walls; ``pos, vel (..., 2)``, ``actions (...)`` int."""
    vel = vel * (1 - damping) + accel * DIRECTIONS[actions] * dt
    speed = np.linalg.norm(vel, axis=-1, keepdims=True)
    vel = np.where(speed > max_speed, vel * max_speed / np.maximum(speed, 1e-12), vel)
    pos = pos + vel * dt
    hit = np.abs(pos) > 1.0
    return np.clip(pos, -1.0, 1.0), np.where(hit, 0.0, vel)


def greedy_action(delta):
    """The discrete action that best follows ``delta (..., 2)`` (larger axis wins)."""
    ax = np.abs(delta[..., 1]) > np.abs(delta[..., 0])
    sgn = np.where(ax, delta[..., 1], delta[..., 0]) > 0
    return np.where(ax, 3 + sgn, 1 + sgn).astype(np.int64)


def _box(n):
    return gymnasium.spaces.Box(-10.0, 10.0, (n,), np.float32)


class _ParticleBase(BatchedEnv):
    def _init_common(self, *, n_envs, n_types, horizon, n_modeled, obs_dim, name, agent_id):
        if n_envs < 1:
            raise ValueError(f"n_envs must be >= 1, got {n_envs}")
        if horizon < 2:
            raise ValueError(f"horizon must be an integer >= 2, got {horizon}")
        self.n_modeled = n_modeled
        self.n_types = n_types
        self.horizon = horizon
        self.spec = EnvSpec(n_envs=n_envs, observation_space=_box(obs_dim),
                            action_space=gymnasium.spaces.Discrete(5), n_agents=1,
                            horizon=horizon, agent_ids=(agent_id,), name=name)
        self.pos = np.zeros((n_envs, 1 + n_modeled, 2))  # agent 0 is the ego
        self.vel = np.zeros_like(self.pos)
        self.t = np.zeros(n_envs, np.int64)
        self.types = np.zeros(n_envs, np.int64)

    def _noisy(self, act, noise):
        flip = self.rng.random(act.shape) < noise
        return np.where(flip, self.rng.integers(0, 5, act.shape), act)

    def _modeled_obs(self):
        return np.concatenate([self.pos[:, 1:], self.vel[:, 1:]], -1).astype(np.float32)


class PredatorPrey(_ParticleBase):
    """Batched predator-prey; ego = prey (module docstring). Obs dim ``4 + 2 n_predators``."""

    def __init__(self, *, n_envs: int, n_predators: int = 3, n_types: int = 5,
                 horizon: int = 25, shaping: float = 0.1, catch_penalty: float = 10.0,
                 prey_accel: float = 4.0, prey_max_speed: float = 1.3,
                 predator_accel: float = 3.0, predator_max_speed: float = 1.0,
                 catch_radius: float = 0.125):
        if n_predators < 1:
            raise ValueError(f"n_predators must be >= 1 (at least 2 agents with the prey), "
                             f"got {n_predators}")
        if not 1 <= n_types <= len(PREDATOR_TYPES):
            raise ValueError(f"n_types must be in 1..{len(PREDATOR_TYPES)}, got {n_types}")
        self.config = dict(n_predators=n_predators, n_types=n_types, horizon=horizon,
                           shaping=shaping, catch_penalty=catch_penalty,
                           prey_accel=prey_accel, prey_max_speed=prey_max_speed,
                           predator_accel=predator_accel,
                           predator_max_speed=predator_max_speed, catch_radius=catch_radius)
        self._init_common(n_envs=n_envs, n_types=n_types, horizon=horizon,
                          n_modeled=n_predators, obs_dim=4 + 2 * n_predators,
                          name="predator_prey", agent_id="prey")
        self.__dict__.update({k: v for k, v in self.config.items() if k != "n_types"})
        # (n_types, n_predators) heuristic table and (n_types,) noise
        self.table = np.array([[h[j % len(h)] for j in range(n_predators)]
                               for h, _ in PREDATOR_TYPES[:n_types]])
        self.noise = np.array([nz for _, nz in PREDATOR_TYPES[:n_types]])

    def _reset_envs(self, idx):
        self.pos[idx] = self.rng.uniform(-1, 1, (len(idx), 1 + self.n_modeled, 2))
        self.vel[idx] = 0.0
        self.t[idx] = 0
        self.types[idx] = self.rng.integers(0, self.n_types, len(idx))

    def _observe(self):
        rel = self.pos[:, 1:] - self.pos[:, :1]
        obs = np.concatenate([self.vel[:, 0], self.pos[:, 0], rel.reshape(self.n_envs, -1)], -1)
        return obs[:, None].astype(np.float32)  # (n_envs, 1, obs_dim)

    def predator_actions(self):
        """Each predator's heuristic action, ``(n_envs, n_predators)``."""
        n, m = self.n_envs, self.n_modeled
        pred = self.pos[:, 1:]
        everyone = self.pos  # (n, 1+m, 2)
        d = np.linalg.norm(pred[:, :, None] - everyone[:, None], axis=-1)  # (n, m, 1+m)
        d[:, np.arange(m), np.arange(1, m + 1)] = np.nan  # not oneself
        far = np.nanargmax(d, -1)
        d_close = np.where(np.isnan(d), np.inf, d)
        close = d_close.argmin(-1)
        rows = np.arange(n)[:, None]
        lead = np.broadcast_to(self.pos[:, 1:2], (n, m, 2))
        prey = np.broadcast_to(self.pos[:, :1], (n, m, 2))
        dist_prey = np.linalg.norm(prey - pred, axis=-1, keepdims=True)
        ahead = prey + self.vel[:, None, 0] * np.clip(dist_prey / 0.1, 0, 10) * 0.1
        targets = np.stack([prey, everyone[rows, far], everyone[rows, close], lead, ahead], 2)
        h = self.table[self.types]  # (n, m)
        target = np.take_along_axis(targets, h[:, :, None, None], 2)[:, :, 0]
        act = greedy_action(target - pred)
        act = np.where(h == 3, np.where(np.arange(m) == 0, greedy_action(prey - pred), act), act)
        return self._noisy(act, self.noise[self.types][:, None])

    def _step(self, actions):
        a_ego = np.asarray(actions).reshape(self.n_envs).astype(np.int64)
        mobs = self._modeled_obs()
        a_pred = self.predator_actions()
        types = self.types.copy()
        pe, ve = move(self.pos[:, :1], self.vel[:, :1], a_ego[:, None],
                      accel=self.prey_accel, max_speed=self.prey_max_speed)
        pp, vp = move(self.pos[:, 1:], self.vel[:, 1:], a_pred,
                      accel=self.predator_accel, max_speed=self.predator_max_speed)
        self.pos = np.concatenate([pe, pp], 1)
        self.vel = np.concatenate([ve, vp], 1)
        dist = np.linalg.norm(self.pos[:, 1:] - self.pos[:, :1], axis=-1)  # (n, m)
        reward = -self.catch_penalty * (dist < self.catch_radius).sum(-1)
        reward = reward + self.shaping * dist.sum(-1)
        self.t += 1
        truncated = self.t >= self.horizon
        info = {"type": types, "modeled_obs": mobs, "modeled_actions": a_pred}
        return reward[:, None], np.zeros(self.n_envs, bool), truncated, info


class PartnerTarget(_ParticleBase):
    """Cooperative partner-target task (module docstring). Obs dim ``6 + 2 n_landmarks``."""

    def __init__(self, *, n_envs: int, n_landmarks: int = 3, n_types: int = 5,
                 horizon: int = 25, accel: float = 3.0, max_speed: float = 1.0,
                 partner_noise: float = 0.1, rotate_landmarks: bool = False):
        if n_landmarks < 2:
            raise ValueError(f"n_landmarks must be >= 2, got {n_landmarks}")
        if not 1 <= n_types <= 2 * n_landmarks:
            raise ValueError(f"n_types must be in 1..{2 * n_landmarks}, got {n_types}")
        self.config = dict(n_landmarks=n_landmarks, n_types=n_types, horizon=horizon,
                           accel=accel, max_speed=max_speed, partner_noise=partner_noise,
                           rotate_landmarks=rotate_landmarks)
        self._init_common(n_envs=n_envs, n_types=n_types, horizon=horizon, n_modeled=1,
                          obs_dim=6 + 2 * n_landmarks, name="partner_target", agent_id="ego")
        self.n_landmarks, self.accel, self.max_speed = n_landmarks, accel, max_speed
        self.partner_noise, self.rotate_landmarks = partner_noise, rotate_landmarks
        self.landmarks = np.zeros((n_envs, n_landmarks, 2))

    def _reset_envs(self, idx):
        k = len(idx)
        offset = self.rng.uniform(0, 2 * np.pi, (k, 1)) if self.rotate_landmarks else np.full(
            (k, 1), np.pi / 2)
        ang = offset + 2 * np.pi * np.arange(self.n_landmarks) / self.n_landmarks  # evenly spread
        self.landmarks[idx] = 0.7 * np.stack([np.cos(ang), np.sin(ang)], -1)
        self.pos[idx] = self.rng.uniform(-0.3, 0.3, (k, 2, 2))
        self.vel[idx] = 0.0
        self.t[idx] = 0
        self.types[idx] = self.rng.integers(0, self.n_types, k)

    @property
    def targets(self):
        """The partner's true target landmark per env, ``(n_envs,)``."""
        return self.types % self.n_landmarks

    def _observe(self):
        ego = self.pos[:, 0]
        rel_l = (self.landmarks - ego[:, None]).reshape(self.n_envs, -1)
        obs = np.concatenate([self.vel[:, 0], ego, rel_l, self.pos[:, 1] - ego], -1)
        return obs[:, None].astype(np.float32)

    def partner_actions(self):
        """The partner's action ``(n_envs, 1)``: to its (possibly decoy) landmark."""
        late = (self.types >= self.n_landmarks) & (self.t < self.horizon // 3)
        goal = np.where(late, (self.targets + 1) % self.n_landmarks, self.targets)
        lm = self.landmarks[np.arange(self.n_envs), goal]
        act = greedy_action(lm - self.pos[:, 1])
        near = np.linalg.norm(lm - self.pos[:, 1], axis=-1) < 0.05
        act = np.where(near, 0, act)
        return self._noisy(act, self.partner_noise)[:, None]

    def _step(self, actions):
        a_ego = np.asarray(actions).reshape(self.n_envs).astype(np.int64)
        mobs = self._modeled_obs()
        a_par = self.partner_actions()
        types = self.types.copy()
        acts = np.concatenate([a_ego[:, None], a_par], 1)
        self.pos, self.vel = move(self.pos, self.vel, acts, accel=self.accel,
                                  max_speed=self.max_speed)
        d = np.linalg.norm(self.landmarks - self.pos[:, :1], axis=-1)  # (n, L)
        d[np.arange(self.n_envs), self.targets] = np.inf
        reward = -d.min(-1)  # r = -min_{l != target} |p_ego - l|
        self.t += 1
        truncated = self.t >= self.horizon
        info = {"type": types, "modeled_obs": mobs, "modeled_actions": a_par}
        return reward[:, None], np.zeros(self.n_envs, bool), truncated, info
