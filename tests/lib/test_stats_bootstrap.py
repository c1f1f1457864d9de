import numpy as np
import pytest
from scipy import stats

from replib.stats.bootstrap import bootstrap_ci, paired_difference, seed_summary, t_interval
from replib.stats.tests import k_of_n, paired_t, wilson


def test_t_interval_matches_the_closed_form():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    lo, hi = t_interval(x, ci_level=0.95)
    half = stats.t.ppf(0.975, 3) * x.std(ddof=1) / 2.0
    assert np.isclose(lo, 2.5 - half) and np.isclose(hi, 2.5 + half)


def test_single_value_has_no_interval():
    s = seed_summary([3.0])
    assert s.mean == 3.0 and np.isnan(s.lo) and s.format() == "3 (n=1)"


def test_bootstrap_is_seeded_and_brackets_the_mean():
    x = np.random.default_rng(0).normal(size=50)
    a = bootstrap_ci(x, rng=np.random.default_rng(1))
    b = bootstrap_ci(x, rng=np.random.default_rng(1))
    assert a == b and a[0] < x.mean() < a[1]


def test_paired_relative_difference():
    s = paired_difference([110, 220, 330], [100, 200, 300], relative=True)
    assert np.isclose(s.mean, 0.1) and np.isclose(s.lo, 0.1) and np.isclose(s.hi, 0.1)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="empty"):
        seed_summary([])
    with pytest.raises(ValueError, match="finite"):
        seed_summary([1.0, np.nan])
    with pytest.raises(ValueError, match="method"):
        seed_summary([1.0, 2.0], method="jackknife")


def test_tests_on_known_cases():
    assert k_of_n([1, -1, 2], lambda v: v > 0) == (2, 3)
    lo, hi = wilson(5, 10)
    assert np.isclose(lo, 0.2366, atol=1e-4) and np.isclose(hi, 0.7634, atol=1e-4)
    r = paired_t([1.0, 2.0, 3.0], [0.5, 1.0, 2.5])
    assert r.n == 3 and 0 < r.p_value < 1
