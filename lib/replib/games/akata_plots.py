"""Figures of the repeated-games-llm chapter (Akata et al. 2023/2025): family profiles,
coordination with an alternating partner round by round, and the match-explorer panels of
the chapter's widget (action rasters of one player against the paper's fixed agents)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["family_profile", "coordination_by_round", "match_panel"]


def family_profile(log_table: pd.DataFrame, classical: pd.DataFrame,
                   paper: Mapping[str, float], *, families: Sequence[str],
                   highlight: Sequence[str] = ("Predict-BR", "Grim", "TFT")) -> plt.Figure:
    """Normalised score by game family: LLMs from the released logs, GPT-4 as printed in
    the paper's Table 1, and every classical strategy (mean over seeds; grey, some named)."""
    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    x = np.arange(len(families))
    means = classical[classical.family.isin(families)].groupby(
        ["strategy", "family"]).score.mean().unstack().reindex(columns=families)
    for s, row in means.iterrows():
        hi = s in highlight
        ax.plot(x, row.values, color="0.45" if hi else "0.8", lw=1.4 if hi else 0.8,
                zorder=1, marker="." if hi else None)
        if hi:
            ax.annotate(s, (x[-1], row.values[-1]), xytext=(4, 0), textcoords="offset points",
                        fontsize=7, color="0.35", va="center")
    for m in log_table.columns:
        vals = log_table[m].reindex(families).values
        ax.plot(x, vals, marker="o", lw=2 if m == "act_gpt4" else 1,
                label=f"{m.removeprefix('act_')} (released log)", zorder=3)
    ax.plot(x, [paper.get(f, np.nan) for f in families], "k*--", ms=10, lw=1,
            label="GPT-4, paper's Table 1", zorder=4)
    ax.set_xticks(x, families, rotation=15)
    ax.set_ylabel("score / (10 x max payoff)")
    ax.set_title("Normalised score by family of 2x2 games (grey: classical strategies)")
    ax.legend(fontsize=7, ncol=2, loc="lower left")
    fig.tight_layout()
    return fig


def coordination_by_round(curves: Mapping[str, np.ndarray], *, n_rounds: int) -> plt.Figure:
    """Share of coordinated rounds per round number vs an alternating partner (BoS)."""
    fig, ax = plt.subplots(figsize=(9.0, 3.6))
    t = np.arange(1, n_rounds + 1)
    for name, y in curves.items():
        ls = "--" if "log" in name else "-"
        ax.plot(t, y, ls, marker="o", label=name)
    ax.set_xlabel("round")
    ax.set_ylabel("coordinated (JJ or FF)")
    ax.set_ylim(-0.05, 1.05)
    ax.set_xticks(t)
    ax.set_title("Battle of the Sexes against the alternating agent, round by round")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig


def match_panel(title: str, matches: Mapping[str, tuple[np.ndarray, np.ndarray, float]],
                *, labels=("J", "F")) -> plt.Figure:
    """Action raster of one player (rows: opponents; cells: its action, the opponent's
    action as a letter) with total points and coordination at the right."""
    names = list(matches)
    n_rounds = len(next(iter(matches.values()))[0])
    own = np.array([matches[k][0] for k in names])
    fig, ax = plt.subplots(figsize=(7.0, 0.55 * len(names) + 1.2))
    ax.imshow(own, cmap="coolwarm", vmin=-0.3, vmax=1.3, aspect="auto")
    for i, k in enumerate(names):
        a, b, pts = matches[k]
        for t in range(n_rounds):
            ax.text(t, i, f"{labels[a[t]]}/{labels[b[t]]}", ha="center", va="center",
                    fontsize=7)
        ax.text(n_rounds - 0.3, i, f"  {pts:.0f} pts, coord {np.mean(a == b):.1f}",
                va="center", fontsize=7)
    ax.set_yticks(range(len(names)), [f"vs {k}" for k in names], fontsize=8)
    ax.set_xticks(range(n_rounds), range(1, n_rounds + 1), fontsize=7)
    ax.set_xlabel("round (cell: own / other action; blue = J, red = F)")
    ax.set_xlim(-0.5, n_rounds + 2.6)
    ax.grid(False)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig
