"""The RTB chapter's experiment in one call: synthetic campaigns, five bidders, replay.

Cai et al. (2017), "Real-Time Bidding by Reinforcement Learning in Display Advertising",
Sec. 5 (small-scale evaluation: RLB vs Lin, Mcpc, SS-MDP under budgets c0 * T * mean
price, T auctions per episode) and Sec. 4.2 / large-scale evaluation (RLB-NN with MapD).
Per data seed and campaign: generate logs (``auctions.make_campaign``), fit the pCTR
model, estimate m(delta) and theta_avg, solve one value DP for the largest budget (V for
smaller budgets is the same table cut at b <= B), tune Lin's b0 on training episodes,
and replay the test episodes for every method and every c0 at once.

Per-campaign randomness comes from SeedSequence([data_seed, campaign]), so adding a
campaign or a seed leaves the others unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .auctions import ReplayResult, make_campaign, replay
from .rtb import market_price_pdf, rlb_bid, value_dp, value_dp_x
from .rtb_approx import fit_d_approx, mapd_values
from .rtb_bidders import (
    episode_budget,
    fit_ctr_model,
    lin_policy,
    mcpc_policy,
    rlb_policy,
    ssmdp_policy,
    tune_lin,
)

__all__ = ["RTBWidgetData", "RTBResults", "run_rtb_experiment", "click_totals"]

METHODS = ("RLB", "Lin", "Mcpc", "SS-MDP", "RLB-NN", "RLB-Ex")


@dataclass(frozen=True)
class RTBWidgetData:
    """Small tables for the chapter's widget (first data seed, campaign 0).

    bid_curves[i, j, k]: RLB bid for c0_list[i], time fraction time_fracs[j] (t =
    round(frac * horizon) auctions left, budget left on pace: int(frac * B(c0))) and
    pCTR theta_grid[k]. lin_b0[i]: Lin's tuned b0 (Lin bid = b0 * theta / theta_avg).
    d_heat[i, p, q] = D(d_t[p], d_b[i, q]) on a coarse grid of the exact table, with the
    budget axis spanning 0..B(c0_list[i]) for each c0.
    """

    c0_list: np.ndarray  # (n_c0,)
    budgets: np.ndarray  # (n_c0,) episode budgets B(c0)
    time_fracs: np.ndarray  # (n_time,)
    theta_grid: np.ndarray  # (n_theta,)
    bid_curves: np.ndarray  # (n_c0, n_time, n_theta) int64
    lin_b0: np.ndarray  # (n_c0,)
    theta_avg: float
    horizon: int
    delta_max: int
    d_t: np.ndarray  # (n_t,) t values of the heat map
    d_b: np.ndarray  # (n_c0, n_b) b values of the heat map, per c0
    d_heat: np.ndarray  # (n_c0, n_t, n_b)
    m: np.ndarray  # (delta_max+1,) market-price pdf of the campaign (for live recomputation)
    mean_price: float  # mean training market price (budget = c0 * horizon * mean_price)


@dataclass(frozen=True)
class RTBResults:
    """table: one row per (seed, campaign, c0, method) with clicks, impressions, cost,
    win_rate, cpm, ecpc, budget and exp_clicks (true CTR summed over wins). fits: one row
    per (seed, campaign) with the fitted quantities (theta_avg, mean_price, eCPC_train).
    settings: one row per (seed, campaign, c0) with the budget B, Lin's tuned b0 and the
    NN's held-out relative RMSE. timing: seconds per stage, summed over campaigns."""

    table: pd.DataFrame
    fits: pd.DataFrame
    settings: pd.DataFrame
    widget: RTBWidgetData | None
    timing: dict[str, float] = field(default_factory=dict)


def _rows(res: list[ReplayResult], *, method: str, c0_list: Sequence[float],
          key: dict) -> list[dict]:
    return [dict(key, c0=c0, method=method, clicks=r.clicks, impressions=r.impressions, cost=r.cost,
                 win_rate=r.win_rate, cpm=r.cpm, ecpc=r.ecpc, budget=int(r.budget[0]),
                 exp_clicks=r.exp_clicks)
            for c0, r in zip(c0_list, res)]


def _widget(V: np.ndarray, *, c0_list, budgets, lin_b0, theta_avg, theta_test, horizon,
            delta_max, time_fracs, n_theta, heat_shape, m, mean_price) -> RTBWidgetData:
    theta_grid = np.linspace(0.0, float(np.quantile(theta_test, 0.995)), n_theta)
    curves = np.zeros((len(c0_list), len(time_fracs), n_theta), dtype=np.int64)
    for i, B in enumerate(budgets):
        for j, frac in enumerate(time_fracs):
            t = max(1, int(round(frac * horizon)))
            b = np.full(n_theta, int(frac * B), dtype=np.int64)
            curves[i, j] = rlb_bid(V[t - 1], b, theta_grid, delta_max=delta_max)
    d_t = np.unique(np.linspace(1, horizon, heat_shape[0]).round().astype(np.int64))
    d_b = np.stack([np.linspace(0, B - 1, heat_shape[1]).round().astype(np.int64)
                    for B in budgets])
    d_heat = np.stack([V[d_t][:, row + 1] - V[d_t][:, row] for row in d_b])
    return RTBWidgetData(c0_list=np.asarray(c0_list, dtype=np.float64), budgets=np.asarray(budgets),
                         time_fracs=np.asarray(time_fracs, dtype=np.float64), theta_grid=theta_grid,
                         bid_curves=curves, lin_b0=np.asarray(lin_b0), theta_avg=float(theta_avg),
                         horizon=int(horizon), delta_max=int(delta_max), d_t=d_t, d_b=d_b,
                         d_heat=d_heat, m=np.asarray(m, dtype=np.float64),
                         mean_price=float(mean_price))


