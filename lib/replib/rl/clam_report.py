"""Tables and figures for the CLAM chapter (Ma et al. 2024, "Contrastive learning-based
agent modeling for deep reinforcement learning"): returns per method, type-probe accuracy
against time within the episode, and the embedding space by co-player type.

Inputs are the ``{(task, method, seed): RunResult}`` dicts of ``rl.clam_experiment``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

__all__ = ["results_table", "relative_gain", "learning_curves", "probe_curves",
           "embedding_panel", "TASK_LABEL"]

TASK_LABEL = {"predator_prey": "competitive: predator-prey (ego = prey)",
              "partner_target": "cooperative: partner-target"}


def results_table(results: dict) -> pd.DataFrame:
    """One row per (task, method, seed): final return, probe accuracies, consistency, CPU."""
    rows = []
    for (task, method, seed), r in results.items():
        row = {"task": task, "method": method, "seed": seed, "return": r.final_return,
               "consistency": r.consistency, "cpu_s": r.cpu_s}
        row.update({f"probe_t{t}": a for t, a in r.probe.items()})
        rows.append(row)
    return pd.DataFrame(rows).sort_values(["task", "method", "seed"]).reset_index(drop=True)


def relative_gain(table: pd.DataFrame, *, task: str, method: str, baseline: str,
                  seeds) -> np.ndarray:
    """Per seed: (return(method) - return(baseline)) / |return(baseline)|."""
    t = table[table.task == task].set_index(["method", "seed"])["return"]
    a = np.array([t[(method, s)] for s in seeds])
    b = np.array([t[(baseline, s)] for s in seeds])
    return (a - b) / np.abs(b)


def learning_curves(results: dict, *, tasks, methods, palette, smooth: int = 3):
    """Mean episodic ego return per PPO update, mean and range over seeds, one panel per task."""
    fig, axes = plt.subplots(1, len(tasks), figsize=(5.2 * len(tasks), 3.4), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        for m in methods:
            curves = np.stack([r.returns for (t, mm, _), r in results.items()
                               if t == task and mm == m])
            k = np.ones(smooth) / smooth
            sm = np.stack([np.convolve(c, k, mode="valid") for c in curves])
            x = np.arange(sm.shape[1]) + smooth
            ax.plot(x, sm.mean(0), color=palette[m], label=m)
            ax.fill_between(x, sm.min(0), sm.max(0), color=palette[m], alpha=0.15)
        ax.set(title=TASK_LABEL[task], xlabel="PPO update", ylabel="episodic ego return")
    axes[0, -1].legend(loc="lower right", fontsize=8)
    fig.suptitle(f"Learning curves ({smooth}-update moving average; band = range over seeds)",
                 fontsize=10)
    fig.tight_layout()
    return fig


def probe_curves(table: pd.DataFrame, *, tasks, methods, palette, n_types: int):
    """Held-out linear-probe accuracy of the co-player type from z_t (o_t for NAM) vs t."""
    cols = [c for c in table.columns if c.startswith("probe_t")]
    long = table.melt(id_vars=["task", "method", "seed"], value_vars=cols, var_name="t",
                      value_name="accuracy")
    long["t"] = long["t"].str[len("probe_t"):].astype(int)
    long = long[long.method.isin(methods)]
    fig, axes = plt.subplots(1, len(tasks), figsize=(5.2 * len(tasks), 3.4), squeeze=False,
                             sharey=True)
    for ax, task in zip(axes[0], tasks):
        d = long[long.task == task]
        sns.lineplot(d, x="t", y="accuracy", hue="method", palette=palette, marker="o",
                     errorbar=("ci", 95), ax=ax)
        ax.axhline(1 / n_types, color="grey", ls=":", lw=1)
        ax.text(ax.get_xlim()[1], 1 / n_types, "chance ", ha="right", va="bottom", fontsize=8)
        ax.set(title=TASK_LABEL[task], xlabel="step t of the episode (prefix length)",
               ylabel="type accuracy (held out)", ylim=(0, 1.02))
    fig.suptitle("How early the co-player type can be read off the representation "
                 "(random-walk ego, linear probe; mean and 95% CI over seeds)", fontsize=10)
    fig.tight_layout()
    return fig


def _pca_basis(z: np.ndarray):
    mu = z.mean(0)
    _, _, vt = np.linalg.svd(z - mu, full_matrices=False)
    return mu, vt[:2].T


def embedding_panel(ckpts: dict, types: dict, *, tasks, methods, ckpt_index: int,
                    t_index: int, ts, n_types: int):
    """2-D PCA of z_t by co-player type: rows = tasks, columns = methods.

    ``ckpts[(task, method)]`` is a list of ``(update, (len(ts), n, d))``; the PCA axes of a
    (task, method, checkpoint) are fitted on all its prefixes together, so moving ``t``
    shows each episode's embedding travelling within fixed axes.
    """
    colours = sns.color_palette("tab10", n_types)
    fig, axes = plt.subplots(len(tasks), len(methods), figsize=(3.0 * len(methods),
                                                                2.7 * len(tasks)),
                             squeeze=False)
    for i, task in enumerate(tasks):
        for j, m in enumerate(methods):
            ax = axes[i, j]
            update, z = ckpts[(task, m)][ckpt_index]
            mu, basis = _pca_basis(z.reshape(-1, z.shape[-1]))
            all_p = (z.reshape(-1, z.shape[-1]) - mu) @ basis
            p = (z[t_index] - mu) @ basis
            y = types[task]
            for k in range(n_types):
                ax.scatter(p[y == k, 0], p[y == k, 1], s=6, color=colours[k], label=f"type {k}")
            lo, hi = all_p.min(0), all_p.max(0)
            ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xticks=[], yticks=[])
            ax.set_title(f"{m}, {task.replace('_', '-')}", fontsize=9)
    axes[0, -1].legend(fontsize=7, markerscale=2, loc="upper right", frameon=True)
    fig.suptitle(f"z_t at t = {ts[t_index]}, after {update} PPO updates (PCA, colour = "
                 "co-player type)", fontsize=9)
    fig.tight_layout()
    return fig
