import ipywidgets as W
import matplotlib.pyplot as plt
import pytest
from ipywidgets.widgets.widget_link import Link

from replib.book.widgets import figure_stack, grid_stack


def _live_widgets():
    from ipywidgets.widgets.widget import _instances  # ipywidgets 8.1's registry

    return list(_instances.values())


def _fig(i):
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, i])
    return fig


def test_figure_stack_links_a_slider_to_precomputed_panels():
    box = figure_stack([_fig(i) for i in range(3)], ["a", "b", "c"], description="freq")
    slider, stack = box.children[:2]
    assert isinstance(stack, W.Stack) and len(stack.children) == 3
    assert all(isinstance(c, W.Image) and bytes(c.value).startswith(b"\x89PNG")
               for c in stack.children)
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


def _live(**values):
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title(str(values))
    return fig


def test_live_mode_adds_a_recompute_panel_only_for_a_reader_with_a_kernel(monkeypatch):
    import replib.book.widgets as mod

    monkeypatch.setattr(mod, "interactive_kernel", lambda: True)
    box = figure_stack([b"x", b"y"], ["a", "b"], description="d", live=_live,
                       live_controls={"freq": (1, 5)})
    static, live = box.children
    assert "gg-kernel-free" in static._dom_classes
    assert any(isinstance(c, W.interactive) for c in live.children)
    monkeypatch.setattr(mod, "interactive_kernel", lambda: False)  # the book's headless run
    box = figure_stack([b"x", b"y"], ["a", "b"], description="d", live=_live,
                       live_controls={"freq": (1, 5)})
    assert "gg-kernel-free" in box._dom_classes


def test_without_stack_the_live_panel_is_the_fallback(monkeypatch):
    import replib.book.widgets as mod

    monkeypatch.setattr(mod, "_has_stack", lambda: False)
    box = grid_stack([[b"x"]], [1], [1], row_description="r", col_description="c", live=_live,
                     live_controls={"r": [1, 2], "c": [3]})
    assert any(isinstance(c, W.interactive) for c in box.children)
    with pytest.raises(RuntimeError, match="no Stack"):
        figure_stack([b"x"], ["a"], description="d")
    with pytest.raises(ValueError, match="live_controls"):
        monkeypatch.setattr(mod, "_has_stack", lambda: True)
        figure_stack([b"x"], ["a"], description="d", live=_live)
