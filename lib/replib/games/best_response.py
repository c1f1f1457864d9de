"""Belief-based players for repeated 2x2 games: myopic best response to the co-player's
empirical frequency (fictitious play) and "predict, then best-respond" (order-k Markov).

These are the two decision procedures that mirror the prompting contrast of Akata et al.
2023/2025 (social chain-of-thought, SCoT): asking GPT-4 first "Which Option do you predict
the other player will choose?" and then for its best choice given that prediction made it
match an alternating partner in the Battle of the Sexes. ``PredictBR`` differs from
``FictitiousBR`` only by that explicit next-move prediction:

* FictitiousBR: belief b = P(other plays 0) = n_0 / (n_0 + n_1) of the co-player's past
  actions (1/2 before any), then the action maximising E[u_own | b].
* PredictBR(k): context c = the co-player's last k actions; counts N[c, a] of what it played
  after c; prediction a^ = argmax_a (N[c, a] + 1) (add-one smoothing; a tie, as for an
  unseen context, gives b = 1/2), then the best response to a^ (b = 1 or 0).

Expected utility u(a) = b M[a, 0] + (1 - b) M[a, 1] with M the player's own payoff matrix
(own action first). Ties in expected utility give P(action 0) = 1/2, so the seeded runner
(``games.repeated.play``) breaks them at random. Both follow the ``games.strategies``
protocol (reset / policy / observe over n rows, game-major: row = g * S + s) and need the
batch of games and their seat (player 0 = row, 1 = column) to know their payoffs.
"""

from __future__ import annotations

import numpy as np

from replib.games.repeated import as_payoff_batch
from replib.games.strategies import Strategy

__all__ = ["FictitiousBR", "PredictBR", "own_matrices"]


def own_matrices(payoff, player: int) -> np.ndarray:
    """(G, 2, 2) payoff of ``player`` indexed [own action, other action]."""
    if player not in (0, 1):
        raise ValueError(f"player must be 0 (row) or 1 (column), got {player!r}")
    pay = as_payoff_batch(payoff)
    return pay[:, 0] if player == 0 else np.transpose(pay[:, 1], (0, 2, 1))


class _BeliefBR(Strategy):
    def __init__(self, *, payoff, player: int, tol: float = 1e-9):
        self.mats = own_matrices(payoff, player)
        self.player = player
        self.tol = float(tol)

    def reset(self, n: int) -> None:
        g = self.mats.shape[0]
        if n % g:
            raise ValueError(f"{self.name}: n={n} rows is not a multiple of {g} games")
        super().reset(n)
        self.M = np.repeat(self.mats, n // g, axis=0)  # (n, 2, 2), game-major rows

    def _best_response(self, b: np.ndarray) -> np.ndarray:
        eu = self.M[:, :, 0] * b[:, None] + self.M[:, :, 1] * (1.0 - b[:, None])  # (n, 2)
        diff = eu[:, 0] - eu[:, 1]
        return np.where(diff > self.tol, 1.0, np.where(diff < -self.tol, 0.0, 0.5))


def _executed(other) -> np.ndarray:
    """Executed action of the co-player as int 0/1 (a float P(action 0) is rounded)."""
    other = np.asarray(other)
    if other.dtype.kind == "f":
        return (other < 0.5).astype(np.int64)
    return other.astype(np.int64)


class FictitiousBR(_BeliefBR):
    """Myopic best response to the co-player's empirical action frequency."""

    name = "Myopic-BR"

    def reset(self, n: int) -> None:
        super().reset(n)
        self.counts = np.zeros((n, 2))

    def policy(self) -> np.ndarray:
        tot = self.counts.sum(1)
        b = np.where(tot > 0, self.counts[:, 0] / np.maximum(tot, 1), 0.5)
        return self._best_response(b)

    def observe(self, own, other) -> None:
        a = _executed(other)
        self.counts[np.arange(self.n), a] += 1


class PredictBR(_BeliefBR):
    """Predict the co-player's next action with an order-k Markov model, then best-respond."""

    def __init__(self, *, payoff, player: int, k: int = 1, tol: float = 1e-9):
        if not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be an integer >= 1, got {k!r}")
        super().__init__(payoff=payoff, player=player, tol=tol)
        self.k = int(k)
        self.name = f"Predict-BR(k={self.k})"

    def reset(self, n: int) -> None:
        super().reset(n)
        self.counts = np.zeros((n, 2 ** self.k, 2))
        self.hist = np.zeros((n, self.k), dtype=np.int64)  # last k actions, oldest first
        self.seen = 0

    def _context(self) -> np.ndarray:
        return self.hist @ (2 ** np.arange(self.k - 1, -1, -1))

    def predict(self) -> np.ndarray:
        """(n,) belief P(other plays 0) used this round: 1, 0 or 1/2 (tie / too early)."""
        if self.seen < self.k:
            return np.full(self.n, 0.5)
        c = self.counts[np.arange(self.n), self._context()] + 1.0  # add-one smoothing
        return np.where(c[:, 0] > c[:, 1], 1.0, np.where(c[:, 0] < c[:, 1], 0.0, 0.5))

    def policy(self) -> np.ndarray:
        return self._best_response(self.predict())

    def observe(self, own, other) -> None:
        a = _executed(other)
        if self.seen >= self.k:
            self.counts[np.arange(self.n), self._context(), a] += 1
        self.hist = np.concatenate([self.hist[:, 1:], a[:, None]], axis=1)
        self.seen += 1
