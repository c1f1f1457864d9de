"""Figures of the moloch chapter (El & Zou 2025): the bargain frontier (outcome-share gain
against the rise in deception across audience verification levels and methods) and the
widget panel of one condition (bars before/after plus example messages)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

__all__ = ["bargain_frontier", "condition_panel"]


def bargain_frontier(df: pd.DataFrame) -> plt.Figure:
    """Gain (pp of outcome share vs the baseline seller) against deception change (pp),
    one point per seed, colour = share of verifying personas, marker = method."""
    fig, ax = plt.subplots(figsize=(8.4, 4.2))
    sns.scatterplot(data=df, x="deception_delta_pp", y="gain_pp", hue="verify_frac",
                    style="method", palette="viridis_r", s=70, ax=ax)
    m = df.groupby(["method", "verify_frac"])[["deception_delta_pp", "gain_pp"]].mean()
    for _, g in m.groupby(level=0):
        ax.plot(g.deception_delta_pp.values, g.gain_pp.values, color="0.6", lw=0.8, zorder=0)
    ax.axhline(0, color="0.3", lw=0.6)
    ax.axvline(0, color="0.3", lw=0.6)
    ax.set_xlabel("deception rate after training minus baseline (percentage points)")
    ax.set_ylabel("outcome-share gain vs baseline (pp)")
    ax.set_title("The bargain: gains come with deception unless the audience verifies")
    ax.legend(fontsize=7, title_fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig


def _summary(text: str) -> str:
    """'9 true claims + battery life level 3 [FABRICATED], ...' from a rendered message."""
    parts = [] if text == "(no claims)" else text.split("; ")
    ok = sum("[ok]" in p for p in parts)
    bad = [p for p in parts if "[ok]" not in p]
    return f"{ok} true claims" + (" + " + ", ".join(bad) if bad else "")


def condition_panel(row: dict, examples: Sequence[tuple[int, str, str]], *,
                    title: str) -> plt.Figure:
    """Bars (share and deception, baseline vs trained) and example messages."""
    fig = plt.figure(figsize=(9.0, 3.4))
    ax = fig.add_axes([0.07, 0.15, 0.27, 0.7])
    vals = [row["share_base"], row["share"], row["deception_base"], row["deception"]]
    cols = ["0.7", "tab:blue", "0.7", "tab:red"]
    ax.bar(np.arange(4), vals, color=cols)
    ax.set_xticks(np.arange(4), ["share\nbase", "share\ntrained", "deceptive\nbase",
                                 "deceptive\ntrained"], fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_title(title, fontsize=9)
    tx = fig.add_axes([0.38, 0.02, 0.6, 0.92])
    tx.axis("off")
    lines = []
    for anchor, before, after in examples:
        lines.append(f"product {anchor}")
        for who, text in (("baseline", before), ("trained", after)):
            body = textwrap.wrap(_summary(text), 88)
            lines += [f"  {who:9s}{body[0]}"] + [" " * 11 + b for b in body[1:]]
    tx.text(0, 1, "\n".join(lines), va="top", family="monospace", fontsize=7.5)
    return fig
