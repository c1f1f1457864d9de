"""Classical repeated-game strategies as batched state machines (numpy).

Interface (every strategy; ``n`` independent episodes are played side by side):
    s.reset(n)            start n fresh episodes (clears the state; parameters stay)
    p = s.policy()        (n,) float64: P(action 0) for the coming round (0/1 for a
                          deterministic rule). Strategies never draw random numbers: the
                          runner (``games.repeated``) samples, so all randomness is seeded there.
    s.observe(own, other) the round's *executed* actions, (n,) each: int {0, 1} in discrete
                          play, or float P(action 0) in mixed play (body-reservoir style).
Action 0 is C (cooperate / the first row), action 1 is D.

Memory-1 strategies (Nowak & Sigmund 1993; the tabular agents of Weis et al. 2026, Sec. 3)
are a table q = [P(C | s0), P(C | CC), P(C | CD), P(C | DC), P(C | DD)], states seen from the
strategy's own side (own action first). In mixed play the next P(C) is the bilinear
expectation x*y*q_CC + x*(1-y)*q_CD + (1-x)*y*q_DC + (1-x)*(1-y)*q_DD with x, y the two
players' P(C), which equals the table lookup for pure actions. AllC, AllD, TFT, WSLS, GTFT,
Random(p) and ZD extortion (Press & Dyson 2012, Eq. for p~ = phi[(S_X - P) - chi (S_Y - P)])
are memory-1 tables; Grim, Alternate, DefectOnce and Scripted keep their own state.
``Mixture`` runs different strategies in different rows of one batch (co-player pools).
"""

from __future__ import annotations

import numpy as np

__all__ = ["Strategy", "Memory1", "all_c", "all_d", "tft", "wsls", "gtft", "random_p",
           "zd_extortion", "random_memory1", "Grim", "Alternate", "DefectOnce", "Scripted",
           "Mixture", "by_name", "STRATEGY_NAMES"]


class Strategy:
    """Base class: see the module docstring for the reset / policy / observe protocol."""

    name = "strategy"

    def reset(self, n: int) -> None:
        self.n = int(n)

    def policy(self) -> np.ndarray:
        raise NotImplementedError

    def observe(self, own: np.ndarray, other: np.ndarray) -> None:
        raise NotImplementedError


def _p0(a) -> np.ndarray:
    """P(action 0) of executed actions: ints {0,1} -> 1 - a; floats are already P(action 0)."""
    a = np.asarray(a)
    return (1.0 - a).astype(np.float64) if a.dtype.kind in "iub" else a.astype(np.float64)


class Memory1(Strategy):
    """Memory-1 table q, shape (5,) shared by all rows or (n, 5) one table per row
    (order [s0, CC, CD, DC, DD], own action first)."""

    def __init__(self, q, *, name: str = "memory-1"):
        q = np.asarray(q, dtype=np.float64)
        if q.shape[-1] != 5 or q.ndim > 2:
            raise ValueError(f"q must have shape (5,) or (n, 5), got {q.shape}")
        if np.any((q < 0) | (q > 1)):
            raise ValueError("q must hold probabilities in [0, 1]")
        self.q = q
        self.name = name

    def reset(self, n: int) -> None:
        super().reset(n)
        if self.q.ndim == 2 and self.q.shape[0] != self.n:
            raise ValueError(f"q has {self.q.shape[0]} rows but reset(n={n})")
        self._p = np.broadcast_to(self.q[..., 0], (self.n,)).astype(np.float64).copy()

    def policy(self) -> np.ndarray:
        return self._p

    def observe(self, own, other) -> None:
        x, y = _p0(own), _p0(other)
        q = np.broadcast_to(self.q, (self.n, 5))
        self._p = (x * y * q[:, 1] + x * (1 - y) * q[:, 2] + (1 - x) * y * q[:, 3]
                   + (1 - x) * (1 - y) * q[:, 4])


def all_c() -> Memory1:
    return Memory1([1, 1, 1, 1, 1], name="AllC")


def all_d() -> Memory1:
    return Memory1([0, 0, 0, 0, 0], name="AllD")


def tft() -> Memory1:
    """Tit-for-tat: cooperate first, then copy the co-player's last action."""
    return Memory1([1, 1, 0, 1, 0], name="TFT")


def wsls() -> Memory1:
    """Win-stay lose-shift (Pavlov): cooperate first; cooperate after CC and DD."""
    return Memory1([1, 1, 0, 0, 1], name="WSLS")


def gtft(*, generosity: float) -> Memory1:
    """Generous TFT: like TFT but cooperates after a co-player's D with prob ``generosity``."""
    g = float(generosity)
    return Memory1([1, 1, g, 1, g], name=f"GTFT({g:g})")


def random_p(*, p: float) -> Memory1:
    """Random(p): cooperates with probability p every round, independent of history."""
    return Memory1([p] * 5, name=f"Random({p:g})")


