import pytest
import torch

from replib.book.bench import length_sweep, time_fwd_bwd


def test_time_and_saved_memory():
    x = torch.randn(64, 64)
    r = time_fwd_bwd(lambda xs: (xs[0] @ xs[0]).tanh(), [x], repeats=3, warmup=1)
    assert len(r.times_s) == 3 and r.median_s > 0 and r.memory_kind == "saved_activations"
    assert r.memory_bytes >= 2 * 64 * 64 * 4


def test_sweep_recovers_linear_and_quadratic_memory():
    lin = length_sweep(lambda T: [torch.randn(T, 16)], lambda xs: (xs[0] * 2).tanh(),
                       [64, 128, 256, 512], repeats=2)
    quad = length_sweep(lambda T: [torch.randn(T, 16)],
                        lambda xs: torch.softmax(xs[0] @ xs[0].T, -1).sum(0),
                        [64, 128, 256, 512], repeats=2)
    assert abs(lin.memory_slope.slope - 1) < 0.1
    assert abs(quad.memory_slope.slope - 2) < 0.15
    assert len(quad.times) == 4
    with pytest.raises(ValueError, match="lengths"):
        length_sweep(lambda T: [torch.randn(T)], lambda xs: xs[0], [8])
