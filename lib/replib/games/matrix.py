"""Bimatrix games: payoff tensors, classic 2x2 constructors, expected payoffs of mixed actions.

Convention (design.md 4, item 6): a game with n0 x n1 actions is a float64 array
``payoff[player, a0, a1]`` of shape (2, n0, n1); ``payoff[0]`` is the row player's matrix,
``payoff[1]`` the column player's. Action 0 is the first row/column (C in a prisoner's
dilemma, J in Akata et al.'s labels), and a float action in a 2x2 game is P(action 0).
A batch of games is an array of shape (G, 2, n0, n1). Nothing here has default payoffs: every
number comes from the chapter.

Used by coplayer-inference (IPD of Weis et al. 2026, (R, S, T, P) = (1, -1, 2, 0)),
body-reservoir ((3, 0, 5, 1), mixed actions) and repeated-games-llm (Akata et al. 2023, any
2x2 game; the 144 strict ordinal games of Robinson & Goforth 2005 via ``ordinal_2x2``).

Expected payoff of mixed strategies x (n0,), y (n1,):  u_i = x^T payoff[i] y.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

__all__ = ["MatrixGame", "battle_of_sexes", "bimatrix", "expected_payoff", "mixed_payoff",
           "ordinal_2x2", "prisoners_dilemma", "stag_hunt", "chicken"]


@dataclass(frozen=True)
class MatrixGame:
    """A named bimatrix game.

    payoff: (2, n0, n1) float64, ``payoff[player, a0, a1]``.
    actions: labels of the actions, shared by both players (len n0 == n1) or per player.
    """

    payoff: np.ndarray
    name: str
    actions: tuple[str, ...]

    @property
    def n_actions(self) -> tuple[int, int]:
        return int(self.payoff.shape[1]), int(self.payoff.shape[2])

    def swapped(self) -> MatrixGame:
        """The same game seen from the column player (player 1 becomes the row player)."""
        p = np.stack([self.payoff[1].T, self.payoff[0].T])
        return MatrixGame(payoff=p, name=self.name, actions=self.actions)


def bimatrix(row, col, *, name: str = "game", actions: tuple[str, ...] | None = None
             ) -> MatrixGame:
    """Game from the row player's matrix ``row`` (n0, n1) and the column player's ``col``."""
    row = np.asarray(row, dtype=np.float64)
    col = np.asarray(col, dtype=np.float64)
    if row.ndim != 2 or row.shape != col.shape:
        raise ValueError(f"row and col must be 2-D of the same shape, got {row.shape}, "
                         f"{col.shape}")
    if actions is None:
        actions = tuple(str(i) for i in range(row.shape[0]))
    return MatrixGame(payoff=np.stack([row, col]), name=name, actions=tuple(actions))


def _sym2x2(a, b, c, d, name, actions):
    # symmetric 2x2: row payoffs [[a, b], [c, d]], column payoffs the transpose
    row = np.array([[a, b], [c, d]], dtype=np.float64)
    return bimatrix(row, row.T, name=name, actions=actions)


def prisoners_dilemma(*, R: float, S: float, T: float, P: float,
                      actions: tuple[str, str] = ("C", "D"), check: bool = True) -> MatrixGame:
    """Symmetric PD: (C,C) -> R each, (C,D) -> S to the cooperator and T to the defector,
    (D,D) -> P each. With ``check`` the PD ordering T > R > P > S is required (raises
    ValueError naming the numbers otherwise); 2R > T + S is not required."""
    if check and not (T > R > P > S):
        raise ValueError(f"payoff must satisfy T > R > P > S for a prisoner's dilemma, got "
                         f"R={R}, S={S}, T={T}, P={P}")
    return _sym2x2(R, S, T, P, "prisoner's dilemma", actions)


def stag_hunt(*, R: float, S: float, T: float, P: float,
              actions: tuple[str, str] = ("C", "D")) -> MatrixGame:
    """Symmetric 2x2 with the same layout as the PD; stag hunt when R > T >= P > S."""
    return _sym2x2(R, S, T, P, "stag hunt", actions)


def chicken(*, R: float, S: float, T: float, P: float,
            actions: tuple[str, str] = ("C", "D")) -> MatrixGame:
    """Symmetric 2x2 with the PD layout; chicken / snowdrift when T > R > S > P."""
    return _sym2x2(R, S, T, P, "chicken", actions)


def battle_of_sexes(*, high: float, low: float, miss: float,
                    actions: tuple[str, str] = ("J", "F")) -> MatrixGame:
    """Battle of the sexes: coordinating on action 0 pays (high, low), on action 1 pays
    (low, high); miscoordination pays ``miss`` to both (Akata et al. 2023 use 10, 7, 0)."""
    row = np.array([[high, miss], [miss, low]], dtype=np.float64)
    col = np.array([[low, miss], [miss, high]], dtype=np.float64)
    return bimatrix(row, col, name="battle of the sexes", actions=actions)


def mixed_payoff(payoff, x, y) -> np.ndarray:
    """Expected payoffs of mixed actions.

    payoff: (..., 2, n0, n1); x: (..., n0) and y: (..., n1) probability vectors (broadcast
    against the leading axes of ``payoff``). Returns (..., 2): u_i = x^T payoff[i] y.
    """
    payoff = np.asarray(payoff, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return np.einsum("...a,...pab,...b->...p", x, payoff, y)


def expected_payoff(payoff, p0, p1) -> np.ndarray:
    """Expected payoffs in a 2x2 game when player i plays action 0 with probability p_i.

    payoff: (..., 2, 2, 2); p0, p1: arrays broadcastable to the batch shape (a 0/1 value is a
    pure action). Returns (..., 2). For integer actions a0, a1 pass p = 1 - a.
    """
    p0 = np.asarray(p0, dtype=np.float64)
    p1 = np.asarray(p1, dtype=np.float64)
    x = np.stack([p0, 1.0 - p0], axis=-1)
    y = np.stack([p1, 1.0 - p1], axis=-1)
    return mixed_payoff(payoff, x, y)


def ordinal_2x2() -> np.ndarray:
    """The 144 strict ordinal 2x2 games (Robinson & Goforth 2005), payoffs ranks 1..4.

    Each player's four outcomes get a permutation of ranks 1..4 (576 games); games that are
    the same up to swapping rows or swapping columns are identified, which leaves 144
    (Rapoport & Guyer 1966 count 78 when the players are also swapped). Returns
    (144, 2, 2, 2) float64 in a canonical order (lexicographic on the flattened canonical
    form). Family labels (win-win, PD family, cyclic, ...) are not assigned here.
    """
    seen: set[tuple] = set()
    out = []
    for r in itertools.permutations(range(1, 5)):
        for c in itertools.permutations(range(1, 5)):
            g = np.stack([np.array(r).reshape(2, 2), np.array(c).reshape(2, 2)])
            forms = []
            for rr in (False, True):
                for cc in (False, True):
                    h = g[:, ::-1] if rr else g
                    h = h[:, :, ::-1] if cc else h
                    forms.append(tuple(h.ravel()))
            key = min(forms)
            if key not in seen:
                seen.add(key)
                out.append(key)
    out.sort()
    return np.array(out, dtype=np.float64).reshape(-1, 2, 2, 2)
