"""Synthetic impression logs and a second-price replay evaluator.

Implements the data side of Cai et al. (2017), "Real-Time Bidding by Reinforcement Learning
in Display Advertising" (WSDM, arXiv:1701.02490), Sec. 3 (the MDP: each auction has
features x, a click probability theta(x) and a market price delta, the highest competing
bid) and the paper's offline evaluation (Sec. 5.1-5.2): a test log is replayed in
episodes of T auctions; a bid a wins iff a >= delta, the winner pays delta (second price)
and gets the logged click label.

Generator ("ci" profile of the chapter card): n_fields categorical fields with n_values
values each; true CTR = sigmoid(sum_f w[f, x_f] + c), w ~ N(0, w_scale^2), c solved so the
mean CTR equals ``mean_ctr``; market price
    delta = clip(round(exp(mu0 + rho * logit(ctr) + sigma * eps)), 1, delta_max),
with mu0 solved so the mean of clip(exp(.), 1, delta_max) equals ``mean_price``;
click ~ Bernoulli(ctr).

Shapes: features (n, n_fields) int64; ctr (n,) float64; market_price (n,) int64;
click (n,) int8. Replay arrays are per episode, (n_copies * n_episodes,).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

__all__ = ["AuctionLog", "Campaign", "CampaignParams", "Policy", "ReplayResult",
           "make_campaign", "replay"]

#: policy(t_left, budget_left (K,), theta (K,)) -> integer bids (K,)
Policy = Callable[[int, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class AuctionLog:
    """One log of auctions in time order (every row is an auction a bidder may win)."""

    features: np.ndarray  # (n, n_fields) int64, values in [0, n_values)
    ctr: np.ndarray  # (n,) float64, the true click probability
    market_price: np.ndarray  # (n,) int64 in [1, delta_max]
    click: np.ndarray  # (n,) int8 click label, drawn from ctr
    delta_max: int  # largest market price (and largest allowed bid)

    def __len__(self) -> int:
        return int(self.ctr.shape[0])


@dataclass(frozen=True)
class CampaignParams:
    """The generating parameters of one synthetic campaign."""

    weights: np.ndarray  # (n_fields, n_values) logit weights w
    intercept: float  # c, solved for mean_ctr
    mu0: float  # log-price offset, solved for mean_price
    rho: float  # d log(price) / d logit(ctr)
    sigma: float  # log-price noise scale
    mean_ctr: float
    mean_price: float
    delta_max: int


@dataclass(frozen=True)
class Campaign:
    train: AuctionLog
    test: AuctionLog
    params: CampaignParams


def make_campaign(
    *,
    n_fields: int,
    n_values: int,
    mean_ctr: float,
    rho: float,
    sigma: float,
    delta_max: int,
    n_train: int,
    n_test: int,
    rng: np.random.Generator,
    w_scale: float = 0.8,
    mean_price: float | None = None,
) -> Campaign:
    """Draw a train and a test log from one campaign (rows i.i.d.; see module docstring).

    ``mean_price`` defaults to ``delta_max / 3`` (before rounding); ``w_scale`` is the card's
    0.8. The intercept c and mu0 are solved on the generated rows (train and test
    together), so the realised mean CTR and mean (unrounded) price hit their targets.
    """
    if not 0.0 < mean_ctr < 1.0:
        raise ValueError("mean_ctr must be in (0, 1)")
    mean_price = delta_max / 3.0 if mean_price is None else float(mean_price)
    if not 1.0 < mean_price < delta_max:
        raise ValueError("mean_price must lie strictly between 1 and delta_max")
    n = n_train + n_test
    weights = rng.normal(0.0, w_scale, size=(n_fields, n_values))
    features = rng.integers(0, n_values, size=(n, n_fields), dtype=np.int64)
    score = weights[np.arange(n_fields), features].sum(axis=1)  # w . onehot(x), (n,)
    # intercept c: mean_i sigmoid(score_i + c) = mean_ctr (monotone in c)
    intercept = brentq(lambda c: expit(score + c).mean() - mean_ctr, -60.0, 60.0, xtol=1e-12)
    logit = score + intercept
    ctr = expit(logit)
    eps = rng.standard_normal(n)
    base = rho * logit + sigma * eps  # log price without mu0

    def price_gap(mu0: float) -> float:
        return float(np.clip(np.exp(mu0 + base), 1.0, delta_max).mean() - mean_price)

    mu0 = brentq(price_gap, -base.max() - 1.0, np.log(delta_max) - base.min() + 1.0, xtol=1e-10)
    price = np.clip(np.rint(np.exp(mu0 + base)), 1, delta_max).astype(np.int64)
    click = (rng.random(n) < ctr).astype(np.int8)  # click ~ Bernoulli(ctr)

    def cut(lo: int, hi: int) -> AuctionLog:
        return AuctionLog(features=features[lo:hi], ctr=ctr[lo:hi], market_price=price[lo:hi],
                          click=click[lo:hi], delta_max=int(delta_max))

    params = CampaignParams(weights=weights, intercept=float(intercept), mu0=float(mu0),
                            rho=float(rho), sigma=float(sigma), mean_ctr=float(mean_ctr),
                            mean_price=mean_price, delta_max=int(delta_max))
    return Campaign(train=cut(0, n_train), test=cut(n_train, n), params=params)


@dataclass(frozen=True)
class ReplayResult:
    """Per-episode outcomes of a replay plus the README's summary columns."""

    episode_clicks: np.ndarray  # (K,) int64
    episode_impressions: np.ndarray  # (K,) int64, auctions won
    episode_cost: np.ndarray  # (K,) int64, total second price paid
    episode_exp_clicks: np.ndarray  # (K,) float64, sum of the true CTR over won auctions
    budget: np.ndarray  # (K,) int64, the starting budget of each episode
    horizon: int  # auctions per episode

    @property
    def n_episodes(self) -> int:
        return int(self.episode_clicks.shape[0])

    @property
    def clicks(self) -> int:
        return int(self.episode_clicks.sum())

    @property
    def impressions(self) -> int:
        return int(self.episode_impressions.sum())

    @property
    def cost(self) -> int:
        return int(self.episode_cost.sum())

    @property
    def exp_clicks(self) -> float:
        """Expected clicks (true CTR summed over wins): the click count without label noise."""
        return float(self.episode_exp_clicks.sum())

    @property
    def win_rate(self) -> float:
        """Impressions won / auctions seen."""
        return self.impressions / (self.n_episodes * self.horizon)

    @property
    def cpm(self) -> float:
        """Cost per thousand impressions won (nan with no win)."""
        return 1000.0 * self.cost / self.impressions if self.impressions else float("nan")

    @property
    def ecpc(self) -> float:
        """Effective cost per click (nan with no click)."""
        return self.cost / self.clicks if self.clicks else float("nan")

    def split(self, n_copies: int) -> list[ReplayResult]:
        """Split a copy-major result (see ``replay``) into ``n_copies`` results."""
        k = self.n_episodes // n_copies
        if k * n_copies != self.n_episodes:
            raise ValueError("n_copies must divide the number of episodes")
        return [ReplayResult(episode_clicks=self.episode_clicks[i * k:(i + 1) * k],
                             episode_impressions=self.episode_impressions[i * k:(i + 1) * k],
                             episode_cost=self.episode_cost[i * k:(i + 1) * k],
                             episode_exp_clicks=self.episode_exp_clicks[i * k:(i + 1) * k],
                             budget=self.budget[i * k:(i + 1) * k], horizon=self.horizon)
                for i in range(n_copies)]


