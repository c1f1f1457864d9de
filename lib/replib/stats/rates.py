"""Scaling exponents: log-log slopes by OLS with a bootstrap CI over seeds.

For y ∝ n^β (time vs sequence length, error vs sample size), β is the OLS slope of
log y on log n. With several seeds (or repeats) per n, the slope is fitted to the
per-n median over seeds, and its confidence interval is the percentile bootstrap over
seeds (resample whole seed curves with replacement, refit). A reference line
y = c·n^β through a chosen anchor point serves plots; ``inv_sqrt_check`` tests the
1/√N Monte-Carlo rate (slope −1/2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["SlopeFit", "loglog_slope", "slope_ci", "reference_line", "inv_sqrt_check"]


@dataclass(frozen=True)
class SlopeFit:
    """Fitted exponent with its bootstrap interval (NaN bounds with a single seed)."""

    slope: float
    intercept: float
    lo: float
    hi: float
    n_seeds: int
    ci_level: float

    def to_dict(self) -> dict:
        return dict(slope=self.slope, intercept=self.intercept, lo=self.lo, hi=self.hi,
                    n_seeds=self.n_seeds, ci_level=self.ci_level)

    def format(self, fmt: str = ".2f") -> str:
        if not np.isfinite(self.lo):
            return f"{self.slope:{fmt}} (n={self.n_seeds})"
        return f"{self.slope:{fmt}} [{self.lo:{fmt}}, {self.hi:{fmt}}] (n={self.n_seeds})"


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """OLS of log y on log x: returns (slope, intercept) in natural logs."""
    xa, ya = np.asarray(x, float), np.asarray(y, float)
    if xa.size < 2 or xa.shape != ya.shape:
        raise ValueError(f"need >= 2 matching points, got x {xa.shape} and y {ya.shape}")
    if not (np.all(xa > 0) and np.all(ya > 0) and np.all(np.isfinite(xa * ya))):
        raise ValueError("x and y must be positive and finite for a log-log fit")
    lx, ly = np.log(xa), np.log(ya)
    b, a = np.polyfit(lx, ly, 1)
    return float(b), float(a)


def slope_ci(x: Sequence[float], y: np.ndarray | Sequence[Sequence[float]], *,
             n_boot: int = 2000, ci_level: float = 0.95,
             rng: np.random.Generator | None = None) -> SlopeFit:
    """Slope of the per-x median over seeds; y is (n_seeds, len(x)). CI: bootstrap over seeds."""
    Y = np.atleast_2d(np.asarray(y, float))
    if Y.shape[1] != len(x):
        raise ValueError(f"y must be (n_seeds, {len(x)}), got {Y.shape}")
    if not 0 < ci_level < 1:
        raise ValueError(f"ci_level must be in (0, 1), got {ci_level}")
    b, a = loglog_slope(x, np.median(Y, axis=0))
    n = Y.shape[0]
    if n < 2:
        return SlopeFit(b, a, float("nan"), float("nan"), n, ci_level)
    rng = np.random.default_rng(0) if rng is None else rng
    idx = rng.integers(0, n, size=(n_boot, n))
    boots = np.array([loglog_slope(x, np.median(Y[i], axis=0))[0] for i in idx])
    lo, hi = np.quantile(boots, [(1 - ci_level) / 2, (1 + ci_level) / 2])
    return SlopeFit(b, a, float(lo), float(hi), n, ci_level)


def reference_line(x: Sequence[float], *, slope: float, anchor: tuple[float, float]
                   ) -> np.ndarray:
    """y = y0·(x/x0)^slope through the anchor point (x0, y0)."""
    x0, y0 = anchor
    return y0 * (np.asarray(x, float) / x0) ** slope


def inv_sqrt_check(n: Sequence[float], err: Sequence[float], *, tol: float = 0.15) -> bool:
    """Whether err falls like 1/√n: fitted slope within ``tol`` of −1/2."""
    return abs(loglog_slope(n, err)[0] + 0.5) <= tol
