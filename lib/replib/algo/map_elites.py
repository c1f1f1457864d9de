"""MAP-Elites archive (Mouret & Clune 2015), as used inside each Digital Red Queen round.

Kumar et al. 2026 (arXiv 2601.03335, official ``src/drq.py``): a grid of behaviour cells;
a candidate enters its cell when the cell is empty or its fitness is higher than the
elite's. Parents are drawn uniformly from the occupied cells. The archive keeps a history
of coverage (occupied fraction) and best fitness after every insertion batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["MapElites", "bin_index"]


def bin_index(value: float, edges) -> int:
    """Cell index of ``value`` on an axis with bin ``edges`` (len(edges) + 1 bins)."""
    return int(np.searchsorted(np.asarray(edges, dtype=float), value, side="right"))


@dataclass
class MapElites:
    """Archive over a grid of ``shape`` cells; ``elites[cell] = (fitness, item, info)``."""

    shape: tuple[int, ...]
    elites: dict = field(default_factory=dict)
    coverage_history: list = field(default_factory=list)
    best_history: list = field(default_factory=list)

    def insert(self, cell: tuple[int, ...], fitness: float, item: Any, info: Any = None) -> bool:
        """Place ``item`` in ``cell`` if empty or strictly fitter; returns whether it entered."""
        cell = tuple(int(c) for c in cell)
        if len(cell) != len(self.shape) or any(not 0 <= c < s for c, s in zip(cell, self.shape)):
            raise ValueError(f"cell {cell} outside the grid {self.shape}")
        if not np.isfinite(fitness):
            return False
        old = self.elites.get(cell)
        if old is None or fitness > old[0]:
            self.elites[cell] = (float(fitness), item, info)
            return True
        return False

    def sample(self, rng: np.random.Generator) -> tuple[tuple[int, ...], Any]:
        """A uniformly random occupied cell and its elite item."""
        if not self.elites:
            raise ValueError("the archive is empty")
        cells = sorted(self.elites)
        c = cells[int(rng.integers(len(cells)))]
        return c, self.elites[c][1]

    def best(self) -> tuple[float, Any, Any]:
        """(fitness, item, info) of the fittest elite."""
        if not self.elites:
            raise ValueError("the archive is empty")
        return max(self.elites.values(), key=lambda e: e[0])

    @property
    def coverage(self) -> float:
        return len(self.elites) / float(np.prod(self.shape))

    def record(self) -> None:
        """Append the current coverage and best fitness to the histories."""
        self.coverage_history.append(self.coverage)
        self.best_history.append(self.best()[0] if self.elites else float("-inf"))

    def fitness_grid(self) -> np.ndarray:
        """Elite fitness per cell (NaN where empty), shape ``self.shape``."""
        g = np.full(self.shape, np.nan)
        for c, (f, _, _) in self.elites.items():
            g[c] = f
        return g
