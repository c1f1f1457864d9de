"""Hypothesis tests and small-sample intervals, all on scipy.stats.

Used by claim checks that compare methods over seeds (paired t, Wilcoxon signed-rank),
count seeds (k of n), report effect sizes (Cohen's d) or rates (Wilson interval).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

__all__ = ["TestResult", "paired_t", "wilcoxon", "k_of_n", "cohens_d", "wilson"]


@dataclass(frozen=True)
class TestResult:
    """A test statistic with its p-value and the number of paired units."""

    statistic: float
    p_value: float
    n: int


def paired_t(a: Sequence[float], b: Sequence[float], *,
             alternative: str = "two-sided") -> TestResult:
    """Paired t-test of mean(a − b) = 0."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    r = _st.ttest_rel(a, b, alternative=alternative)
    return TestResult(float(r.statistic), float(r.pvalue), int(a.size))


def wilcoxon(a: Sequence[float], b: Sequence[float], *,
             alternative: str = "two-sided") -> TestResult:
    """Wilcoxon signed-rank test on paired differences (exact for small n)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    r = _st.wilcoxon(a, b, alternative=alternative)
    return TestResult(float(r.statistic), float(r.pvalue), int(a.size))


def k_of_n(values: Sequence[float],
           predicate: Callable[[np.ndarray], np.ndarray]) -> tuple[int, int]:
    """How many of the n per-unit values satisfy ``predicate`` (vectorised), and n."""
    x = np.asarray(values, float)
    return int(np.count_nonzero(predicate(x))), int(x.size)


def cohens_d(a: Sequence[float], b: Sequence[float]) -> float:
    """Cohen's d with the pooled standard deviation."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    na, nb = a.size, b.size
    pooled = np.sqrt(((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2))
    return float((a.mean() - b.mean()) / pooled)


def wilson(successes: int, trials: int, *, ci_level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial rate."""
    if trials <= 0:
        raise ValueError(f"trials must be positive, got {trials}")
    z = _st.norm.ppf(0.5 + ci_level / 2.0)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return float(centre - half), float(centre + half)
