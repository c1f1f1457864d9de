"""Figures of the co-player inference chapter (Weis et al. 2026, Figs. 1, 2 and 4).

Every function draws one figure from the arrays of ``rl.coplayer`` and returns it; titles
and axis labels say what is shown. Colours come from ``book.plots.method_palette``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from replib.book.plots import method_palette

__all__ = ["episode_panel", "episode_grid", "training_curves", "conditions_plot",
           "extortion_plot"]


def episode_panel(ev: dict, k: int, name: str, *, title: str = "", ax=None):
    """π(C) of each seed's agent per round against opponent k, and the opponent's C rate."""
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.2, 3.2))
    p = ev["p_coop"][:, :, k]  # (T, P)
    t = np.arange(1, p.shape[0] + 1)
    for s in range(p.shape[1]):
        ax.plot(t, p[:, s], color="C0", alpha=0.35, lw=1)
    ax.plot(t, p.mean(1), color="C0", lw=2.2, label="agent π(C), mean over seeds")
    ax.plot(t, ev["co_coop"][:, :, k].mean(1), color="C3", lw=1.6, ls="--",
            label=f"{name}: C rate")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("round in the episode")
    ax.set_ylabel("P(cooperate)")
    ax.set_title(title or f"against {name}")
    ax.legend(loc="center right", fontsize=8)
    return fig if fig is not None else ax.figure


def episode_grid(ev: dict, names: list[str], *, title: str):
    """One small panel per opponent (the paper's Fig. 2B / 4B layout)."""
    n = len(names)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.9 * rows), squeeze=False,
                             sharey=True)
    for k, name in enumerate(names):
        episode_panel(ev, k, name, ax=axes.flat[k])
    for ax in axes.flat[n:]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def training_curves(curves: dict, *, what: str, title: str):
    """Per-update ``what`` ('coop' or 'reward') for each named run, mean over its members."""
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    pal = method_palette(list(curves))
    for name, c in curves.items():
        y = getattr(c, what)
        ax.plot(np.arange(1, len(y) + 1), y.mean(1), label=name, color=pal[name])
    ax.set_xlabel("A2C update")
    ax.set_ylabel({"coop": "cooperation rate in the batch",
                   "reward": "mean reward per round"}[what])
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def conditions_plot(coop: dict, *, title: str, paper_mixed: float | None = None):
    """Final learner-vs-learner cooperation per training condition, one dot per seed."""
    df = pd.DataFrame([(c, v) for c, vals in coop.items() for v in vals],
                      columns=["condition", "cooperation"])
    fig, ax = plt.subplots(figsize=(5.6, 3.4))
    pal = method_palette(list(coop))
    sns.barplot(df, x="condition", y="cooperation", hue="condition", palette=pal, ax=ax,
                errorbar=None, alpha=0.5, legend=False)
    sns.stripplot(df, x="condition", y="cooperation", color="k", size=6, ax=ax)
    if paper_mixed is not None:
        ax.axhline(paper_mixed, color="grey", ls=":", label=f"paper, mixed ≈ {paper_mixed}")
        ax.legend(fontsize=8)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("learner-vs-learner cooperation rate")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def extortion_plot(final: dict, *, seeds, R: float, paper: float, title: str):
    """Step 2: mean reward per round of the exploiter and of the frozen Fixed-ICL, per seed."""
    rows = [(str(s), "exploiter", final["exploiter"][i]) for i, s in enumerate(seeds)]
    rows += [(str(s), "Fixed-ICL", final["fixed"][i]) for i, s in enumerate(seeds)]
    df = pd.DataFrame(rows, columns=["seed", "agent", "reward"])
    fig, ax = plt.subplots(figsize=(5.6, 3.4))
    sns.barplot(df, x="seed", y="reward", hue="agent", ax=ax,
                palette=method_palette(["exploiter", "Fixed-ICL"]))
    ax.axhline(R, color="grey", ls="--", lw=1, label=f"mutual cooperation R = {R:g}")
    ax.axhline(paper, color="C2", ls=":", lw=1.5, label=f"paper's A2C exploiter ≈ {paper}")
    ax.set_ylabel("mean reward per round")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