def replay(
    log: AuctionLog,
    policy: Policy,
    *,
    horizon: int,
    budget: int | np.ndarray,
    n_episodes: int,
    theta: np.ndarray | None = None,
    n_copies: int = 1,
) -> ReplayResult:
    """Second-price replay of ``n_episodes`` episodes, all advanced together.

    Episode e uses auctions [e*horizon, (e+1)*horizon) of ``log``. With ``n_copies`` > 1
    every episode is run ``n_copies`` times side by side (copy-major: column
    k = copy * n_episodes + e), e.g. to try several budgets or bid scalings at once;
    ``budget`` is a scalar or one starting budget per column (K = n_copies * n_episodes).
    At the step with ``t_left`` auctions left (the current one included) the policy is
    called once: ``policy(t_left, budget_left (K,), theta (K,))``, where ``theta`` is the
    value estimate of the current auction (``theta`` argument, default the log's true
    CTR). Bids are floored at 0 and capped at min(budget_left, delta_max); the bidder wins
    iff bid >= market price, pays the market price and gets the logged click (the true
    CTR of won auctions is summed too, as a noise-free "expected clicks").
    """
    n_need = n_episodes * horizon
    if n_need > len(log):
        raise ValueError(f"need {n_need} auctions for {n_episodes} episodes of {horizon}, "
                         f"log has {len(log)}")
    theta = log.ctr if theta is None else np.asarray(theta, dtype=np.float64)
    n_cols = n_episodes * n_copies

    def steps(a: np.ndarray) -> np.ndarray:  # (n,) -> (horizon, K), copy-major columns
        return np.tile(a[:n_need].reshape(n_episodes, horizon).T, (1, n_copies))

    price, value, click = steps(log.market_price), steps(theta), steps(log.click.astype(bool))
    true_ctr = steps(log.ctr)
    start = np.broadcast_to(np.asarray(budget, dtype=np.int64), (n_cols,)).copy()
    left = start.copy()
    clicks = np.zeros(n_cols, dtype=np.int64)
    wins = np.zeros(n_cols, dtype=np.int64)
    exp_clicks = np.zeros(n_cols)
    for s in range(horizon):
        view = left.view()
        view.flags.writeable = False
        bid = np.asarray(policy(horizon - s, view, value[s]), dtype=np.int64)
        bid = np.clip(bid, 0, np.minimum(left, log.delta_max))
        win = bid >= price[s]
        left -= np.where(win, price[s], 0)  # second price: pay the market price
        wins += win
        clicks += win & click[s]
        exp_clicks += np.where(win, true_ctr[s], 0.0)
    return ReplayResult(episode_clicks=clicks, episode_impressions=wins,
                        episode_cost=start - left, episode_exp_clicks=exp_clicks, budget=start,
                        horizon=horizon)