def zd_extortion(*, chi: float, R: float, S: float, T: float, P: float, phi_frac: float,
                 p_first: float) -> Memory1:
    """Press-Dyson extortioner: enforces s_X - P = chi (s_Y - P) for chi >= 1.

    p~ = p - (1, 1, 0, 0) = phi [(S_X - P) - chi (S_Y - P)], S_X = (R, S, T, P),
    S_Y = (R, T, S, P); phi = phi_frac * phi_max, phi_frac in (0, 1], phi_max the largest phi
    that keeps every probability in [0, 1]. ``p_first`` is P(C) in the first round.
    """
    if chi < 1 or not 0 < phi_frac <= 1:
        raise ValueError(f"need chi >= 1 and phi_frac in (0, 1], got chi={chi}, "
                         f"phi_frac={phi_frac}")
    bounds = [(T - P) - chi * (S - P), chi * (T - P) - (S - P)]
    if chi > 1:
        bounds.append((chi - 1) * (R - P))
    phi = phi_frac / max(bounds)
    sx = np.array([R, S, T, P]) - P
    sy = np.array([R, T, S, P]) - P
    p = np.array([1.0, 1.0, 0.0, 0.0]) + phi * (sx - chi * sy)
    return Memory1(np.clip(np.r_[p_first, p], 0, 1), name=f"ZD-extort({chi:g})")


def random_memory1(rng: np.random.Generator, n: int) -> Memory1:
    """n tabular agents with q ~ U(0, 1)^5 each (Weis et al. 2026's random tabular pool)."""
    return Memory1(rng.random((n, 5)), name="random tabular")


class Grim(Strategy):
    """Grim trigger: cooperate until the co-player defects once, then defect forever.
    Mixed play: P(C) = prod_s P_other(C at s), the chance the co-player never defected."""

    name = "Grim"

    def reset(self, n: int) -> None:
        super().reset(n)
        self._p = np.ones(self.n)

    def policy(self) -> np.ndarray:
        return self._p

    def observe(self, own, other) -> None:
        self._p = self._p * _p0(other)


class Alternate(Strategy):
    """Alternates actions every round, starting with ``first`` (0 = C)."""

    def __init__(self, *, first: int):
        self.first = int(first)
        self.name = f"Alternate({'CD'[self.first]}...)"

    def reset(self, n: int) -> None:
        super().reset(n)
        self.t = 0

    def policy(self) -> np.ndarray:
        a = (self.first + self.t) % 2
        return np.full(self.n, 1.0 - a)

    def observe(self, own, other) -> None:
        self.t += 1


class DefectOnce(Strategy):
    """Cooperates every round except round ``at_round`` (0-based), where it defects."""

    def __init__(self, *, at_round: int):
        self.at_round = int(at_round)
        self.name = f"DefectOnce({self.at_round})"

    def reset(self, n: int) -> None:
        super().reset(n)
        self.t = 0

    def policy(self) -> np.ndarray:
        return np.full(self.n, 0.0 if self.t == self.at_round else 1.0)

    def observe(self, own, other) -> None:
        self.t += 1


class Scripted(Strategy):
    """Plays a fixed schedule of P(action 0): ``schedule`` (n_rounds,) for every row or
    (n, n_rounds) per row; rounds past the end repeat the last entry."""

    def __init__(self, schedule, *, name: str = "scripted"):
        self.schedule = np.asarray(schedule, dtype=np.float64)
        self.name = name

    def reset(self, n: int) -> None:
        super().reset(n)
        self.t = 0

    def policy(self) -> np.ndarray:
        t = min(self.t, self.schedule.shape[-1] - 1)
        return np.broadcast_to(self.schedule[..., t], (self.n,)).astype(np.float64)

    def observe(self, own, other) -> None:
        self.t += 1


class Mixture(Strategy):
    """Row i plays ``strategies[index[i]]``; each member sees only its own rows.

    index: (n,) ints in [0, len(strategies)). ``reset(n)`` resets member k with the number of
    rows assigned to it (so a Memory1 with per-row tables must have that many rows).
    """

    def __init__(self, strategies: list[Strategy], index):
        self.strategies = list(strategies)
        self.index = np.asarray(index, dtype=np.int64)
        self.rows = [np.flatnonzero(self.index == k) for k in range(len(self.strategies))]
        self.name = "mixture"

    def reset(self, n: int) -> None:
        if n != self.index.shape[0]:
            raise ValueError(f"Mixture has {self.index.shape[0]} rows but reset(n={n})")
        super().reset(n)
        for s, r in zip(self.strategies, self.rows):
            s.reset(len(r))

    def policy(self) -> np.ndarray:
        p = np.empty(self.n)
        for s, r in zip(self.strategies, self.rows):
            if len(r):
                p[r] = s.policy()
        return p

    def observe(self, own, other) -> None:
        own, other = np.asarray(own), np.asarray(other)
        for s, r in zip(self.strategies, self.rows):
            if len(r):
                s.observe(own[r], other[r])


STRATEGY_NAMES = ("AllC", "AllD", "TFT", "Grim", "WSLS", "Random")


def by_name(name: str) -> Strategy:
    """A parameter-free strategy by name: AllC, AllD, TFT, Grim, WSLS, Random (= Random(0.5))."""
    table = {"AllC": all_c, "AllD": all_d, "TFT": tft, "Grim": Grim, "WSLS": wsls,
             "Random": lambda: random_p(p=0.5)}
    if name not in table:
        raise ValueError(f"unknown strategy {name!r}; allowed: {', '.join(STRATEGY_NAMES)}")
    return table[name]()
