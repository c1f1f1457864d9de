"""Figures of the RTB chapter: clicks by budget, RLB's gain next to the paper's, and the
widget panels (RLB's bid curve at a state (t, b) beside the value differential D(t, b)).

Cai et al. (2017), Sec. 4 (the bid rule a(t, b, x) and D(t, b) = V(t, b+1) − V(t, b))
and Sec. 5.3 (overall performance by budget fraction c0).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from replib.book.plots import heat, seed_dots
from replib.markets.rtb import rlb_bid, value_dp
from replib.markets.rtb_bidders import episode_budget
from replib.markets.rtb_experiment import RTBWidgetData
from replib.markets.rtb_report import relative_gain

__all__ = ["c0_label", "clicks_by_budget", "gain_vs_paper", "bid_panel", "live_bid_panel"]


def c0_label(c0: float) -> str:
    """1/32 rather than 0.03125."""
    return str(Fraction(c0).limit_denominator(1024))


def clicks_by_budget(table: pd.DataFrame, *, palette: Mapping[str, tuple],
                     methods: Sequence[str], value: str = "clicks") -> plt.Figure:
    """Total test clicks (summed over campaigns) per budget fraction and method, one dot
    per data seed, bars at the mean with a 95% CI. ``value``: "clicks" (logged labels) or
    "exp_clicks" (true CTR of won impressions)."""
    per_seed = table.groupby(["seed", "c0", "method"])[value].sum().rename("clicks").reset_index()
    per_seed["c0 (budget fraction)"] = per_seed.c0.map(c0_label)
    order = [c0_label(c) for c in sorted(per_seed.c0.unique())]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    seed_dots(ax, per_seed, x="c0 (budget fraction)", y="clicks", hue="method",
              palette=palette, order=order, hue_order=list(methods),
              title="Total test clicks by budget: every bidder spends the same budget",
              ylabel=("expected clicks" if value == "exp_clicks" else "clicks")
              + " (sum over campaigns)")
    ax.legend(title=None, ncols=len(methods), fontsize=8, loc="upper center",
              bbox_to_anchor=(0.5, -0.2), frameon=False)
    return fig


def gain_vs_paper(table: pd.DataFrame, *, c0_list: Sequence[float],
                  paper_gain: Mapping[float, float], methods: Sequence[str] = ("RLB",),
                  baseline: str = "Lin", value: str = "clicks",
                  palette: Mapping[str, tuple] | None = None) -> plt.Figure:
    """Each method's relative click gain over ``baseline`` per c0 (dots: seeds, line: mean),
    next to the paper's RLB gains from its small-scale figure data (squares)."""
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for k, method in enumerate(methods):
        colour = palette[method] if palette else f"C{k}"
        rows = []
        for c0 in c0_list:
            if not ((table.method == method) & np.isclose(table.c0, c0)).any():
                continue  # e.g. RLB-Ex evaluated at the tightest budget only
            g = relative_gain(table, method=method, baseline=baseline, c0=c0, value=value)
            rows += [{"c0": c0, "gain": 100 * v} for v in g.values]
        df = pd.DataFrame(rows)
        ax.scatter(np.log2(df.c0), df.gain, color=colour, alpha=0.5, s=18)
        means = df.groupby("c0").gain.mean()
        ax.plot(np.log2(means.index), means.values, "o-", color=colour,
                label=f"ours: {method} (dots: seeds)")
    pc = sorted(paper_gain)
    ax.plot(np.log2(pc), [100 * paper_gain[c] for c in pc], "s--", color="grey",
            label="paper: RLB (iPinYou, small scale)")
    ticks = sorted(set(pc) | set(c0_list))
    ax.set_xticks(np.log2(ticks), [c0_label(c) for c in ticks])
    ax.axhline(0, color="grey", lw=0.8)
    ax.set(xlabel="budget fraction c0", ylabel=f"click gain over {baseline} (%)",
           title=f"Gain over {baseline} by budget: ours next to the paper's")
    ax.legend(fontsize=8)
    return fig


