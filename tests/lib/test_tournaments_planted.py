"""tournaments.planted: matched specialists/generalists and deterministic draws."""

import numpy as np
import pytest
from scipy.special import expit

from replib.tournaments import planted as PL
from replib.tournaments import swiss as S


def _draw(seed=0, noise_sd=0.03):
    groups = S.split_groups(12, 4)
    return PL.planted_scores(n_models=9, groups=groups, n_special=2, spread=1.5,
                             noise_sd=noise_sd, rng=np.random.default_rng(seed))


def test_shapes_kinds_and_matched_means():
    pl = _draw()
    assert pl.scores.shape == (9, 12) and pl.ability.shape == (9, 4)
    assert pl.kind.count("specialist") == 2 and pl.kind.count("generalist") == 2
    for i, k in enumerate(pl.kind):
        if k == "specialist":
            j = pl.pair[i]
            assert pl.kind[j] == "generalist" and pl.pair[j] == i
            assert pl.clean[i].mean() == pytest.approx(pl.clean[j].mean(), abs=1e-10)
            assert np.all(np.diff(pl.ability[i]) > 0) and np.ptp(pl.ability[j]) == 0


def test_noise_free_draw_and_determinism():
    a, b = _draw(seed=3, noise_sd=0.0), _draw(seed=3, noise_sd=0.0)
    assert np.array_equal(a.scores, b.scores) and np.array_equal(a.scores, a.clean)
    assert np.all((a.clean > 0) & (a.clean < 1))
    r = PL.redraw(_draw(), rng=np.random.default_rng(0), n_draws=3)
    assert r.shape == (3, 9, 12)
    assert expit(0.0) == 0.5


def test_bad_parameters():
    with pytest.raises(ValueError, match="n_special"):
        PL.planted_scores(n_models=4, groups=[[0], [1]], n_special=2, spread=1.0,
                          noise_sd=0.0, rng=np.random.default_rng(0))
