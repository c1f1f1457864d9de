"""One vectorised runner for repeated 2x2 games over (games x pairs x seeds).

Round t of every (game g, pair k, seed s) cell, with p_i = strategy_i.policy() = P(action 0):
  discrete play:  intended a_i = 0 if u_i < p_i else 1 (u ~ U(0,1)); execution noise flips
                  a_i with probability ``noise``; payoff r_i = payoff[g, i, a_0, a_1].
  mixed play:     the action is the probability itself; noise gives
                  p'_i = (1 - noise) p_i + noise (1 - p_i); r = expected payoff (games.matrix).
Both players then observe the executed actions (``Strategy.observe(own, other)``).

Randomness: seed s has its own numpy stream ``default_rng(s)`` that draws the uniforms of all
its cells up front, shape (G, K, n_rounds, 2 players, 2 uses: action, noise), so adding a
seed never changes another seed's play. Each strategy of a pair runs n = G * S rows, ordered
game-major (row = g * S + s): a Memory1 with per-row tables needs G * S rows.
Strategies are deep-copied per pair and player, so one instance may appear in several
pairs (or as both players).

Used by coplayer-inference (Weis et al. 2026: IPD with memory-1 tabular co-players),
repeated-games-llm (Akata et al. 2023) and body-reservoir (mixed actions). The per-player view
(own action first, as in Weis et al.'s observations) is ``RoundLog.view(player)``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from replib.games.matrix import MatrixGame, expected_payoff
from replib.games.strategies import Strategy

__all__ = ["RoundLog", "play", "as_payoff_batch", "memory1_best_response"]


@dataclass(frozen=True)
class RoundLog:
    """Per-round log of a batch of repeated games. Axes: (G games, K pairs, S seeds,
    n_rounds, 2 players). Player 0 is the first strategy of each pair (the row player).

    probs:    float64 P(action 0) each player's strategy chose (before noise)
    intended: discrete: int8 sampled action before noise; mixed: = probs
    actions:  discrete: int8 executed action (0 = C); mixed: float64 executed P(action 0)
    payoffs:  float64 payoff each player received
    """

    probs: np.ndarray
    intended: np.ndarray
    actions: np.ndarray
    payoffs: np.ndarray
    mixed: bool
    pair_names: tuple[tuple[str, str], ...]
    seeds: tuple[int, ...]

    @property
    def n_rounds(self) -> int:
        return int(self.actions.shape[3])

    def coop(self) -> np.ndarray:
        """(G, K, S, n_rounds, 2) cooperation indicator (discrete) or P(C) (mixed)."""
        return self.actions.astype(np.float64) if self.mixed else (self.actions == 0) * 1.0

    def coop_rate(self) -> np.ndarray:
        """(G, K, S, 2) mean cooperation over rounds."""
        return self.coop().mean(axis=3)

    def mean_payoff(self) -> np.ndarray:
        """(G, K, S, 2) mean per-round payoff."""
        return self.payoffs.mean(axis=3)

    def view(self, player: int) -> dict[str, np.ndarray]:
        """Player's own view: {'own', 'other', 'reward'}, each (G, K, S, n_rounds)."""
        if player not in (0, 1):
            raise ValueError(f"player must be 0 or 1, got {player}")
        return {"own": self.actions[..., player], "other": self.actions[..., 1 - player],
                "reward": self.payoffs[..., player]}


def as_payoff_batch(games) -> np.ndarray:
    """A MatrixGame, a (2,2,2) array, a list of either, or a (G,2,2,2) array -> (G,2,2,2)."""
    if isinstance(games, MatrixGame):
        games = [games]
    if isinstance(games, (list, tuple)):
        games = [g.payoff if isinstance(g, MatrixGame) else np.asarray(g) for g in games]
        games = np.stack(games)
    games = np.asarray(games, dtype=np.float64)
    if games.ndim == 3:
        games = games[None]
    if games.shape[1:] != (2, 2, 2):
        raise ValueError(f"games must be 2x2 bimatrix games (G, 2, 2, 2), got {games.shape}")
    return games