def _panel(*, c0: float, t: int, b: int, horizon: int, delta_max: int, theta_grid: np.ndarray,
           bids: np.ndarray, lin_b0: float, lin_note: str, theta_avg: float, d_t: np.ndarray,
           d_b: np.ndarray, d_heat: np.ndarray) -> plt.Figure:
    """Draw one widget panel: bid curves at state (t, b) and D(t, b) with the state starred."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.3), gridspec_kw={"width_ratios": [1, 1.15]})
    fig.subplots_adjust(left=0.07, right=0.97, bottom=0.16, top=0.9, wspace=0.28)
    theta = theta_grid * 1000
    a1.plot(theta, bids, color="C0", lw=2, label="RLB a(t, b, θ)")
    lin = np.minimum(lin_b0 * theta_grid / theta_avg, delta_max)
    a1.plot(theta, lin, color="C1", lw=1.5, ls="--", label=f"Lin (b0 = {lin_b0:.0f}{lin_note})")
    a1.axvline(theta_avg * 1000, color="grey", lw=0.8, ls=":", label="average CTR θ̄")
    a1.set(xlabel="pCTR θ(x) (per mille)", ylabel="bid", ylim=(0, delta_max * 1.05),
           title=f"bid curve: c0 = {c0_label(c0)}, {t} of {horizon} auctions left, b = {b}")
    a1.title.set_fontsize(9)
    a1.legend(fontsize=7, loc="upper left")
    heat(a2, 1000 * d_heat, x=d_b, y=d_t, title="value of one more budget unit D(t, b)",
         xlabel="budget left b", ylabel="auctions left t",
         cbar_label="D (expected clicks per mille)")
    a2.title.set_fontsize(9)
    a2.plot([b], [t], marker="*", color="red", markersize=12)
    return fig


def _state(frac: float, horizon: int, budget: int) -> tuple[int, int]:
    """The on-pace state at a fraction of the episode left: (t, b) = (frac T, frac B)."""
    return max(1, int(round(frac * horizon))), int(frac * budget)


def bid_panel(w: RTBWidgetData, i: int, j: int) -> plt.Figure:
    """Precomputed panel (c0 = w.c0_list[i], time fraction w.time_fracs[j]): RLB's bid as a
    function of pCTR at the on-pace state (t, b), Lin's line, and D(t, b) with that state."""
    t, b = _state(w.time_fracs[j], w.horizon, int(w.budgets[i]))
    return _panel(c0=w.c0_list[i], t=t, b=b, horizon=w.horizon, delta_max=w.delta_max,
                  theta_grid=w.theta_grid, bids=w.bid_curves[i, j], lin_b0=float(w.lin_b0[i]),
                  lin_note="", theta_avg=w.theta_avg, d_t=w.d_t, d_b=w.d_b[i],
                  d_heat=w.d_heat[i])


def live_bid_panel(w: RTBWidgetData) -> Callable[..., plt.Figure]:
    """A function ``draw(c0, time_left)`` for any budget fraction: it re-solves the DP for
    that budget from the campaign's m(δ) and θ̄ (cached), and interpolates Lin's tuned b0
    in log c0 between the tuned budgets. For the widget's live mode (needs a kernel)."""

    @lru_cache(maxsize=8)
    def table(budget: int) -> np.ndarray:
        return value_dp(horizon=w.horizon, budget=budget, m=w.m, theta_avg=w.theta_avg)

    def draw(c0: float, time_left: float) -> plt.Figure:
        budget = max(1, episode_budget(c0=c0, horizon=w.horizon, mean_price=w.mean_price))
        V = table(budget)
        t, b = _state(time_left, w.horizon, budget)
        bids = rlb_bid(V[t - 1], np.full(w.theta_grid.shape, b), w.theta_grid,
                       delta_max=w.delta_max)
        b0 = float(np.exp(np.interp(np.log(c0), np.log(w.c0_list), np.log(w.lin_b0))))
        d_b = np.linspace(0, budget - 1, w.d_b.shape[1]).round().astype(np.int64)
        d_heat = V[w.d_t][:, d_b + 1] - V[w.d_t][:, d_b]
        return _panel(c0=c0, t=t, b=b, horizon=w.horizon, delta_max=w.delta_max,
                      theta_grid=w.theta_grid, bids=bids, lin_b0=b0, lin_note=", interpolated",
                      theta_avg=w.theta_avg, d_t=w.d_t, d_b=d_b, d_heat=d_heat)

    return draw
