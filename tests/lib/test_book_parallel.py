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


def test_map_calls_trains_the_same_model_in_a_worker():
    from replib.attention.gla_experiment import train_char_lm, train_mqar
    from replib.book.parallel import map_calls
    from replib.data.text import load_corpus

    c = load_corpus(max_chars_per_file=500)
    calls = [(train_char_lm, dict(kind="gla", corpus=c, seed=1, steps=3, batch_size=2,
                                  seq_len=16, d_model=16, n_layers=1, n_heads=2, lr=1e-3,
                                  val_windows=4, chunk=8)),
             (train_mqar, dict(kind="retnet", seed=0, steps=2, batch_size=4, vocab_size=16,
                               seq_len=16, n_pairs=2, d_model=16, n_layers=1, n_heads=2,
                               lr=1e-3, n_eval=8, chunk=8))]
    here, there = map_calls(calls, workers=1), map_calls(calls, workers=2)
    assert [r["kind"] for r in there] == ["gla", "retnet"]  # input order kept
    assert here[0]["val_loss"] == there[0]["val_loss"] and here[1]["acc"] == there[1]["acc"]
