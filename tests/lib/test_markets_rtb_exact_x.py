"""value_dp_x: the RLB MDP solved with the expectation over pCTR outside the max."""

import numpy as np
import pytest

from replib.markets.rtb import market_price_pdf, value_bruteforce_x, value_dp, value_dp_x


@pytest.mark.parametrize("seed", range(4))
def test_exact_path_equals_bruteforce_bellman(seed):
    rng = np.random.default_rng(seed)
    m = rng.dirichlet(np.ones(4))
    thetas, weights = rng.uniform(0.01, 0.6, 5), rng.uniform(0.1, 1.0, 5)
    ref = value_bruteforce_x(horizon=5, budget=6, m=m, thetas=thetas, weights=weights)
    for grid in (None, 4096):
        got = value_dp_x(horizon=5, budget=6, m=m, thetas=thetas, weights=weights,
                         grid_points=grid)
        assert np.abs(got - ref).max() < (1e-12 if grid is None else 1e-3)


def test_point_mass_is_the_papers_dp_and_jensen_holds():
    rng = np.random.default_rng(1)
    m = market_price_pdf(rng.integers(1, 30, 5000), delta_max=30)
    thetas = rng.uniform(0.0, 0.1, 300)
    V = value_dp(horizon=40, budget=200, m=m, theta_avg=float(thetas.mean()))
    np.testing.assert_allclose(value_dp_x(horizon=40, budget=200, m=m, thetas=[thetas.mean()]),
                               V, atol=1e-15)
    Vx = value_dp_x(horizon=40, budget=200, m=m, thetas=thetas)
    assert np.all(Vx >= V - 1e-12)  # E_x max >= max E_x


def test_grid_path_is_monotone_and_close_to_exact_over_many_steps():
    """Regression: rounding-negative costs once wrapped to the wrong grid node and the
    error compounded over steps into a non-monotone table."""
    rng = np.random.default_rng(0)
    m = market_price_pdf(rng.integers(1, 300, 100_000), delta_max=300)
    thetas = np.sort(rng.uniform(1e-5, 0.03, 2000))
    exact = value_dp_x(horizon=60, budget=1500, m=m, thetas=thetas, grid_points=None)
    fast = value_dp_x(horizon=60, budget=1500, m=m, thetas=thetas)
    assert np.diff(fast, axis=1).min() > -1e-12
    assert np.abs(fast - exact).max() < 60 * thetas.max() / (4 * 4096)


def test_bad_distribution_is_refused():
    with pytest.raises(ValueError, match="non-empty"):
        value_dp_x(horizon=2, budget=3, m=np.ones(3) / 3, thetas=[], weights=[])
    with pytest.raises(ValueError, match="weights >= 0"):
        value_dp_x(horizon=2, budget=3, m=np.ones(3) / 3, thetas=[0.1, 0.2], weights=[1, -1])