def play(games, pairs: list[tuple[Strategy, Strategy]], *, n_rounds: int, seeds: list[int],
         noise: float = 0.0, mixed: bool = False) -> RoundLog:
    """Play every pair in every game for every seed, ``n_rounds`` rounds each.

    games: see ``as_payoff_batch``; pairs: list of (row strategy, column strategy); noise:
    execution-noise probability in [0, 1] (a trembling hand); mixed: play probabilities as
    actions (expected payoffs) instead of sampling. Returns a ``RoundLog``.
    """
    pay = as_payoff_batch(games)
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise must be in [0, 1], got {noise}")
    if n_rounds < 1 or not pairs or not seeds:
        raise ValueError("need n_rounds >= 1, at least one pair and at least one seed")
    G, K, S = pay.shape[0], len(pairs), len(seeds)
    u = np.stack([np.random.default_rng(s).random((G, K, n_rounds, 2, 2)) for s in seeds],
                 axis=2)  # (G, K, S, R, player, use)
    n = G * S
    players = []
    for a, b in pairs:
        pa, pb = copy.deepcopy(a), copy.deepcopy(b)
        pa.reset(n)
        pb.reset(n)
        players.append((pa, pb))
    probs = np.empty((G, K, S, n_rounds, 2))
    acts = np.empty((G, K, S, n_rounds, 2), dtype=np.float64 if mixed else np.int8)
    intended = np.empty_like(acts)
    pays = np.empty((G, K, S, n_rounds, 2))
    pay_b = pay[:, None, None]  # (G, 1, 1, 2, 2, 2)
    for t in range(n_rounds):
        for k, (pa, pb) in enumerate(players):
            probs[:, k, :, t, 0] = pa.policy().reshape(G, S)
            probs[:, k, :, t, 1] = pb.policy().reshape(G, S)
        p = probs[:, :, :, t]
        ut = u[:, :, :, t]
        if mixed:
            intended[:, :, :, t] = p
            ex = (1 - noise) * p + noise * (1 - p)
            acts[:, :, :, t] = ex
            pays[:, :, :, t] = expected_payoff(pay_b, ex[..., 0], ex[..., 1])
        else:
            a = (ut[..., 0] >= p).astype(np.int8)  # 0 = action 0 with prob p
            intended[:, :, :, t] = a
            ex = np.where(ut[..., 1] < noise, 1 - a, a).astype(np.int8)
            acts[:, :, :, t] = ex
            g = np.broadcast_to(np.arange(G)[:, None, None], ex.shape[:3])
            pays[:, :, :, t, 0] = pay[g, 0, ex[..., 0], ex[..., 1]]
            pays[:, :, :, t, 1] = pay[g, 1, ex[..., 0], ex[..., 1]]
        for k, (pa, pb) in enumerate(players):
            e0 = acts[:, k, :, t, 0].reshape(n)
            e1 = acts[:, k, :, t, 1].reshape(n)
            pa.observe(e0, e1)
            pb.observe(e1, e0)
    names = tuple((a.name, b.name) for a, b in pairs)
    return RoundLog(probs=probs, intended=intended, actions=acts, payoffs=pays, mixed=mixed,
                    pair_names=names, seeds=tuple(int(s) for s in seeds))


def memory1_best_response(q, payoff, *, n_rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact finite-horizon dynamic programming against known memory-1 co-players.

    q: (n, 5) co-player tables [s0, CC, CD, DC, DD] from *its* side; payoff (2, 2, 2) with
    the agent as the row player. Backward induction over the 5 observable states gives the
    optimal expected total reward of an agent that knows q. Returns (optimal, AllD) mean
    reward per round, each (n,). This is the ceiling an in-context learner can approach.
    """
    q = np.atleast_2d(np.asarray(q, dtype=np.float64))
    pay = np.asarray(payoff, dtype=np.float64)[0]
    opp = np.array([0, 1, 3, 2, 4])  # the co-player's view of the agent's state
    v = np.zeros((len(q), 5))
    vd = np.zeros((len(q), 5))
    for _ in range(n_rounds):
        qv = np.empty((len(q), 5, 2))
        for s in range(5):
            pc = q[:, opp[s]]
            for a in (0, 1):
                qv[:, s, a] = (pc * (pay[a, 0] + v[:, 1 + 2 * a])
                               + (1 - pc) * (pay[a, 1] + v[:, 2 + 2 * a]))
        vd = np.stack([q[:, opp[s]] * (pay[1, 0] + vd[:, 3])
                       + (1 - q[:, opp[s]]) * (pay[1, 1] + vd[:, 4]) for s in range(5)], 1)
        v = qv.max(-1)
    return v[:, 0] / n_rounds, vd[:, 0] / n_rounds
