"""llm.prompts.swiss: procedural multiple-choice items are well formed and correct."""

import re

import numpy as np
import pytest

from replib.llm.prompts import swiss as P


def test_every_dataset_gives_four_distinct_options_and_rounds_cover_them():
    rng = np.random.default_rng(0)
    for name, make in P.DATASETS.items():
        for _ in range(50):
            q, opts, i = make(rng)
            assert len(opts) == 4 and len(set(opts)) == 4 and 0 <= i < 4, name
    assert sorted(d for r in P.ROUNDS for d in r) == sorted(P.DATASETS)


def test_answers_are_correct_on_arithmetic():
    rng = np.random.default_rng(1)
    for _ in range(50):
        q, opts, i = P.DATASETS["add_3digit"](rng)
        a, b = map(int, re.findall(r"\d+", q))
        assert int(opts[i]) == a + b
        q, opts, i = P.DATASETS["mod"](rng)
        a, m = map(int, re.findall(r"\d+", q))
        assert int(opts[i]) == a % m
        q, opts, i = P.DATASETS["binary"](rng)
        assert opts[i] == format(int(re.findall(r"\d+", q)[0]), "b")


def test_prompt_format_and_errors():
    items = P.make_items("parity", 3, rng=np.random.default_rng(2))
    assert len(items) == 3 and items[0][0].rstrip().endswith("Answer:")
    assert "A) " in items[0][0] and "D) " in items[0][0]
    with pytest.raises(ValueError, match="unknown dataset"):
        P.make_items("trivia", 1, rng=np.random.default_rng(0))
