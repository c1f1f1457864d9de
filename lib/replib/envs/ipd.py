"""Iterated 2x2 game (IPD) as a ``BatchedEnv``, against learners or a co-player pool.

Weis et al. 2026 (arXiv:2602.16301), Sec. 3: T rounds of simultaneous C/D (action 0 = C);
each agent observes the start token s0, then the previous joint action from its own side
(own action first), so 5 tokens: 0 = s0, 1 = CC, 2 = CD, 3 = DC, 4 = DD
(token = 1 + 2 * own + other); rewards come from ``payoff[player, a0, a1]`` (games.matrix).
Observation vector (float32) per agent = [one-hot token (5), previous own reward (1)] and,
with ``opponent_id=True`` (the paper's "explicit identification" ablation), 6 more entries:
z = log q of a tabular co-player (5 log-probabilities, clipped at log 1e-3) and a flag that
is 1 when the co-player is a learner (z = 0 then).

Two modes:
* ``coplayer=None``: two learners, ``n_agents=2``; obs (n_envs, 2, d_obs), actions (n_envs, 2).
* ``coplayer=factory``: one learner against a scripted co-player; ``factory(rng, n)`` returns
  a ``games.strategies.Strategy`` for n rows, drawn afresh at every episode start (e.g.
  ``random_tabular`` = memory-1 tables q ~ U(0,1)^5, resampled per episode, as in the paper's
  pool); obs (n_envs, d_obs), actions (n_envs,).
Every episode lasts exactly ``horizon`` rounds (the game ends: ``terminated``), so all
instances reset together.
``info["joint"]`` (n_envs, 2) holds the executed actions (learner first in the pool mode).
"""

from __future__ import annotations

from collections.abc import Callable

import gymnasium
import numpy as np

from replib.envs.api import BatchedEnv, EnvSpec
from replib.games.strategies import Memory1, Strategy, by_name, random_memory1

__all__ = ["RepeatedGameEnv", "SeatedRepeatedGame", "random_tabular", "fixed", "obs_dim",
           "N_TOKENS"]

N_TOKENS = 5
CoplayerFactory = Callable[[np.random.Generator, int], Strategy]


def random_tabular(rng: np.random.Generator, n: int) -> Memory1:
    """Pool factory: n memory-1 tabular co-players, q ~ U(0, 1)^5 each."""
    return random_memory1(rng, n)


def fixed(strategy: Strategy | str) -> CoplayerFactory:
    """Pool factory that always plays one strategy (an instance or a ``by_name`` name)."""
    def make(rng: np.random.Generator, n: int) -> Strategy:
        import copy
        return by_name(strategy) if isinstance(strategy, str) else copy.deepcopy(strategy)
    return make


def obs_dim(opponent_id: bool) -> int:
    return N_TOKENS + 1 + (6 if opponent_id else 0)


