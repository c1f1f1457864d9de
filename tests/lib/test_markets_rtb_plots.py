import matplotlib.pyplot as plt
import numpy as np
import pytest

from replib.markets.rtb import rlb_bid, value_dp
from replib.markets.rtb_experiment import run_rtb_experiment
from replib.markets.rtb_plots import bid_panel, live_bid_panel


@pytest.fixture(scope="module")
def widget():
    res = run_rtb_experiment(n_campaigns=1, rhos=[0.5], horizon=40, c0_list=[1 / 8, 1 / 2],
                             delta_max=20, mean_ctr=0.02, n_train=4000, n_test=2000,
                             test_episodes=10, data_seeds=[0], nn_approx=False, T0=10,
                             lin_grid=5, lin_train_episodes=10, progress=False)
    return res.widget


def test_precomputed_and_live_panels_draw(widget):
    fig = bid_panel(widget, 1, 0)
    assert len(fig.axes) == 3  # bid curve, heat map, colour bar
    plt.close(fig)
    fig = live_bid_panel(widget)(c0=0.3, time_left=0.5)
    assert "c0 = 3/10" in fig.axes[0].get_title()
    plt.close(fig)


def test_live_panel_reproduces_the_precomputed_bid_curve(widget):
    """At a tuned c0 the live path (re-solved DP) gives the precomputed bids exactly."""
    i, j = 1, 2
    frac = widget.time_fracs[j]
    budget = int(widget.budgets[i])
    V = value_dp(horizon=widget.horizon, budget=budget, m=widget.m, theta_avg=widget.theta_avg)
    t, b = max(1, int(round(frac * widget.horizon))), int(frac * budget)
    bids = rlb_bid(V[t - 1], np.full(widget.theta_grid.shape, b), widget.theta_grid,
                   delta_max=widget.delta_max)
    np.testing.assert_array_equal(bids, widget.bid_curves[i, j])
