"""House plotting: one seaborn style, one fixed colour per method, figures that say what
they show (every helper takes a title), and figures closed after use."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

__all__ = ["use_style", "method_palette", "fig_to_png", "seed_dots", "heat"]


def use_style() -> None:
    """The book's seaborn theme (call once per chapter)."""
    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
    matplotlib.rcParams.update({"figure.dpi": 90,
                                "axes.titleweight": "bold", "axes.titlesize": 11})


def method_palette(methods: Sequence[str]) -> dict[str, tuple]:
    """A fixed colour for each method, the same in every figure of a chapter."""
    colours = sns.color_palette("colorblind", n_colors=max(len(methods), 3))
    return {m: colours[i] for i, m in enumerate(methods)}


def fig_to_png(fig: plt.Figure, *, dpi: int = 80, tight: bool = False) -> bytes:
    """PNG bytes of ``fig``; the figure is closed (widget panels hold bytes, not figures).

    ``tight=False`` keeps the figure's own layout: a tight bounding box costs a second
    full draw, which dominates when a widget renders dozens of panels.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    plt.close(fig)
    return buf.getvalue()


def seed_dots(ax: plt.Axes, data, *, x: str, y: str, hue: str,
              palette: Mapping[str, tuple], title: str, ylabel: str | None = None,
              order: Sequence | None = None, hue_order: Sequence | None = None) -> plt.Axes:
    """Mean bars with a 95% t-interval over seeds, and one dot per seed on top."""
    sns.barplot(data=data, x=x, y=y, hue=hue, palette=palette, order=order,
                hue_order=hue_order, errorbar=("ci", 95), alpha=0.55, ax=ax, capsize=0.1,
                err_kws={"linewidth": 1})
    sns.stripplot(data=data, x=x, y=y, hue=hue, palette=palette, order=order,
                  hue_order=hue_order, dodge=True, ax=ax, size=4, legend=False,
                  edgecolor="black", linewidth=0.4)
    ax.set_title(title)
    if ylabel:
        ax.set_ylabel(ylabel)
    return ax


def heat(ax: plt.Axes, z: np.ndarray, *, x: np.ndarray, y: np.ndarray, title: str,
         xlabel: str, ylabel: str, cbar_label: str, cmap: str = "viridis") -> plt.Axes:
    """A heat map of ``z[y, x]`` on real axes (pcolormesh, so ticks are values)."""
    m = ax.pcolormesh(x, y, z, cmap=cmap, shading="auto")
    ax.figure.colorbar(m, ax=ax, label=cbar_label)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(False)
    return ax
