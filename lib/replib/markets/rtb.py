"""RLB: the budget-constrained bidding MDP solved by dynamic programming.

Cai et al. (2017), "Real-Time Bidding by Reinforcement Learning in Display Advertising"
(WSDM, arXiv:1701.02490), Sec. 3-4. State (t, b): t auctions left, b budget left. Bid
a in {0..min(b, delta_max)}; against market price delta ~ m(delta) the bidder wins iff
a >= delta, pays delta and earns the impression value theta. Inside V the impression value
is the mean CTR theta_avg (the paper's Eq. for V and the official code), so

    V(0, b) = 0
    V(t, b) = max_a sum_delta m(delta) [1{delta <= a}(theta_avg + V(t-1, b-delta))
                                        + 1{delta > a} V(t-1, b)]
            = V(t-1, b)
              + sum_{delta=0}^{a*(t,b)} m(delta) [theta_avg + V(t-1, b-delta) - V(t-1, b)],

with a*(t, b) the largest delta <= min(b, delta_max) with a non-negative bracket. V(t-1, .)
is nondecreasing in b, so the bracket is nonincreasing in delta and the sum equals
sum_{delta <= min(b, delta_max)} m(delta) * max(0, bracket): ``value_dp`` computes that,
vectorised over b and delta (a band of width a*+1 per chunk of b rows), in torch.

The optimal bid for an impression with value theta(x) (the paper's bid rule) is the
largest delta <= min(b, delta_max) with V(t-1, b-delta) >= V(t-1, b) - theta(x), i.e.
theta(x) >= sum_{k=0}^{delta-1} D(t-1, b-k-1) with D(t, b) = V(t, b+1) - V(t, b).

Shapes: m (delta_max+1,); V (horizon+1, budget+1), row t = t auctions left;
D (horizon+1, budget).

Note (vs the official ``RTB_MDP_Model.py``): V(t, 0) keeps the m(0) * theta_avg term (a
zero bid wins a zero market price, since the tie rule is a >= delta); the official code
fixes V(t, 0) = 0. With market prices >= 1 the difference is only the smoothing mass m(0).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import torch

__all__ = ["market_price_pdf", "value_dp", "value_dp_x", "value_dp_loop", "value_bruteforce",
           "value_bruteforce_x", "value_differential", "rlb_bid"]


def market_price_pdf(prices: np.ndarray, *, delta_max: int, smoothing: float = 1.0) -> np.ndarray:
    """Laplace-smoothed histogram m(delta), delta = 0..delta_max (Sec. 4.1; official code).

    m(delta) = (count(delta) + smoothing) / (n + (delta_max + 1) * smoothing); prices above
    delta_max are clipped to delta_max. Returns float64 (delta_max+1,), summing to 1.
    """
    p = np.clip(np.asarray(prices, dtype=np.int64), 0, delta_max)
    counts = np.bincount(p, minlength=delta_max + 1).astype(np.float64)
    return (counts + smoothing) / (counts.sum() + (delta_max + 1) * smoothing)


def _dp_tensor(horizon: int, budget: int, m: torch.Tensor, thetas: torch.Tensor,
               probs: torch.Tensor, chunk_rows: int, grid_points: int | None) -> torch.Tensor:
    """V as a (horizon+1, budget+1) tensor on m's device/dtype (see module docstring).

    The impression value is a distribution (sorted ``thetas`` with ``probs``); a single
    point mass at theta_avg is the paper's approximation. Per state the DP adds
    sum_delta m(delta) g(V(t-1, b) - V(t-1, b-delta)) with g(c) = E_theta[(theta - c)^+].
    """
    d_max = m.shape[0] - 1
    m_rev = m.flip(0)  # window column j holds delta = d_max - j
    point = thetas.numel() == 1
    # tails for g(c) = sum_{theta_k > c} p_k theta_k - c sum_{theta_k > c} p_k
    tail_p = torch.cat([probs.flip(0).cumsum(0).flip(0), probs.new_zeros(1)])
    tail_pt = torch.cat([(probs * thetas).flip(0).cumsum(0).flip(0), probs.new_zeros(1)])

    def g_exact(c: torch.Tensor) -> torch.Tensor:
        idx = torch.searchsorted(thetas, c.contiguous(), right=True)
        return tail_pt[idx] - c * tail_p[idx]

    if not point and grid_points:  # g on a uniform grid of [0, max theta], exact at the nodes
        step = float(thetas[-1]) / grid_points
        g_grid = g_exact(torch.arange(grid_points + 2, dtype=m.dtype, device=m.device) * step)
    V = torch.zeros(horizon + 1, budget + 1, dtype=m.dtype, device=m.device)
    pad = torch.full((d_max,), -torch.inf, dtype=m.dtype, device=m.device)  # b - delta < 0
    rows = torch.arange(budget + 1, device=m.device)
    for t in range(1, horizon + 1):
        U = V[t - 1]  # V(t-1, .), (budget+1,)
        window = torch.cat([pad, U]).unfold(0, d_max + 1, 1)  # [b, j] = V(t-1, b-d_max+j)
        # a*(t,b) for the largest value: b - first index j with V(t-1, j) >= V(t-1, b) - theta
        thresh = U - thetas[-1]  # bracket >= 0  <=>  V(t-1, b-delta) >= thresh(b)
        a_star = torch.clamp(rows - torch.searchsorted(U, thresh), min=0, max=d_max)
        for lo in range(0, budget + 1, chunk_rows):
            hi = min(lo + chunk_rows, budget + 1)
            w = int(a_star[lo:hi].max()) + 1  # band width: deltas 0..max a* in this chunk
            band = window[lo:hi, d_max + 1 - w:]  # V(t-1, b - delta), deltas w-1 .. 0
            if point:  # theta_avg + V(t-1, b-delta) - V(t-1, b), clipped at 0 (one pass)
                V[t, lo:hi] = U[lo:hi] + (band - thresh[lo:hi, None]).clamp_(min=0.0) @ \
                    m_rev[d_max + 1 - w:]
                continue
            cost = U[lo:hi, None] - band  # V(b) - V(b - delta) >= 0
            if grid_points:  # linear interpolation of g; g = 0 beyond max theta
                # cost >= 0 up to rounding (clamp: a negative index would wrap around);
                # +inf (b - delta < 0) lands on the last node, where g = 0
                x = (cost / step).clamp_(min=0.0, max=grid_points + 1)
                i = x.floor().long()
                lo_g = g_grid[i.clamp(max=grid_points)]
                gain = lo_g + (g_grid[(i + 1).clamp(max=grid_points + 1)] - lo_g) * (x - i)
            else:
                gain = torch.where(torch.isfinite(cost), g_exact(cost), 0.0)
            V[t, lo:hi] = U[lo:hi] + gain @ m_rev[d_max + 1 - w:]
    return V


def _solve(horizon: int, budget: int, m: np.ndarray, thetas: np.ndarray, probs: np.ndarray,
           device, dtype, chunk_rows: int | None, grid_points: int | None = None) -> np.ndarray:
    dev = torch.device("cpu" if device is None else device)
    m_t = torch.as_tensor(np.asarray(m, dtype=np.float64), dtype=dtype, device=dev)
    th = torch.as_tensor(thetas, dtype=dtype, device=dev)
    pr = torch.as_tensor(probs, dtype=dtype, device=dev)
    if chunk_rows is None:  # about 2 MB per (rows, delta) chunk on CPU, 64 MB on CUDA
        limit = (64 if dev.type == "cuda" else 2) * 2**20
        chunk_rows = max(1, limit // (8 * m_t.shape[0]))
    V = _dp_tensor(int(horizon), int(budget), m_t, th, pr, int(chunk_rows), grid_points)
    return V.to(device="cpu", dtype=torch.float64).numpy()


def value_dp(
    *,
    horizon: int,
    budget: int,
    m: np.ndarray,
    theta_avg: float,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float64,
    chunk_rows: int | None = None,
) -> np.ndarray:
    """Vectorised value DP V(t, b), t = 0..horizon, b = 0..budget (module docstring).

    Runs in torch on ``device`` (CPU by default, CUDA when given); the (rows, delta) window
    is processed in chunks of ``chunk_rows`` budget rows (default: about 2 MB per chunk
    on CPU, 64 MB on CUDA). Returns a float64 numpy array (horizon+1, budget+1).
    """
    return _solve(horizon, budget, m, np.array([float(theta_avg)]), np.ones(1), device, dtype,
                  chunk_rows)


def value_dp_x(
    *,
    horizon: int,
    budget: int,
    m: np.ndarray,
    thetas: np.ndarray,
    weights: np.ndarray | None = None,
    grid_points: int | None = 4096,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float64,
    chunk_rows: int | None = None,
) -> np.ndarray:
    """The value DP of the paper's MDP *without* the theta_avg approximation.

    The impression value theta(x) is drawn from the empirical pCTR distribution (``thetas``
    with ``weights``, e.g. the training log's predictions) and the expectation over x
    stays outside the max over bids, as in the MDP's Bellman equation:

        V(t, b) = E_x max_a sum_delta m(delta) [...]
                = V(t-1, b) + sum_delta m(delta) E_theta[(theta + V(t-1, b-delta) - V(t-1, b))^+],

    with g(c) = E[(theta - c)^+] from tail sums over the sorted values: exactly per entry
    (``grid_points=None``, a binary search each), or, by default, from g tabulated exactly
    on ``grid_points`` nodes of [0, max theta] and interpolated linearly (g is convex and
    piecewise linear with slopes in [-1, 0], so the error is at most max theta / (4 *
    grid_points) per step). By Jensen's inequality V is never below ``value_dp`` with
    theta_avg = E[theta]. The bid rule is unchanged.
    """
    th = np.asarray(thetas, dtype=np.float64).ravel()
    w = np.ones_like(th) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if th.shape != w.shape or th.size == 0 or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("thetas and weights must be non-empty, equal-length, weights >= 0")
    order = np.argsort(th, kind="stable")
    return _solve(horizon, budget, m, th[order], w[order] / w.sum(), device, dtype, chunk_rows,
                  grid_points)


def value_dp_loop(*, horizon: int, budget: int, m: np.ndarray, theta_avg: float) -> np.ndarray:
    """Reference DP with plain Python loops (same recursion as ``value_dp``).

    For every (t, b) the deltas are scanned upward while the bracket
    theta_avg + V(t-1, b-delta) - V(t-1, b) stays non-negative, as in the official code.
    """
    probs = [float(x) for x in m]
    d_max = len(probs) - 1
    prev = [0.0] * (budget + 1)
    table = [prev]
    for _t in range(horizon):
        cur = [0.0] * (budget + 1)
        for b in range(budget + 1):
            vb = prev[b]
            acc = vb
            for delta in range(min(b, d_max) + 1):
                gain = theta_avg + prev[b - delta] - vb
                if gain < 0.0:
                    break  # bracket is nonincreasing in delta: a* = delta - 1
                acc += probs[delta] * gain
            cur[b] = acc
        table.append(cur)
        prev = cur
    return np.asarray(table, dtype=np.float64)


def value_bruteforce(*, horizon: int, budget: int, m: np.ndarray, theta_avg: float) -> np.ndarray:
    """Exact Bellman values by maximising over every bid a in {0..min(b, delta_max)}.

    V(t, b) = max_a sum_delta m(delta) [win: theta_avg + V(t-1, b-delta); lose: V(t-1, b)],
    by memoised recursion, with no use of the structure exploited by ``value_dp``. For
    tiny instances only (cost O(T * B * delta_max^2)). Returns (horizon+1, budget+1).
    """
    probs = tuple(float(x) for x in m)
    d_max = len(probs) - 1

    @cache
    def v(t: int, b: int) -> float:
        if t == 0:
            return 0.0
        best = -np.inf
        for a in range(min(b, d_max) + 1):
            total = 0.0
            for delta, p in enumerate(probs):
                total += p * (theta_avg + v(t - 1, b - delta) if delta <= a else v(t - 1, b))
            best = max(best, total)
        return best

    return np.array([[v(t, b) for b in range(budget + 1)] for t in range(horizon + 1)])


def value_bruteforce_x(*, horizon: int, budget: int, m: np.ndarray, thetas: np.ndarray,
                       weights: np.ndarray) -> np.ndarray:
    """Exact Bellman values with theta drawn from (thetas, weights) and the expectation
    outside the max over every bid (reference for ``value_dp_x``; tiny instances only)."""
    probs = tuple(float(x) for x in m)
    vals = [(float(th), float(w) / float(np.sum(weights))) for th, w in zip(thetas, weights)]
    d_max = len(probs) - 1

    @cache
    def v(t: int, b: int) -> float:
        if t == 0:
            return 0.0
        out = 0.0
        for theta, p_theta in vals:
            best = -np.inf
            for a in range(min(b, d_max) + 1):
                total = sum(p * (theta + v(t - 1, b - d) if d <= a else v(t - 1, b))
                            for d, p in enumerate(probs))
                best = max(best, total)
            out += p_theta * best
        return out

    return np.array([[v(t, b) for b in range(budget + 1)] for t in range(horizon + 1)])


def value_differential(values: np.ndarray) -> np.ndarray:
    """D(t, b) = V(t, b+1) - V(t, b): (horizon+1, budget+1) -> (horizon+1, budget)."""
    return np.diff(np.asarray(values), axis=1)


def rlb_bid(values_row: np.ndarray, budget_left: np.ndarray, theta: np.ndarray, *,
            delta_max: int) -> np.ndarray:
    """RLB bid for states (t, b) given the row V(t-1, .), vectorised over episodes.

    Largest delta <= min(b, delta_max) with V(t-1, b-delta) >= V(t-1, b) - theta, found by
    binary search (V(t-1, .) is nondecreasing in b). ``values_row`` may be any
    nondecreasing table row with the same differences, e.g. a cumulative sum of an
    approximate D. budget_left, theta: (K,) -> int64 bids (K,).
    """
    b = np.asarray(budget_left, dtype=np.int64)
    if b.size and int(b.max()) >= values_row.shape[0]:
        raise ValueError("budget_left exceeds the value table; solve the DP for a larger budget")
    thresh = values_row[b] - np.maximum(theta, 0.0)
    first = np.searchsorted(values_row, thresh, side="left")  # smallest b' with V >= thresh
    return np.minimum(b - np.minimum(first, b), delta_max)
