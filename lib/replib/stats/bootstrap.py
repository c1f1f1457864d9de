"""Confidence intervals over an explicit resampling unit (seeds, episodes, matches).

A claim is judged on an interval, not on one run (anchors §(b)2). Two interval methods:

* ``"t"``: the Student-t interval mean ± t_{1-α/2, n-1}·s/√n. The default over seeds,
  because a chapter has few seeds (3–5) and the percentile bootstrap is far too narrow
  at that n (with n = 3 there are only 10 distinct resamples).
* ``"bootstrap"``: the percentile bootstrap of a statistic, for larger units
  (episodes, matches, trials), with a seeded generator so the interval is reproducible.

With n = 1 no interval exists: ``lo`` and ``hi`` are NaN and rules treat it as unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

__all__ = ["Summary", "seed_summary", "t_interval", "bootstrap_ci", "paired_difference"]


@dataclass(frozen=True)
class Summary:
    """Mean and confidence interval of one quantity over ``n`` resampling units."""

    mean: float
    lo: float
    hi: float
    n: int
    ci_level: float
    method: str

    @property
    def half_width(self) -> float:
        """Half the interval's width (NaN when there is no interval)."""
        return (self.hi - self.lo) / 2.0

    def format(self, fmt: str = ".3g") -> str:
        """``mean ± half-width (n=…)``, or ``mean (n=1)`` when there is no interval."""
        if not np.isfinite(self.lo):
            return f"{self.mean:{fmt}} (n={self.n})"
        return f"{self.mean:{fmt}} ± {self.half_width:{fmt}} (n={self.n})"

    def to_dict(self) -> dict:
        return {"mean": self.mean, "lo": self.lo, "hi": self.hi, "n": self.n,
                "ci_level": self.ci_level, "method": self.method}


def _as_1d(values: Sequence[float] | np.ndarray) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    if x.size == 0:
        raise ValueError("no values to summarise (got an empty sequence)")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"values must be finite, got {x.tolist()}")
    return x


def t_interval(values: Sequence[float], *, ci_level: float = 0.95) -> tuple[float, float]:
    """Student-t interval for the mean; ``(nan, nan)`` for a single value."""
    x = _as_1d(values)
    if x.size < 2:
        return float("nan"), float("nan")
    m, s = x.mean(), x.std(ddof=1)
    half = _st.t.ppf(0.5 + ci_level / 2.0, df=x.size - 1) * s / np.sqrt(x.size)
    return float(m - half), float(m + half)


def bootstrap_ci(values: Sequence[float], *, stat: Callable[[np.ndarray], float] = np.mean,
                 ci_level: float = 0.95, n_boot: int = 10_000,
                 rng: np.random.Generator | None = None) -> tuple[float, float]:
    """Percentile bootstrap interval of ``stat`` over the units in ``values``."""
    x = _as_1d(values)
    if x.size < 2:
        return float("nan"), float("nan")
    rng = np.random.default_rng(0) if rng is None else rng
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    boots = np.apply_along_axis(stat, 1, x[idx]) if stat is not np.mean else x[idx].mean(1)
    a = (1.0 - ci_level) / 2.0
    lo, hi = np.quantile(boots, [a, 1.0 - a])
    return float(lo), float(hi)


def seed_summary(values: Sequence[float], *, ci_level: float = 0.95, method: str = "t",
                 n_boot: int = 10_000, rng: np.random.Generator | None = None) -> Summary:
    """Mean and ``ci_level`` interval of per-unit values by ``method`` ("t" or "bootstrap")."""
    x = _as_1d(values)
    if method == "t":
        lo, hi = t_interval(x, ci_level=ci_level)
    elif method == "bootstrap":
        lo, hi = bootstrap_ci(x, ci_level=ci_level, n_boot=n_boot, rng=rng)
    else:
        raise ValueError(f"method must be 't' or 'bootstrap', got {method!r}")
    return Summary(float(x.mean()), lo, hi, int(x.size), ci_level, method)


def paired_difference(a: Sequence[float], b: Sequence[float], *, relative: bool = False,
                      ci_level: float = 0.95, method: str = "t") -> Summary:
    """Summary of per-unit differences a − b (or (a − b)/b with ``relative=True``)."""
    xa, xb = _as_1d(a), _as_1d(b)
    if xa.shape != xb.shape:
        raise ValueError(f"paired values need equal lengths, got {xa.size} and {xb.size}")
    d = (xa - xb) / xb if relative else xa - xb
    return seed_summary(d, ci_level=ci_level, method=method)
