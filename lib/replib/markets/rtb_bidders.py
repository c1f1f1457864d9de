"""Bidding policies for the RTB replay: RLB, SS-MDP, Lin, Mcpc, and the pCTR model.

Cai et al. (2017), "Real-Time Bidding by Reinforcement Learning in Display Advertising",
Sec. 4 (RLB bid rule a(t, b, x)) and Sec. 5.3 (baselines). Every policy has the
``replay`` signature policy(t_left, budget_left (K,), theta (K,)) -> int bids (K,):
- RLB: largest delta <= min(b, delta_max) with theta(x) >= V(t-1, b) - V(t-1, b-delta).
- SS-MDP: the same (t, b) rule with theta(x) replaced by theta_avg for every impression
  (official ``ss-mdp.py`` bid(); its online re-estimation of m and theta_avg is not done).
- Lin: a = b0 * theta(x) / theta_avg, b0 tuned on training episodes to maximise clicks.
- Mcpc: a = theta(x) * eCPC_train (training cost per click).
Real-valued bids are floored: with integer market prices, floor(a) >= delta iff a >= delta.

pCTR theta(x): logistic regression on one-hot features, fitted on the training log
aggregated to its unique feature rows with click / no-click weights (the same objective
as the per-row fit, far fewer rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from .auctions import AuctionLog, Policy, replay
from .rtb import rlb_bid

__all__ = ["CTRModel", "fit_ctr_model", "episode_budget", "rlb_policy", "ssmdp_policy",
           "lin_policy", "mcpc_policy", "tune_lin"]


@dataclass(frozen=True)
class CTRModel:
    """theta(x) = sigmoid(sum_f coef[f, x_f] + intercept)."""

    coef: np.ndarray  # (n_fields, n_values)
    intercept: float

    def predict(self, features: np.ndarray) -> np.ndarray:
        """features (n, n_fields) int -> pCTR (n,) float64."""
        n_fields = self.coef.shape[0]
        return expit(self.coef[np.arange(n_fields), features].sum(axis=1) + self.intercept)


def _onehot(features: np.ndarray, n_values: int) -> sparse.csr_matrix:
    n, n_fields = features.shape
    cols = (features + n_values * np.arange(n_fields)).ravel()
    rows = np.repeat(np.arange(n), n_fields)
    return sparse.csr_matrix((np.ones(n * n_fields), (rows, cols)), shape=(n, n_fields * n_values))


def fit_ctr_model(log: AuctionLog, *, n_values: int, C: float = 1.0,
                  max_iter: int = 500) -> CTRModel:
    """Logistic regression (sklearn, lbfgs, L2 with inverse strength ``C``) on one-hot x.

    Rows with identical features are merged into one positive row weighted by their
    clicks and one negative row weighted by their non-clicks, which leaves the weighted
    log-loss, hence the fit, unchanged. Deterministic (no random state involved).
    """
    n_fields = log.features.shape[1]
    if n_fields * np.log2(n_values) < 62:  # encode each row as one integer: fast 1-D unique
        code = log.features @ (n_values ** np.arange(n_fields, dtype=np.int64))
        _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
        uniq = log.features[first]
    else:
        uniq, inverse = np.unique(log.features, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    n_rows = np.bincount(inverse, minlength=len(uniq))
    n_clicks = np.bincount(inverse, weights=log.click, minlength=len(uniq))
    pos, neg = n_clicks > 0, n_rows - n_clicks > 0
    X = _onehot(np.concatenate([uniq[pos], uniq[neg]]), n_values)
    y = np.concatenate([np.ones(pos.sum()), np.zeros(neg.sum())])
    w = np.concatenate([n_clicks[pos], (n_rows - n_clicks)[neg]])
    lr = LogisticRegression(C=C, max_iter=max_iter, solver="lbfgs")
    lr.fit(X, y, sample_weight=w)
    return CTRModel(coef=lr.coef_.reshape(n_fields, n_values), intercept=float(lr.intercept_[0]))


def episode_budget(*, c0: float, horizon: int, mean_price: float) -> int:
    """B = int(c0 * horizon * mean training market price) (official: budget * T)."""
    return int(c0 * horizon * mean_price)


def rlb_policy(values: np.ndarray, *, delta_max: int) -> Policy:
    """RLB with a value table (horizon+1, budget+1) or any V-like table (rows t = 0..).

    At t_left auctions left the row V(t_left - 1, .) is used (``rtb.rlb_bid``).
    """
    table = np.asarray(values, dtype=np.float64)

    def policy(t_left: int, budget_left: np.ndarray, theta: np.ndarray) -> np.ndarray:
        return rlb_bid(table[t_left - 1], budget_left, theta, delta_max=delta_max)

    return policy


def ssmdp_policy(values: np.ndarray, *, delta_max: int, theta_avg: float) -> Policy:
    """SS-MDP: the RLB rule with every impression valued theta_avg (ignores x)."""
    inner = rlb_policy(values, delta_max=delta_max)

    def policy(t_left: int, budget_left: np.ndarray, theta: np.ndarray) -> np.ndarray:
        return inner(t_left, budget_left, np.full(budget_left.shape, theta_avg))

    return policy


def lin_policy(b0: float | np.ndarray, *, theta_avg: float) -> Policy:
    """Lin: bid = floor(b0 * theta / theta_avg); b0 a scalar or one value per column."""
    scale = np.asarray(b0, dtype=np.float64) / theta_avg

    def policy(t_left: int, budget_left: np.ndarray, theta: np.ndarray) -> np.ndarray:
        return np.floor(scale * theta).astype(np.int64)

    return policy


def mcpc_policy(ecpc: float) -> Policy:
    """Mcpc: bid = floor(theta * eCPC_train)."""

    def policy(t_left: int, budget_left: np.ndarray, theta: np.ndarray) -> np.ndarray:
        return np.floor(ecpc * theta).astype(np.int64)

    return policy


def tune_lin(log: AuctionLog, *, theta: np.ndarray, theta_avg: float, b0_grid: np.ndarray,
             budgets: np.ndarray, horizon: int, n_episodes: int) -> np.ndarray:
    """Grid-search b0 per budget on ``n_episodes`` episodes of ``log``; returns (n_budgets,).

    All (budget, b0) pairs run in one replay as extra columns. The b0 with the most total
    clicks wins; ties go to the smaller b0.
    """
    grid = np.asarray(b0_grid, dtype=np.float64)
    budgets = np.asarray(budgets, dtype=np.int64)
    n_b, n_g = len(budgets), len(grid)
    # column order (budget, b0, episode), copy-major as ``replay`` expects
    b0_cols = np.repeat(np.tile(grid, n_b), n_episodes)
    budget_cols = np.repeat(budgets, n_g * n_episodes)
    res = replay(log, lin_policy(b0_cols, theta_avg=theta_avg), horizon=horizon,
                 budget=budget_cols, n_episodes=n_episodes, theta=theta, n_copies=n_b * n_g)
    clicks = res.episode_clicks.reshape(n_b, n_g, n_episodes).sum(axis=2)
    return grid[np.argmax(clicks, axis=1)]
