"""Ratings from pairwise results: Bradley–Terry MLE and online Elo, on the Elo scale.

Bradley–Terry (Zermelo 1929; Bradley & Terry 1952), as Chatbot Arena fits it (Chiang et
al. 2024, "Chatbot Arena", Sec. 5; the 2023-12 "Elo system update" the debate paper,
arXiv 2408.04472, cites):

    P(i beats j) = σ(θ_i − θ_j),    rating_i = base + θ_i · scale,  scale = 400 / ln 10,

so that P(i beats j) = 1 / (1 + 10^{(R_j − R_i)/400}), the Elo curve. θ maximises the
log-likelihood Σ_{i,j} W_ij log σ(θ_i − θ_j) − (ridge/2)·‖θ‖² (W_ij = wins of i over j,
a draw counts ½ to each side), found by Newton's method on win-count matrices, batched over
arenas/bootstrap resamples. The gauge is fixed by ``anchor``: the mean rating is ``base``
(``anchor=None``) or player ``anchor`` is rated ``base``. Bootstrap CIs resample matches.

Online Elo (Elo 1978): after a match, R_a ← R_a + K(S_a − E_a), R_b ← R_b − K(S_a − E_a),
E_a = 1/(1 + 10^{(R_b − R_a)/400}). It depends on match order, which is a seeded argument
(design.md §4 item 4); ``elo_online`` runs many orders at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ELO_SCALE", "BTResult", "win_counts", "fit_bt_counts", "bradley_terry",
           "bootstrap_bt", "elo_online", "win_prob", "prediction_error"]

ELO_SCALE = 400.0 / np.log(10.0)  # rating points per unit of the logit θ


def _matches(a, b, outcome, n_players: int | None):
    a = np.asarray(a, dtype=np.int64).reshape(-1)
    b = np.asarray(b, dtype=np.int64).reshape(-1)
    y = np.asarray(outcome, dtype=np.float64)
    if a.shape != b.shape or y.shape[-1] != a.size:
        raise ValueError(f"a, b and outcome need one entry per match, got {a.size}, {b.size}, "
                         f"{y.shape}")
    if np.any(a == b):
        raise ValueError("a player cannot play itself (a == b in some match)")
    if np.any((y < 0) | (y > 1)):
        raise ValueError("outcome must be in [0, 1] (1 = a wins, 0 = b wins, 0.5 = draw)")
    n = int(max(a.max(), b.max()) + 1) if n_players is None else int(n_players)
    if a.min() < 0 or max(a.max(), b.max()) >= n:
        raise ValueError(f"player indices must be in 0..{n - 1}")
    return a, b, y, n


def win_counts(a, b, outcome, *, n_players: int | None = None) -> np.ndarray:
    """W[..., i, j] = wins of i over j (draws count ½ each); ``outcome`` may be (B, n)."""
    a, b, y, n = _matches(a, b, outcome, n_players)
    batch = y.shape[:-1]
    w = np.zeros(batch + (n * n,))
    flat_ab, flat_ba = a * n + b, b * n + a
    yb = y.reshape((-1, a.size))
    wf = w.reshape((-1, n * n))
    for r in range(yb.shape[0]):  # bincount per batch row: fast and exact
        wf[r] = (np.bincount(flat_ab, weights=yb[r], minlength=n * n)
                 + np.bincount(flat_ba, weights=1.0 - yb[r], minlength=n * n))
    return w.reshape(batch + (n, n))


@dataclass(frozen=True)
class BTResult:
    """Bradley–Terry ratings on the Elo scale (``ratings``), the logits ``theta``, and the
    optional bootstrap interval ``lo``/``hi`` (percentile, over matches) with the
    bootstrap ratings ``boot`` (n_boot, N), e.g. for intervals of rating differences."""

    ratings: np.ndarray
    theta: np.ndarray
    converged: bool
    n_iter: int
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None
    boot: np.ndarray | None = None


def fit_bt_counts(wins: np.ndarray, *, ridge: float, anchor: int | None = None,
                  base: float = 1000.0, scale: float = ELO_SCALE, max_iter: int = 100,
                  tol: float = 1e-10) -> BTResult:
    """Bradley–Terry MLE from win counts ``wins`` (N, N) or batched (B, N, N).

    ``ridge`` (≥ 0) is the L2 penalty on θ; with ``ridge=0`` a player who never loses has
    no finite MLE (``converged`` is then False and its θ is large), and players in
    separate components of the comparison graph are only rated within their component.
    """
    if ridge < 0:
        raise ValueError(f"ridge must be >= 0, got {ridge}")
    w = np.asarray(wins, dtype=np.float64)
    single = w.ndim == 2
    w = w[None] if single else w
    if w.ndim != 3 or w.shape[1] != w.shape[2]:
        raise ValueError(f"wins must be (N, N) or (B, N, N), got {np.shape(wins)}")
    bsz, n, _ = w.shape
    if anchor is not None and not 0 <= anchor < n:
        raise ValueError(f"anchor must be None or a player index in 0..{n - 1}, got {anchor}")
    games = w + np.swapaxes(w, 1, 2)  # N_ij
    won = w.sum(axis=2)  # Σ_j W_ij
    theta = np.zeros((bsz, n))
    eye, diag = np.eye(n), np.arange(n)
    # a tiny fixed gauge term keeps the Hessian invertible; it does not move differences
    # because the log-likelihood is invariant to adding a constant to every θ
    gauge = np.full((n, n), 1.0 / n)
    converged, n_iter = False, 0
    for step_no in range(1, max_iter + 1):
        n_iter = step_no
        p = 1.0 / (1.0 + np.exp(theta[:, None, :] - theta[:, :, None]))  # p_ij = σ(θi − θj)
        grad = won - (games * p).sum(axis=2) - ridge * theta  # ∂ℓ/∂θ_i
        v = games * p * (1.0 - p)
        hess = -v
        hess[:, diag, diag] += v.sum(axis=2)
        hess = hess + ridge * eye + gauge  # negative Hessian of the penalised ℓ (+ gauge)
        try:
            step = np.linalg.solve(hess, grad[..., None])[..., 0]
        except np.linalg.LinAlgError:  # ridge = 0 and a disconnected comparison graph:
            step = (np.linalg.pinv(hess) @ grad[..., None])[..., 0]  # minimum-norm step
        step = np.clip(step, -5.0, 5.0)  # damped far from the optimum
        theta = theta + step
        theta = theta - theta.mean(axis=1, keepdims=True)
        if np.max(np.abs(step)) < tol:
            converged = True
            break
    ref = theta.mean(axis=1, keepdims=True) if anchor is None else theta[:, [anchor]]
    ratings = base + scale * (theta - ref)
    if single:
        theta, ratings = theta[0], ratings[0]
    return BTResult(ratings, theta, converged, n_iter)


def bradley_terry(a, b, outcome, *, n_players: int | None = None, ridge: float,
                  anchor: int | None = None, base: float = 1000.0,
                  scale: float = ELO_SCALE) -> BTResult:
    """Bradley–Terry MLE from a list of matches (a[m] vs b[m], outcome 1 = a wins)."""
    w = win_counts(a, b, outcome, n_players=n_players)
    return fit_bt_counts(w, ridge=ridge, anchor=anchor, base=base, scale=scale)


def bootstrap_bt(a, b, outcome, *, n_players: int | None = None, ridge: float,
                 n_boot: int, rng: np.random.Generator, ci_level: float = 0.95,
                 anchor: int | None = None, base: float = 1000.0,
                 scale: float = ELO_SCALE) -> BTResult:
    """Bradley–Terry fit plus percentile CIs from ``n_boot`` resamples of the matches."""
    a, b, y, n = _matches(a, b, outcome, n_players)
    if n_boot < 2:
        raise ValueError(f"n_boot must be >= 2, got {n_boot}")
    point = bradley_terry(a, b, y, n_players=n, ridge=ridge, anchor=anchor, base=base,
                          scale=scale)
    idx = rng.integers(0, a.size, size=(n_boot, a.size))
    w = np.zeros((n_boot, n * n))
    for r in range(n_boot):
        ia = a[idx[r]] * n + b[idx[r]]
        w[r] = (np.bincount(ia, weights=y[idx[r]], minlength=n * n)
                + np.bincount(b[idx[r]] * n + a[idx[r]], weights=1 - y[idx[r]],
                              minlength=n * n))
    boot = fit_bt_counts(w.reshape(n_boot, n, n), ridge=ridge, anchor=anchor, base=base,
                         scale=scale)
    q = (1.0 - ci_level) / 2.0
    lo, hi = np.quantile(boot.ratings, [q, 1.0 - q], axis=0)
    return BTResult(point.ratings, point.theta, point.converged, point.n_iter, lo, hi,
                    boot.ratings)


def elo_online(a, b, outcome, *, n_players: int | None = None, k: float, init: float = 1000.0,
               scale: float = 400.0, orders: np.ndarray | None = None) -> np.ndarray:
    """Final online-Elo ratings after playing the matches in order.

    Args:
        outcome: (n_matches,) results, or (R, n_matches) results of R replications of
            the same schedule (e.g. re-drawn benchmark noise), giving (R, N) ratings.
            With 2-D ``a``, ``b`` (one schedule per replication) the matches are played
            in the given order, row by row, and ``orders`` is ignored.
        orders: optional (R, n_matches) permutations; the matches are replayed in each
            order, giving (R, N) final ratings. ``None`` plays them as given.
        k: the K-factor (points moved by a fully unexpected result).
    Every update is zero-sum: the total rating stays N·init.
    """
    if k <= 0:
        raise ValueError(f"k must be > 0, got {k}")
    if np.ndim(a) == 2:  # one schedule per replication: (R, n_matches) a, b and outcome
        return _elo_per_row(a, b, outcome, n_players=n_players, k=k, init=init, scale=scale)
    a, b, y, n = _matches(a, b, outcome, n_players)
    y2 = y.reshape(-1, a.size)
    reps = y2.shape[0] if orders is None else np.shape(orders)[0]
    order = (np.tile(np.arange(a.size), (reps, 1)) if orders is None
             else np.asarray(orders, dtype=np.int64))
    if order.ndim != 2 or order.shape[1] != a.size or y2.shape[0] not in (1, order.shape[0]):
        raise ValueError(f"orders must be (R, {a.size}) permutations matching the outcome "
                         f"rows, got {order.shape} and outcome {y.shape}")
    single = orders is None and y.ndim == 1
    r = np.full((order.shape[0], n), float(init))
    rows = np.arange(order.shape[0])
    yrow = rows if y2.shape[0] > 1 else np.zeros_like(rows)
    for t in range(a.size):
        m = order[:, t]
        ia, ib, s = a[m], b[m], y2[yrow, m]
        e = 1.0 / (1.0 + 10.0 ** ((r[rows, ib] - r[rows, ia]) / scale))  # E_a
        delta = k * (s - e)
        r[rows, ia] += delta
        r[rows, ib] -= delta
    return r[0] if single else r


def _elo_per_row(a, b, outcome, *, n_players, k, init, scale) -> np.ndarray:
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    y = np.asarray(outcome, dtype=np.float64)
    if a.shape != b.shape or y.shape != a.shape:
        raise ValueError(f"a, b and outcome must share the shape (R, n), got {a.shape}, "
                         f"{b.shape}, {y.shape}")
    n = int(max(a.max(), b.max()) + 1) if n_players is None else int(n_players)
    r = np.full((a.shape[0], n), float(init))
    rows = np.arange(a.shape[0])
    for t in range(a.shape[1]):
        ia, ib = a[:, t], b[:, t]
        delta = k * (y[:, t] - 1.0 / (1.0 + 10.0 ** ((r[rows, ib] - r[rows, ia]) / scale)))
        r[rows, ia] += delta
        r[rows, ib] -= delta
    return r


def win_prob(ratings: np.ndarray, *, scale: float = 400.0) -> np.ndarray:
    """P[..., i, j] = P(i beats j) = 1 / (1 + 10^{(R_j − R_i)/scale}) on the Elo scale."""
    r = np.asarray(ratings, dtype=np.float64)
    return 1.0 / (1.0 + 10.0 ** ((r[..., None, :] - r[..., :, None]) / scale))


def prediction_error(ratings: np.ndarray, a, b, outcome, *, kind: str = "log_loss",
                     scale: float = 400.0) -> float:
    """Held-out error of ratings on matches: ``log_loss``, ``brier`` or ``error_rate``.

    ``error_rate`` counts a decisive match as wrong when the lower-rated side won
    (draws and equal ratings count ½)."""
    a, b, y, _ = _matches(a, b, outcome, len(ratings))
    p = win_prob(ratings, scale=scale)[a, b]
    if kind == "log_loss":
        pc = np.clip(p, 1e-12, 1 - 1e-12)
        return float(-np.mean(y * np.log(pc) + (1 - y) * np.log(1 - pc)))
    if kind == "brier":
        return float(np.mean((p - y) ** 2))
    if kind == "error_rate":
        pred = np.where(p > 0.5, 1.0, np.where(p < 0.5, 0.0, 0.5))
        return float(np.mean(np.abs(pred - y)))
    raise ValueError(f"kind must be one of 'log_loss', 'brier', 'error_rate', got {kind!r}")
