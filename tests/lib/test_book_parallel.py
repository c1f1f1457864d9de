"""map_runs: same results, same order, whatever the number of workers."""

import numpy as np

from replib.book.parallel import map_runs


def _seeded_draw(seed: int) -> float:
    return float(np.random.default_rng(seed).normal())


def test_workers_give_the_serial_results_in_input_order():
    seeds = [5, 1, 4, 2, 3]
    serial = map_runs(_seeded_draw, seeds)
    assert serial == [_seeded_draw(s) for s in seeds]
    assert map_runs(_seeded_draw, seeds, workers=2, start_method="fork") == serial


def test_progress_wraps_the_finished_runs():
    seen = []

    def progress(it, total):
        seen.append(total)
        return it

    assert map_runs(_seeded_draw, [0, 1, 2], progress=progress) == map_runs(_seeded_draw,
                                                                            [0, 1, 2])
    assert seen == [3]
