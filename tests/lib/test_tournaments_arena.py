"""tournaments.arena: schedules, simulated outcomes, round-robin through a callable."""

import numpy as np
import pytest

from replib.tournaments import arena as A


def test_round_robin_covers_every_pair_and_side_swap():
    a, b = A.round_robin(5)
    assert a.size == 10 and set(zip(a.tolist(), b.tolist())) == {
        (i, j) for i in range(5) for j in range(i + 1, 5)}
    a2, b2 = A.round_robin(5, swap_sides=True, n_rounds=2)
    assert a2.size == 40 and np.array_equal(np.sort(a2), np.sort(b2))


def test_random_pairs_distinct_and_deterministic():
    a, b = A.random_pairs(4, 1000, rng=np.random.default_rng(0), n_arenas=3)
    assert a.shape == (3, 1000) and not np.any(a == b)
    a2, b2 = A.random_pairs(4, 1000, rng=np.random.default_rng(0), n_arenas=3)
    assert np.array_equal(a, a2) and np.array_equal(b, b2)
    counts = np.bincount(np.concatenate([a.ravel(), b.ravel()]), minlength=4)
    assert counts.min() > 0.9 * counts.max()


def test_simulated_win_rate_follows_elo_curve():
    rng = np.random.default_rng(1)
    a, b = np.zeros(20000, int), np.ones(20000, int)
    y = A.simulate_outcomes(np.array([1100.0, 1000.0]), a, b, rng=rng)
    assert y.mean() == pytest.approx(1 / (1 + 10 ** (-0.25)), abs=0.01)
    yb = A.simulate_outcomes(np.array([1000.0, 1000.0]), a[:100], b[:100], rng=rng,
                             n_arenas=5)
    assert yb.shape == (5, 100)


def test_play_round_robin_payoffs():
    strength = [0.0, 1.0, 2.0]
    res = A.play_round_robin(lambda i, j, r: (strength[i], strength[j]), names="abc",
                             n_repeats=2)
    assert np.array_equal(res.games, 4 * (1 - np.eye(3)))
    assert res.win_rate()[2, 0] == 1.0 and res.win_rate()[0, 2] == 0.0
    assert res.payoff[1, 0] == 1.0
    with pytest.raises(ValueError, match="n_repeats"):
        A.play_round_robin(lambda i, j, r: (0, 0), names="ab", n_repeats=0)
