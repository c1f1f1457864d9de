"""Widgets that still respond on the static book page, with no kernel.

Only ``jslink``/``jsdlink`` run in the browser without a kernel, so a widget here is a
grid of **precomputed** panels (PNG images) in ``ipywidgets.Stack`` containers whose
``selected_index`` is jslinked to sliders (toolchain notes §3, anchors §(b)6):

* :func:`figure_stack`: one control over a list of panels;
* :func:`grid_stack`: two controls over a 2-D grid of panels (outer Stack of inner
  Stacks; the second control is jslinked to every inner Stack).

Nothing is recomputed when a slider moves: the panels were rendered at execution time
and saved in the notebook's widget state.

**Live mode.** Both helpers take ``live=f`` and ``live_controls={name: widget or
interact abbreviation}``: a function that draws one panel for *any* control values. When a
reader runs the notebook with a kernel (Jupyter, Colab), the precomputed widget is followed
by a "recompute for any value" panel built with ``ipywidgets.interactive``; under the book's
runner (``GG_HEADLESS=1``) only the precomputed widget is made. On an ipywidgets without
``Stack`` (< 8, as Colab may ship) the live panel is used alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt

from replib.book.plots import fig_to_png

__all__ = ["figure_stack", "grid_stack", "headless", "interactive_kernel"]


def headless() -> bool:
    """True when run by the book's runner (papermill), where no reader is present."""
    return os.environ.get("GG_HEADLESS") == "1"


def interactive_kernel() -> bool:
    """True when a reader drives a live kernel (not the book's headless runner)."""
    if headless():
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _live_panel(live: Callable[..., Any], controls: Mapping[str, Any]):
    """An ``interactive`` that recomputes a panel from ``live(**values)`` (needs a kernel)."""
    from IPython.display import display

    W = _widgets()

    def draw(**values):
        fig = live(**values)
        if fig is not None:
            display(fig)
            plt.close(fig)

    ui = W.interactive(draw, **dict(controls))
    return W.VBox([W.HTML("<b>Recompute for any value</b> (runs in your kernel)"), ui])


def _with_live(static, live, live_controls):
    """Combine the precomputed widget with the live panel, as the context allows."""
    if live is None:
        if static is None:
            raise RuntimeError("this ipywidgets has no Stack (needs ipywidgets >= 8) and no "
                               "live= function was given to recompute panels")
        return static
    if not live_controls:
        raise ValueError("live= needs live_controls={name: control} for its arguments")
    if static is None:
        return _live_panel(live, live_controls)
    if interactive_kernel():
        return _widgets().VBox([static, _live_panel(live, live_controls)])
    return static


def _widgets():
    import ipywidgets as W

    return W


def _has_stack() -> bool:
    return hasattr(_widgets(), "Stack")


def _image(panel: bytes | plt.Figure, dpi: int):
    W = _widgets()
    data = panel if isinstance(panel, (bytes, bytearray)) else fig_to_png(panel, dpi=dpi)
    return W.Image(value=bytes(data), format="png", layout=W.Layout(max_width="100%"))


def _slider(labels: Sequence[Any], description: str):
    W = _widgets()
    opts = [(str(lab), i) for i, lab in enumerate(labels)]
    return W.SelectionSlider(options=opts, value=0, description=description,
                             continuous_update=True,
                             style={"description_width": "initial"},
                             layout=W.Layout(width="420px"))


def figure_stack(panels: Sequence[bytes | plt.Figure], labels: Sequence[Any], *,
                 description: str, caption: str = "", dpi: int = 80,
                 live: Callable[..., Any] | None = None,
                 live_controls: Mapping[str, Any] | None = None):
    """A slider over precomputed panels that works on the static page.

    Args:
        panels: PNG bytes or matplotlib figures (figures are rendered and closed).
        labels: the slider's value label for each panel.
        description: the slider's name (say what it changes).
        caption: one line under the widget saying what the panels show.
        live, live_controls: optional recompute-anything panel (module docstring).
    """
    if len(panels) != len(labels) or not panels:
        raise ValueError(f"need one label per panel, got {len(panels)} panels and "
                         f"{len(labels)} labels")
    W = _widgets()
    if not _has_stack():
        return _with_live(None, live, live_controls)
    stack = W.Stack([_image(p, dpi) for p in panels], selected_index=0)
    slider = _slider(labels, description)
    W.jslink((slider, "index"), (stack, "selected_index"))
    parts = [slider, stack] + ([W.HTML(f"<small>{caption}</small>")] if caption else [])
    box = W.VBox(parts)
    box.add_class("gg-kernel-free")
    return _with_live(box, live, live_controls)


def grid_stack(panels: Sequence[Sequence[bytes | plt.Figure]], row_labels: Sequence[Any],
               col_labels: Sequence[Any], *, row_description: str, col_description: str,
               caption: str = "", dpi: int = 80, live: Callable[..., Any] | None = None,
               live_controls: Mapping[str, Any] | None = None):
    """Two sliders over a precomputed grid ``panels[row][col]``, kernel-free.

    The first slider picks the row (outer Stack); the second picks the column in every
    row (one jslink per inner Stack), so both controls work without a kernel.
    """
    if len(panels) != len(row_labels) or any(len(r) != len(col_labels) for r in panels):
        raise ValueError(f"panels must be a {len(row_labels)} x {len(col_labels)} grid")
    W = _widgets()
    if not _has_stack():
        return _with_live(None, live, live_controls)
    row_slider = _slider(row_labels, row_description)
    col_slider = _slider(col_labels, col_description)
    inner = []
    for row in panels:
        s = W.Stack([_image(p, dpi) for p in row], selected_index=0)
        W.jslink((col_slider, "index"), (s, "selected_index"))
        inner.append(s)
    outer = W.Stack(inner, selected_index=0)
    W.jslink((row_slider, "index"), (outer, "selected_index"))
    parts = [row_slider, col_slider, outer] + ([W.HTML(f"<small>{caption}</small>")]
                                               if caption else [])
    box = W.VBox(parts)
    box.add_class("gg-kernel-free")
    return _with_live(box, live, live_controls)
