import ipywidgets as W
from ipywidgets.widgets.widget_link import Link
import matplotlib.pyplot as plt
import pytest

from replib.book.widgets import figure_stack, grid_stack


def _live_widgets():
    return list(W.Widget._active_widgets.values())


def _fig(i):
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, i])
    return fig


def test_figure_stack_links_a_slider_to_precomputed_panels():
    box = figure_stack([_fig(i) for i in range(3)], ["a", "b", "c"], description="freq")
    slider, stack = box.children[:2]
    assert isinstance(stack, W.Stack) and len(stack.children) == 3
    assert all(isinstance(c, W.Image) and bytes(c.value).startswith(b"\x89PNG") for c in stack.children)
    assert [o[0] for o in slider.options] == ["a", "b", "c"]
    links = [w for w in _live_widgets() if isinstance(w, Link)
             and w.source[0] is slider and w.target[0] is stack]
    assert links, "slider must be jslinked to the stack (kernel-free)"
    assert plt.get_fignums() == [], "figures are closed once rendered"


def test_grid_stack_links_the_column_slider_to_every_row():
    panels = [[_fig(r * 10 + c) for c in range(2)] for r in range(3)]
    box = grid_stack(panels, [1, 2, 3], ["x", "y"], row_description="r", col_description="c")
    row_s, col_s, outer = box.children[:3]
    assert len(outer.children) == 3 and all(len(s.children) == 2 for s in outer.children)
    targets = {id(w.target[0]) for w in _live_widgets()
               if isinstance(w, Link) and w.source[0] is col_s}
    assert {id(s) for s in outer.children} <= targets


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match="one label per panel"):
        figure_stack([b"x"], ["a", "b"], description="d")
    with pytest.raises(ValueError, match="grid"):
        grid_stack([[b"x"]], [1, 2], [1], row_description="r", col_description="c")