class SeatedRepeatedGame(BatchedEnv):
    """Iterated 2x2 game over n_envs *seats* (single-agent batched API; one row = one
    learner's side of a game). Seat i plays seat ``partner[i]`` (pairs must be mutual:
    partner[partner[i]] == i; the lower seat index is the row player of ``payoff``) or, where
    ``partner[i] == -1``, a scripted co-player: ``coplayer(rng, n_scripted)`` is a
    ``Strategy`` for those seats (in seat order), drawn afresh every episode.

    This is the training path for populations of learners (``rl.a2c``): P learners x B seats
    each, seat = member * B + b; paired seats give learner-vs-learner games, unpaired ones
    games against the pool. ``info["joint"]`` (n_envs, 2): [own, other] executed actions.
    """

    def __init__(self, *, n_envs: int, payoff, horizon: int, partner=None,
                 coplayer: CoplayerFactory | None = None, noise: float = 0.0,
                 opponent_id: bool = False):
        payoff = np.asarray(payoff, dtype=np.float64)
        if payoff.shape != (2, 2, 2):
            raise ValueError(f"payoff must be a (2, 2, 2) bimatrix, got {payoff.shape}")
        if horizon < 1 or n_envs < 1:
            raise ValueError(f"horizon and n_envs must be >= 1, got {horizon}, {n_envs}")
        if not 0.0 <= noise <= 1.0:
            raise ValueError(f"noise must be in [0, 1], got {noise}")
        n = int(n_envs)
        partner = np.full(n, -1) if partner is None else np.asarray(partner, np.int64)
        paired = partner >= 0
        if partner.shape != (n,) or np.any(partner >= n) or np.any(
                partner[partner[paired]] != np.flatnonzero(paired)) or np.any(
                partner[paired] == np.flatnonzero(paired)):
            raise ValueError("partner must be (n_envs,) with -1 (scripted) or a mutual pairing "
                             "of distinct seats")
        if not paired.all() and coplayer is None:
            raise ValueError("seats with partner -1 need a coplayer factory")
        self.payoff, self.horizon, self.noise = payoff, int(horizon), float(noise)
        self.partner, self.paired = partner, paired
        self.scripted = np.flatnonzero(~paired)
        self.row_player = np.where(paired, np.arange(n) < partner, True)
        self.coplayer, self.opponent_id = coplayer, bool(opponent_id)
        self.config = dict(payoff=payoff, horizon=horizon, partner=partner, coplayer=coplayer,
                           noise=noise, opponent_id=opponent_id)
        self.spec = self._make_spec(n)

    def _make_spec(self, n: int) -> EnvSpec:
        lo = min(self.payoff.min(), np.log(1e-3), 0.0)
        hi = max(self.payoff.max(), 1.0)
        box = gymnasium.spaces.Box(np.float32(lo), np.float32(hi), (obs_dim(self.opponent_id),),
                                   np.float32)
        return EnvSpec(n_envs=n, observation_space=box, action_space=gymnasium.spaces.Discrete(2),
                       horizon=self.horizon, name="repeated_game")

    def single(self) -> BatchedEnv:
        if self.paired.any():
            raise ValueError("a single-seat view needs an unpaired (scripted co-player) env")
        return type(self)(n_envs=1, **{**self.config, "partner": None})

    # ----- hooks -----------------------------------------------------------------------------
    def _reset_envs(self, idx: np.ndarray) -> None:
        n = len(self.partner)
        if len(idx) != self.n_envs:
            raise RuntimeError("repeated-game episodes have a fixed horizon and reset together")
        self.t = 0
        self.token = np.zeros(n, np.int64)
        self.prev_r = np.zeros(n, np.float32)
        self.ident = np.zeros((n, 6), np.float32)
        self.ident[self.paired, 5] = 1.0
        self.co = None
        if len(self.scripted):
            self.co = self.coplayer(self.rng, len(self.scripted))
            self.co.reset(len(self.scripted))
            if self.opponent_id:
                if not isinstance(self.co, Memory1):
                    raise ValueError("opponent_id needs memory-1 tabular co-players (Memory1)")
                q = np.broadcast_to(self.co.q, (len(self.scripted), 5))
                self.ident[self.scripted, :5] = np.log(np.clip(q, 1e-3, 1.0))

    def _observe(self) -> np.ndarray:
        parts = [np.eye(N_TOKENS, dtype=np.float32)[self.token], self.prev_r[:, None]]
        if self.opponent_id:
            parts.append(self.ident)
        return np.concatenate(parts, -1)

    def _seat_step(self, own: np.ndarray):
        own = np.asarray(own).astype(np.int64).reshape(-1)
        if np.any((own < 0) | (own > 1)):
            raise ValueError("actions must be 0 (C) or 1 (D)")
        if self.noise > 0:
            flip = self.rng.random(own.shape) < self.noise
            own = np.where(flip, 1 - own, own)
        other = np.where(self.paired, own[np.maximum(self.partner, 0)], 0)
        if self.co is not None:
            p = self.co.policy()
            b = (self.rng.random(len(self.scripted)) >= p).astype(np.int64)
            if self.noise > 0:
                b = np.where(self.rng.random(b.shape) < self.noise, 1 - b, b)
            other[self.scripted] = b
            self.co.observe(b, own[self.scripted])
        a0 = np.where(self.row_player, own, other)
        a1 = np.where(self.row_player, other, own)
        r = np.where(self.row_player, self.payoff[0, a0, a1], self.payoff[1, a0, a1])
        self.token = 1 + 2 * own + other
        self.prev_r = r.astype(np.float32)
        self.t += 1
        done = np.full(len(own), self.t >= self.horizon)
        return r, done, np.stack([own, other], 1)

    def _step(self, actions: np.ndarray):
        r, done, joint = self._seat_step(actions)
        return r, done, np.zeros(self.n_envs, bool), {"joint": joint}

    def render_frame(self, i: int = 0) -> np.ndarray:
        return np.array([self.token[i]])


class RepeatedGameEnv(SeatedRepeatedGame):
    """Iterated 2x2 game per instance; see the module docstring for the two modes."""

    def __init__(self, *, n_envs: int, payoff, horizon: int,
                 coplayer: CoplayerFactory | None = None, noise: float = 0.0,
                 opponent_id: bool = False):
        self.two = coplayer is None
        seats = 2 * n_envs if self.two else n_envs
        partner = np.arange(seats) ^ 1 if self.two else None
        super().__init__(n_envs=seats, payoff=payoff, horizon=horizon, partner=partner,
                         coplayer=coplayer, noise=noise, opponent_id=opponent_id)
        self.config = dict(payoff=self.payoff, horizon=horizon, coplayer=coplayer, noise=noise,
                           opponent_id=opponent_id)
        if self.two:
            sp = self.spec
            self.spec = EnvSpec(n_envs=int(n_envs), observation_space=sp.observation_space,
                                action_space=sp.action_space, n_agents=2, horizon=sp.horizon,
                                agent_ids=("player_0", "player_1"), name=sp.name)

    def single(self) -> BatchedEnv:
        return type(self)(n_envs=1, **self.config)

    def _observe(self) -> np.ndarray:
        obs = super()._observe()
        return obs.reshape(self.n_envs, 2, -1) if self.two else obs

    def _step(self, actions: np.ndarray):
        r, done, joint = self._seat_step(actions)
        if self.two:  # seat pairs (2i, 2i + 1) are players 0 and 1 of instance i
            return (r.reshape(-1, 2), done[::2], np.zeros(self.n_envs, bool),
                    {"joint": joint[::2]})
        return r, done, np.zeros(self.n_envs, bool), {"joint": joint}

    def render_frame(self, i: int = 0) -> np.ndarray:
        return self.token[2 * i: 2 * i + 2].copy() if self.two else self.token[i: i + 1].copy()
