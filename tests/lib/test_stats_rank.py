"""stats.rank: Kendall/Spearman known cases, stability, top-k and churn."""

import numpy as np
import pytest
from scipy import stats

from replib.stats import rank as K


def test_kendall_known_cases():
    assert K.kendall_tau([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert K.kendall_tau([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # one discordant pair out of 6: tau = (5 - 1)/6
    assert K.kendall_tau([1, 2, 3, 4], [1, 2, 4, 3]) == pytest.approx(4 / 6)
    assert np.isnan(K.kendall_tau([1, 1, 1], [1, 2, 3]))
    x, y = np.random.default_rng(0).random((2, 30))
    assert K.kendall_tau(x, y) == pytest.approx(stats.kendalltau(x, y).statistic)


def test_spearman_and_ranks():
    assert K.spearman_rho([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert np.array_equal(K.ranks([0.3, 0.9, 0.3]), [2.5, 1.0, 2.5])
    assert np.array_equal(K.rank_moves([3, 2, 1], [1, 2, 3]), [2, 0, -2])


def test_stability_topk_jaccard():
    same = np.tile(np.arange(5.0), (4, 1))
    assert K.rank_stability(same).mean_tau == pytest.approx(1.0)
    assert K.rank_stability(same).taus.size == 6
    assert K.topk_overlap([5, 4, 3, 2, 1], [5, 3, 4, 1, 2], k=2) == 0.5
    assert K.jaccard({1, 2}, {2, 3}) == pytest.approx(1 / 3)
    assert np.allclose(K.jaccard_churn([{1, 2}, {1, 2}, {3}]), [0.0, 1.0])


def test_rank_ic():
    s = np.array([[1.0, 2, 3], [3, 2, 1]])
    ic = K.rank_ic(s, np.array([[1.0, 2, 3], [1, 2, 3]]))
    assert np.allclose(ic, [1.0, -1.0]) and K.icir(ic) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="k must be"):
        K.topk([1, 2], 3)