def run_rtb_experiment(
    *,
    n_campaigns: int,
    rhos: Sequence[float],
    horizon: int,
    c0_list: Sequence[float],
    delta_max: int,
    mean_ctr: float,
    n_train: int,
    n_test: int,
    test_episodes: int,
    data_seeds: Sequence[int],
    nn_approx: bool,
    T0: int,
    lin_grid: int,
    lin_train_episodes: int,
    device: str | None = None,
    progress: bool = True,
    n_fields: int = 6,
    n_values: int = 6,
    w_scale: float = 0.8,
    sigma: float = 0.5,
    mean_price: float | None = None,
    smoothing: float = 1.0,
    lin_b0_range: tuple[float, float] | None = None,
    ctr_C: float = 1.0,
    nn_hidden: int = 16,
    nn_max_iter: int = 200,
    nn_points: int = 1024,
    nn_exact_head: bool = True,
    exact_x: bool = False,
    exact_x_c0: Sequence[float] | None = None,
    exact_x_grid: int | None = 4096,
    widget_time_fracs: Sequence[float] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    widget_n_theta: int = 60,
    widget_heat_shape: tuple[int, int] = (50, 60),
) -> RTBResults:
    """Run every (data seed, campaign) and return tidy results (see ``RTBResults``).

    Campaign c uses rho = rhos[c % len(rhos)]; ``sigma``, ``w_scale``, ``mean_price`` go to
    ``auctions.make_campaign``. Budgets B(c0) = int(c0 * horizon * mean training price).
    Lin's b0 is searched on ``lin_grid`` geometric values in ``lin_b0_range`` (default
    (1, 2 * delta_max)) over ``lin_train_episodes`` training episodes, per c0. RLB-NN (when
    ``nn_approx``): per c0, D_nn is fitted on t <= T0, b < B(c0) of the exact table
    (``rtb_approx.fit_d_approx``) and used through MapD for t > T0; rows t <= T0 stay exact
    unless ``nn_exact_head`` is False. Test replays run all c0 of a method at once.
    RLB-Ex (when ``exact_x``, for the budgets in ``exact_x_c0``, default all): the same bid
    rule on the value table of the MDP solved without the theta_avg approximation, with the
    training log's pCTR distribution (``rtb.value_dp_x``, g tabulated on ``exact_x_grid``).
    """
    if test_episodes * horizon > n_test or lin_train_episodes * horizon > n_train:
        raise ValueError("episodes * horizon must fit in the test / train logs")
    lo, hi = lin_b0_range if lin_b0_range is not None else (1.0, 2.0 * delta_max)
    b0_grid = np.geomspace(lo, hi, lin_grid)
    rows, fits, b0_rows = [], [], []
    timing = dict.fromkeys(["data", "ctr", "dp", "dp_x", "nn", "lin_tune", "replay"], 0.0)
    widget = None
    jobs = [(s, c) for s in data_seeds for c in range(n_campaigns)]
    for seed, camp in tqdm(jobs, desc="rtb", disable=not progress):
        clock = time.perf_counter()
        seq = np.random.SeedSequence([int(seed), int(camp)])
        data_seq, nn_seq = seq.spawn(2)
        rho = float(rhos[camp % len(rhos)])
        cp = make_campaign(n_fields=n_fields, n_values=n_values, mean_ctr=mean_ctr, rho=rho,
                           sigma=sigma, delta_max=delta_max, n_train=n_train, n_test=n_test,
                           rng=np.random.default_rng(data_seq), w_scale=w_scale,
                           mean_price=mean_price)
        train, test = cp.train, cp.test
        timing["data"] += time.perf_counter() - clock
        clock = time.perf_counter()
        model = fit_ctr_model(train, n_values=n_values, C=ctr_C)
        theta_train, theta_test = model.predict(train.features), model.predict(test.features)
        theta_avg = float(train.click.mean())
        price_avg = float(train.market_price.mean())
        ecpc_train = float(train.market_price.sum() / max(int(train.click.sum()), 1))
        budgets = np.array([episode_budget(c0=c0, horizon=horizon, mean_price=price_avg)
                            for c0 in c0_list], dtype=np.int64)
        m = market_price_pdf(train.market_price, delta_max=delta_max, smoothing=smoothing)
        timing["ctr"] += time.perf_counter() - clock
        clock = time.perf_counter()
        V = value_dp(horizon=horizon, budget=int(budgets.max()), m=m, theta_avg=theta_avg,
                     device=device)
        timing["dp"] += time.perf_counter() - clock
        clock = time.perf_counter()
        b0 = tune_lin(train, theta=theta_train, theta_avg=theta_avg, b0_grid=b0_grid,
                      budgets=budgets, horizon=horizon, n_episodes=lin_train_episodes)
        timing["lin_tune"] += time.perf_counter() - clock
        policies = {
            "RLB": rlb_policy(V, delta_max=delta_max),
            "Lin": lin_policy(np.repeat(b0, test_episodes), theta_avg=theta_avg),
            "Mcpc": mcpc_policy(ecpc_train),
            "SS-MDP": ssmdp_policy(V, delta_max=delta_max, theta_avg=theta_avg),
        }
        key = dict(seed=int(seed), campaign=int(camp), rho=rho)
        nn_tables, nn_rmse = [], []
        if nn_approx:  # one fit per c0, on t <= T0 and b < B(c0), as the DP region it replaces
            clock = time.perf_counter()
            nn_seeds = nn_seq.generate_state(len(budgets))
            for B, nn_seed in zip(budgets, nn_seeds):
                approx = fit_d_approx(V[:, :B + 1], t0=T0, d_hidden=nn_hidden, max_iter=nn_max_iter,
                                      n_points=nn_points, seed=int(nn_seed))
                nn_tables.append(mapd_values(V[:, :B + 1], approx, t0=T0, exact_head=nn_exact_head))
                nn_rmse.append(approx.rel_rmse)
            timing["nn"] += time.perf_counter() - clock
        clock = time.perf_counter()
        budget_cols = np.repeat(budgets, test_episodes)
        for name, policy in policies.items():
            res = replay(test, policy, horizon=horizon, budget=budget_cols,
                         n_episodes=test_episodes, theta=theta_test, n_copies=len(c0_list))
            rows += _rows(res.split(len(c0_list)), method=name, c0_list=c0_list, key=key)
        for c0, B, table in zip(c0_list, budgets, nn_tables):
            res = replay(test, rlb_policy(table, delta_max=delta_max), horizon=horizon, budget=B,
                         n_episodes=test_episodes, theta=theta_test)
            rows += _rows([res], method="RLB-NN", c0_list=[c0], key=key)
        timing["replay"] += time.perf_counter() - clock
        if exact_x:  # the MDP solved with E_x outside the max (rtb.value_dp_x), chosen c0 only
            clock = time.perf_counter()
            x_c0 = [c for c in c0_list if exact_x_c0 is None
                    or any(np.isclose(c, e) for e in exact_x_c0)]
            x_budgets = np.array([B for c, B in zip(c0_list, budgets) if c in x_c0])
            values, counts = np.unique(theta_train, return_counts=True)
            Vx = value_dp_x(horizon=horizon, budget=int(x_budgets.max()), m=m, thetas=values,
                            weights=counts, grid_points=exact_x_grid, device=device)
            timing["dp_x"] += time.perf_counter() - clock
            clock = time.perf_counter()
            res = replay(test, rlb_policy(Vx, delta_max=delta_max), horizon=horizon,
                         budget=np.repeat(x_budgets, test_episodes), n_episodes=test_episodes,
                         theta=theta_test, n_copies=len(x_c0))
            rows += _rows(res.split(len(x_c0)), method="RLB-Ex", c0_list=x_c0, key=key)
            timing["replay"] += time.perf_counter() - clock
        fits.append(dict(key, theta_avg=theta_avg, mean_price=price_avg, ecpc_train=ecpc_train,
                         budget_max=int(budgets.max())))
        b0_rows += [dict(key, c0=c0, budget=int(B), b0=float(v),
                         nn_rel_rmse=nn_rmse[i] if nn_rmse else float("nan"))
                    for i, (c0, B, v) in enumerate(zip(c0_list, budgets, b0))]
        if widget is None:
            widget = _widget(V, c0_list=c0_list, budgets=budgets, lin_b0=b0, theta_avg=theta_avg,
                             theta_test=theta_test, horizon=horizon, delta_max=delta_max,
                             time_fracs=widget_time_fracs, n_theta=widget_n_theta,
                             heat_shape=widget_heat_shape, m=m, mean_price=price_avg)
    return RTBResults(table=pd.DataFrame(rows), fits=pd.DataFrame(fits),
                      settings=pd.DataFrame(b0_rows), widget=widget, timing=timing)


def click_totals(table: pd.DataFrame, *, values: str = "clicks") -> pd.DataFrame:
    """Totals of ``values`` over campaigns: index (seed, c0), one column per method."""
    out = table.pivot_table(index=["seed", "c0"], columns="method", values=values, aggfunc="sum")
    return out[[m for m in METHODS if m in out.columns]]
