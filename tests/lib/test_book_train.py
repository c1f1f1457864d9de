import math

import pytest
import torch
from torch import nn

from replib.book.train import fit, lr_factor


def test_schedule_shape():
    f = [lr_factor(s, steps=100, warmup_steps=10, min_lr_ratio=0.1) for s in range(100)]
    assert math.isclose(f[0], 0.1) and math.isclose(f[9], 1.0)
    assert math.isclose(f[10], 1.0) and f[99] > 0.1 and f[99] < 0.11
    assert lr_factor(50, steps=100, schedule="constant") == 1.0
    with pytest.raises(ValueError, match="schedule must be one of"):
        lr_factor(0, steps=10, schedule="linear")


def _problem():
    torch.manual_seed(0)
    w = torch.randn(4, 1)
    X = torch.randn(256, 4)
    return X, X @ w


def test_fit_regression_converges_and_is_deterministic():
    X, Y = _problem()
    out = []
    for _ in range(2):
        torch.manual_seed(1)
        m = nn.Linear(4, 1)
        seen = []
        h = fit(m, lambda m, b: ((m(b[0]) - b[1]) ** 2).mean(), lambda s: (X, Y), steps=200,
                lr=0.05, warmup_steps=10, tokens_per_batch=256,
                eval_fn=lambda m, s: {"mse": float(((m(X) - Y) ** 2).mean())}, eval_every=50,
                progress=lambda r, seen=seen: (seen.append(1), r)[1])
        out.append(h.loss)
        assert seen == [1] and h.final_loss < 1e-3 and h.tokens_per_s > 0
        assert [e["step"] for e in h.evals] == [50, 100, 150, 200]
        assert len(h.lr) == 200 and h.n_spikes == 0
    assert out[0] == out[1]


def test_fit_counts_spikes_and_validates():
    m = nn.Linear(1, 1)
    losses = [1.0] * 20 + [5.0] + [1.0] * 5
    h = fit(m, lambda m, b: m.weight.sum() * 0 + b, iter(torch.tensor(losses)), steps=26,
            lr=1e-3)
    assert h.n_spikes == 1
    with pytest.raises(ValueError, match="steps"):
        fit(m, lambda m, b: b, [], steps=0)
    with pytest.raises(ValueError, match="warmup_steps"):
        fit(m, lambda m, b: b, [], steps=5, warmup_steps=9)
