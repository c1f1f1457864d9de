import time

import numpy as np
import pytest
import torch

from replib.attention.ninformer_experiment import equal_width, forward_flops, time_forward
from replib.nets.vit import ViTClassifier, count_params, d_ff_for_budget

COMMON = dict(input_shape=(1, 8, 8), n_classes=10, patch=2, d_model=32, n_layers=2, n_heads=4)


def _matched():  # the chapter's ci configurations: baselines widened to NiNformer's count
    budget = count_params(ViTClassifier(d_ff=64, mixer="ninformer", **COMMON))
    return {"NiNformer": dict(d_ff=64, mixer="ninformer", **COMMON),
            "MLP-Mixer": dict(d_ff=d_ff_for_budget(budget, mixer="mixer", **COMMON),
                              mixer="mixer", **COMMON)}


def test_cost_comparator_has_ninformers_widths_not_the_parameter_matched_ones():
    cfg = _matched()
    assert cfg["MLP-Mixer"]["d_ff"] > 1.5 * cfg["NiNformer"]["d_ff"]  # matching widens it
    eq = equal_width(cfg)
    assert eq["MLP-Mixer"]["d_ff"] == cfg["NiNformer"]["d_ff"] == 64
    assert eq["MLP-Mixer"]["mixer"] == "mixer" and eq["NiNformer"] == cfg["NiNformer"]
    assert cfg["MLP-Mixer"]["d_ff"] != 64  # input untouched
    wide, narrow = (count_params(ViTClassifier(**c["MLP-Mixer"])) for c in (cfg, eq))
    assert narrow < wide


def test_equal_width_names_a_bad_reference():
    with pytest.raises(ValueError, match="ref"):
        equal_width(_matched(), ref="ViT")


def test_time_forward_interleaves_warms_up_and_times_each_call():
    calls = []

    def net(name, delay):
        def f(x):
            calls.append(name)
            time.sleep(delay)
        return f

    t = time_forward({"a": net("a", 0.0), "b": net("b", 0.01)}, torch.zeros(1), repeats=3)
    assert calls == ["a", "b"] * 4  # one warm-up round, then interleaved rounds
    assert set(t) == {"a", "b"} and all(len(v) == 3 for v in t.values())
    assert np.median(t["b"]) > np.median(t["a"]) and np.median(t["b"]) >= 10.0
    with pytest.raises(ValueError, match="repeats"):
        time_forward({"a": net("a", 0.0)}, torch.zeros(1), repeats=0)


def test_forward_flops_counts_a_linear_layer_exactly_and_is_deterministic():
    lin = torch.nn.Linear(16, 8)
    assert forward_flops(lin, torch.zeros(4, 16)) == 2 * 4 * 16 * 8
    eq = equal_width(_matched())
    x = torch.zeros(3, 1, 8, 8)
    nin, mix = (forward_flops(ViTClassifier(**eq[m]), x) for m in ("NiNformer", "MLP-Mixer"))
    assert nin > mix > 0  # the gate's extra projection costs something
    assert nin == forward_flops(ViTClassifier(**eq["NiNformer"]), x)
