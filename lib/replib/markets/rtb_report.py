"""Per-seed measurements behind the RTB chapter's claim checks.

Cai et al. (2017) compare bidders by total clicks under the same budget (Sec. 5.3,
small-scale overall performance; the official draw script sums clicks over the iPinYou
campaigns). Seeds are the resampling unit: every function here returns one value per
data seed, which ``book.verdict`` summarises with a t-interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["total_clicks", "relative_gain", "best_share", "click_ratio", "summary_table"]


def total_clicks(table: pd.DataFrame, *, method: str, c0: float,
                 value: str = "clicks") -> pd.Series:
    """Clicks summed over campaigns, one value per seed (index: seed).

    ``value="clicks"`` counts the logged click labels (the paper's measure);
    ``value="exp_clicks"`` sums the true CTR of the won impressions — the same quantity in
    expectation without the label noise, available because our logs are synthetic.
    """
    rows = table[(table.method == method) & np.isclose(table.c0, c0)]
    if rows.empty:
        raise KeyError(f"no results for method={method!r} at c0={c0}")
    return rows.groupby("seed")[value].sum().astype(float)


def relative_gain(table: pd.DataFrame, *, method: str, baseline: str, c0: float,
                  value: str = "clicks") -> pd.Series:
    """(clicks(method) − clicks(baseline)) / clicks(baseline) per seed, totals over campaigns."""
    a = total_clicks(table, method=method, c0=c0, value=value)
    b = total_clicks(table, method=baseline, c0=c0, value=value)
    return (a - b) / b


def best_share(table: pd.DataFrame, *, method: str, rivals: list[str], c0: float,
               value: str = "clicks") -> pd.Series:
    """Per seed, the share of campaigns where ``method`` has at least as many clicks as
    every rival (ties count as best, as a per-campaign table would show them)."""
    rows = table[np.isclose(table.c0, c0) & table.method.isin([method, *rivals])]
    wide = rows.pivot_table(index=["seed", "campaign"], columns="method", values=value)
    best = wide[method] >= wide[rivals].max(axis=1)
    return best.groupby(level="seed").mean().astype(float)


def click_ratio(table: pd.DataFrame, *, method: str, reference: str, c0: float,
                value: str = "clicks") -> pd.Series:
    """clicks(method) / clicks(reference) per seed, totals over campaigns."""
    return (total_clicks(table, method=method, c0=c0, value=value)
            / total_clicks(table, method=reference, c0=c0, value=value))


def summary_table(table: pd.DataFrame) -> pd.DataFrame:
    """Mean over seeds of the README's columns per (c0, method): clicks, impressions and
    cost totalled over campaigns first (so they read like the paper's overall table),
    eCPC = cost / clicks, and the win rate averaged over campaigns."""
    per_seed = table.groupby(["seed", "c0", "method"]).agg(
        clicks=("clicks", "sum"), exp_clicks=("exp_clicks", "sum"),
        impressions=("impressions", "sum"), cost=("cost", "sum"),
        win_rate=("win_rate", "mean")).reset_index()
    per_seed["ecpc"] = per_seed.cost / per_seed.clicks.clip(lower=1)
    cols = ["clicks", "exp_clicks", "impressions", "ecpc", "win_rate"]
    out = per_seed.groupby(["c0", "method"])[cols].mean()
    return out.round({"clicks": 1, "exp_clicks": 1, "impressions": 0, "ecpc": 1, "win_rate": 3})
