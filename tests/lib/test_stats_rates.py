import numpy as np
import pytest

from replib.stats.rates import inv_sqrt_check, loglog_slope, reference_line, slope_ci


def test_exact_power_law():
    x = np.array([1, 2, 4, 8.0])
    b, a = loglog_slope(x, 3 * x**2)
    assert abs(b - 2) < 1e-12 and abs(np.exp(a) - 3) < 1e-9
    assert np.allclose(reference_line(x, slope=2, anchor=(1, 3)), 3 * x**2)
    assert inv_sqrt_check(x, 1 / np.sqrt(x))


def test_bootstrap_ci_over_seeds_covers_truth():
    rng = np.random.default_rng(1)
    x = np.array([128, 256, 512, 1024, 2048.0])
    Y = x[None] ** 1.0 * np.exp(rng.normal(0, 0.05, size=(5, 5)))
    f = slope_ci(x, Y, rng=np.random.default_rng(0))
    assert f.lo <= 1.0 <= f.hi and f.n_seeds == 5 and f.hi - f.lo < 0.2
    f1 = slope_ci(x, Y[:1])
    assert np.isnan(f1.lo) and "n=1" in f1.format()


def test_errors():
    with pytest.raises(ValueError, match="positive"):
        loglog_slope([1, 2], [0, 1])
    with pytest.raises(ValueError, match="n_seeds"):
        slope_ci([1, 2, 3], [[1, 2]])
