"""tournaments.ratings: BT recovers latent skills, Elo is zero-sum, win-prob curve."""

import numpy as np
import pytest

from replib.tournaments import arena as A
from replib.tournaments import ratings as R


def _sim(n=6000, seed=0):
    rng = np.random.default_rng(seed)
    true = np.array([1150.0, 1080.0, 1000.0, 960.0, 810.0])
    a, b = A.random_pairs(5, n, rng=rng)
    return true, a, b, A.simulate_outcomes(true, a, b, rng=rng)


def test_bt_recovers_latent_ratings():
    true, a, b, y = _sim()
    fit = R.bradley_terry(a, b, y, ridge=0.0)
    assert fit.converged
    assert fit.ratings.mean() == pytest.approx(1000.0)
    err = (fit.ratings - fit.ratings.mean()) - (true - true.mean())
    assert np.max(np.abs(err)) < 25


def test_bt_exact_two_player_closed_form():
    # 3 wins of 0 over 1 and 1 of 1 over 0: p = 3/4, R0 - R1 = 400 log10(3)
    a, b, y = [0, 0, 0, 0], [1, 1, 1, 1], [1, 1, 1, 0]
    fit = R.bradley_terry(a, b, y, ridge=0.0, anchor=1, base=1000.0)
    assert fit.ratings[1] == pytest.approx(1000.0)
    assert fit.ratings[0] - fit.ratings[1] == pytest.approx(400 * np.log10(3), rel=1e-8)


def test_bt_matches_sklearn_logistic_regression():
    sk = pytest.importorskip("sklearn.linear_model")
    true, a, b, y = _sim(n=800, seed=3)
    ridge = 2.0
    fit = R.bradley_terry(a, b, y, ridge=ridge)
    x = np.zeros((a.size, 5))
    x[np.arange(a.size), a] = 1.0
    x[np.arange(a.size), b] = -1.0
    lr = sk.LogisticRegression(C=1.0 / ridge, fit_intercept=False, tol=1e-12, max_iter=10_000)
    lr.fit(x, y.astype(int))
    assert np.allclose(fit.theta, lr.coef_[0] - lr.coef_[0].mean(), atol=1e-5)


def test_bt_batched_equals_single_and_ridge_keeps_unbeaten_finite():
    true, a, b, y = _sim(n=300, seed=1)
    w = R.win_counts(a, b, np.stack([y, 1 - y]), n_players=5)
    batch = R.fit_bt_counts(w, ridge=0.1)
    for i in range(2):
        one = R.fit_bt_counts(w[i], ridge=0.1)
        assert np.allclose(batch.ratings[i], one.ratings, atol=1e-8)
    unbeaten = R.bradley_terry([0, 0, 1], [1, 2, 2], [1, 1, 1], ridge=0.5)
    assert np.all(np.isfinite(unbeaten.ratings)) and unbeaten.ratings[0] > unbeaten.ratings[1]


def test_disconnected_graph_without_ridge_does_not_crash():
    fit = R.bradley_terry([0, 1, 2, 3], [1, 0, 3, 2], [1, 1, 1, 0], ridge=0.0, n_players=5)
    assert np.all(np.isfinite(fit.ratings))
    assert fit.ratings[0] == pytest.approx(fit.ratings[1])


def test_bootstrap_interval_covers_point_and_is_deterministic():
    true, a, b, y = _sim(n=1000, seed=2)
    f1 = R.bootstrap_bt(a, b, y, ridge=1e-3, n_boot=50, rng=np.random.default_rng(7))
    f2 = R.bootstrap_bt(a, b, y, ridge=1e-3, n_boot=50, rng=np.random.default_rng(7))
    assert np.array_equal(f1.lo, f2.lo) and np.array_equal(f1.hi, f2.hi)
    assert np.all(f1.lo <= f1.ratings + 1e-9) and np.all(f1.ratings <= f1.hi + 1e-9)


def test_elo_zero_sum_and_single_update():
    true, a, b, y = _sim(n=500, seed=4)
    orders = np.stack([np.random.default_rng(s).permutation(a.size) for s in range(4)])
    r = R.elo_online(a, b, y, k=32, orders=orders)
    assert r.shape == (4, 5)
    assert np.allclose(r.sum(axis=1), 5000.0)
    one = R.elo_online([0], [1], [1.0], n_players=2, k=32)
    assert one == pytest.approx([1016.0, 984.0])  # E = 1/2, K(S - E) = 16
    first = R.elo_online(a, b, y, k=32, orders=orders[:1])[0]
    assert np.allclose(first, r[0])
    batched = R.elo_online(a, b, np.stack([y, 1 - y]), k=32, orders=orders[:2])
    assert np.allclose(batched[0], r[0])
    assert np.allclose(batched[1], R.elo_online(a, b, 1 - y, k=32, orders=orders[1:2])[0])
    rows = R.elo_online(np.stack([a, b]), np.stack([b, a]), np.stack([y, 1 - y]), k=32,
                        n_players=5)
    assert np.allclose(rows, np.stack([R.elo_online(a, b, y, k=32)] * 2))


def test_win_prob_and_prediction_error():
    p = R.win_prob(np.array([1400.0, 1000.0]))
    assert p[0, 1] == pytest.approx(10 / 11) and p[0, 1] + p[1, 0] == pytest.approx(1.0)
    assert R.prediction_error(np.array([1400.0, 1000.0]), [0], [1], [1.0],
                              kind="error_rate") == 0.0
    with pytest.raises(ValueError, match="kind must be one of"):
        R.prediction_error(np.zeros(2), [0], [1], [1.0], kind="auc")


def test_bad_inputs_name_the_parameter():
    with pytest.raises(ValueError, match="ridge"):
        R.bradley_terry([0], [1], [1.0], ridge=-1.0)
    with pytest.raises(ValueError, match="a == b"):
        R.bradley_terry([0], [0], [1.0], ridge=0.0)
    with pytest.raises(ValueError, match="k must be"):
        R.elo_online([0], [1], [1.0], k=0)
