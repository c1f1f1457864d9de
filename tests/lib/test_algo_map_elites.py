"""MAP-Elites archive: insertion rule, sampling, coverage and fitness history."""

import numpy as np
import pytest

from replib.algo.map_elites import MapElites, bin_index


def test_bin_index_edges():
    edges = [1, 10, 100]
    assert [bin_index(v, edges) for v in (0, 1, 5, 10, 99, 100, 1e6)] == [0, 1, 1, 2, 2, 3, 3]


def test_insert_keeps_fitter_and_history():
    a = MapElites(shape=(3, 3))
    assert a.insert((0, 0), 0.5, "x") and not a.insert((0, 0), 0.4, "y")
    assert a.insert((0, 0), 0.6, "z") and a.elites[(0, 0)][1] == "z"
    assert not a.insert((1, 1), float("-inf"), "bad")
    a.insert((2, 1), 0.9, "w")
    a.record()
    assert a.coverage == pytest.approx(2 / 9) and a.best()[1] == "w"
    assert a.coverage_history == [pytest.approx(2 / 9)] and a.best_history == [0.9]
    g = a.fitness_grid()
    assert g[2, 1] == 0.9 and np.isnan(g).sum() == 7
    with pytest.raises(ValueError, match="outside"):
        a.insert((3, 0), 1.0, "o")


def test_sample_uniform_over_occupied_cells():
    a = MapElites(shape=(4,))
    for c in range(3):
        a.insert((c,), float(c), c)
    rng = np.random.default_rng(0)
    counts = np.bincount([a.sample(rng)[1] for _ in range(3000)], minlength=3)
    assert (np.abs(counts / 3000 - 1 / 3) < 0.04).all()
    with pytest.raises(ValueError, match="empty"):
        MapElites(shape=(2,)).sample(rng)
