"""Arenas: who plays whom (schedules), simulated results from latent ratings, and a
round-robin that plays agents through a callable into a win or payoff matrix.

Schedules return two index arrays ``(a, b)`` with one entry per match (a = first side,
e.g. Pro in a debate). Simulated outcomes follow the Elo/Bradley–Terry curve
P(a beats b) = 1 / (1 + 10^{(R_b − R_a)/400}) (debate, arXiv 2408.04472, Fig. 5 uses the
same curve to turn Elo into predicted win rates), optionally with a first-side advantage
in rating points. Everything is batched over arenas: ``simulate_outcomes`` with
``n_arenas`` returns (n_arenas, n_matches) results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["round_robin", "random_pairs", "side_swap", "simulate_outcomes", "PayoffMatrix",
           "play_round_robin"]


def _check_n(n_players: int) -> None:
    if not isinstance(n_players, (int, np.integer)) or n_players < 2:
        raise ValueError(f"n_players must be an integer >= 2, got {n_players!r}")


def round_robin(n_players: int, *, n_rounds: int = 1,
                swap_sides: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every unordered pair i < j once per round (twice with sides swapped if asked)."""
    _check_n(n_players)
    if n_rounds < 1:
        raise ValueError(f"n_rounds must be >= 1, got {n_rounds}")
    i, j = np.triu_indices(n_players, k=1)
    a, b = np.tile(i, n_rounds), np.tile(j, n_rounds)
    return side_swap(a, b) if swap_sides else (a, b)


def random_pairs(n_players: int, n_matches: int, *, rng: np.random.Generator,
                 n_arenas: int | None = None,
                 weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Uniformly random distinct pairs (a, b), sides random; shape (n_matches,) or
    (n_arenas, n_matches). ``weights`` (N,) makes a player appear in proportion."""
    _check_n(n_players)
    if n_matches < 1:
        raise ValueError(f"n_matches must be >= 1, got {n_matches}")
    shape = (n_matches,) if n_arenas is None else (n_arenas, n_matches)
    p = None
    if weights is not None:
        p = np.asarray(weights, dtype=np.float64)
        if p.shape != (n_players,) or np.any(p < 0) or p.sum() <= 0:
            raise ValueError(f"weights must be ({n_players},) non-negative, not all zero")
        p = p / p.sum()
    a = rng.choice(n_players, size=shape, p=p)
    b = rng.choice(n_players, size=shape, p=p)
    clash = a == b
    while np.any(clash):  # redraw the second side where it equals the first
        b[clash] = rng.choice(n_players, size=int(clash.sum()), p=p)
        clash = a == b
    return a, b


def side_swap(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each match played twice, once from each side: (a ++ b, b ++ a) along the last axis."""
    a, b = np.asarray(a), np.asarray(b)
    return np.concatenate([a, b], axis=-1), np.concatenate([b, a], axis=-1)


def simulate_outcomes(ratings: np.ndarray, a: np.ndarray, b: np.ndarray, *,
                      rng: np.random.Generator, n_arenas: int | None = None,
                      scale: float = 400.0, first_side_bonus: float = 0.0,
                      draw_prob: float = 0.0) -> np.ndarray:
    """Bernoulli results (1 = a wins, 0 = b wins, 0.5 = draw) from latent Elo ratings.

    ``a``, ``b`` may already carry an arena axis; ``n_arenas`` adds one to a shared
    schedule. A draw happens with probability ``draw_prob``, otherwise the Elo curve with
    ``first_side_bonus`` rating points for side a decides.
    """
    r = np.asarray(ratings, dtype=np.float64)
    a, b = np.asarray(a), np.asarray(b)
    if not 0.0 <= draw_prob < 1.0:
        raise ValueError(f"draw_prob must be in [0, 1), got {draw_prob}")
    p = 1.0 / (1.0 + 10.0 ** ((r[b] - r[a] - first_side_bonus) / scale))
    shape = p.shape if n_arenas is None else (n_arenas,) + p.shape
    u = rng.random(shape)
    y = (u < p).astype(np.float64)
    if draw_prob > 0:
        y[rng.random(shape) < draw_prob] = 0.5
    return y


@dataclass(frozen=True)
class PayoffMatrix:
    """Mean payoff of row player i against column player j over the games played,
    ``wins[i, j]`` (payoff > opponent's payoff counts 1, equal ½) and ``games[i, j]``."""

    payoff: np.ndarray
    wins: np.ndarray
    games: np.ndarray
    names: tuple[str, ...]

    def win_rate(self) -> np.ndarray:
        """wins / games (NaN on the diagonal and where no game was played)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.games > 0, self.wins / np.maximum(self.games, 1), np.nan)


def play_round_robin(play: Callable[[int, int, int], tuple[float, float]], *,
                     names: Sequence[str], n_repeats: int = 1, swap_sides: bool = True,
                     include_self: bool = False) -> PayoffMatrix:
    """Play every pair through ``play(i, j, repeat) -> (payoff_i, payoff_j)``.

    With ``swap_sides`` each ordered pair (i first, j first) is played ``n_repeats`` times;
    otherwise each unordered pair i < j. Payoffs are accumulated from both seats.
    """
    n = len(names)
    _check_n(n)
    if n_repeats < 1:
        raise ValueError(f"n_repeats must be >= 1, got {n_repeats}")
    pay = np.zeros((n, n))
    wins = np.zeros((n, n))
    games = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if (i == j and not include_self) or (not swap_sides and j < i):
                continue
            for rep in range(n_repeats):
                pi, pj = play(i, j, rep)
                pay[i, j] += pi
                games[i, j] += 1
                wins[i, j] += 1.0 if pi > pj else (0.5 if pi == pj else 0.0)
                if i != j:
                    pay[j, i] += pj
                    games[j, i] += 1
                    wins[j, i] += 1.0 if pj > pi else (0.5 if pi == pj else 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(games > 0, pay / np.maximum(games, 1), np.nan)
    return PayoffMatrix(mean, wins, games, tuple(str(x) for x in names))
