"""markets.audience: exact probe, persona utilities by hand, logit competition."""

import numpy as np
import pytest

from replib.markets import audience as M


def tiny_world():
    # one product, 3 attributes: a0 at level 2, a1 absent, a2 at level 1; a2 experience
    return M.ClaimsWorld(present=np.array([[True, False, True]]), level=np.array([[2, 0, 1]]),
                         experience=np.array([False, False, True]), max_level=3)


def tiny_audience(verifies):
    return M.Audience(weights=np.array([[1.0, 2.0, 3.0]]), skepticism=np.array([0.5]),
                      verifies=np.array([verifies]), gamma=2.0, lam=0.1, tau=1.0)


def test_probe_classifies_claims_exactly():
    w = tiny_world()
    msgs = np.array([[2, 0, 1], [3, 0, 1], [1, 2, 0], [0, 0, 0]])
    pr = M.probe(w, np.zeros(4, dtype=int), msgs)
    assert pr["exaggerated"].tolist() == [0, 1, 0, 0]
    assert pr["fabricated"].tolist() == [0, 0, 1, 0]
    assert pr["deceptive"].tolist() == [False, True, True, False]
    assert pr["claims"].tolist() == [2, 2, 2, 0]


def test_utilities_by_hand():
    w = tiny_world()
    m = np.array([[3, 1, 1]])  # exaggerates a0 (3 > 2), fabricates a1
    naive = M.utilities(tiny_audience(False), w, np.array([0]), m)
    # 1*3 + 2*1 + 3*1*(1 - 0.5) - 0.1*3 = 6.2
    assert naive[0, 0] == pytest.approx(6.2)
    ver = M.utilities(tiny_audience(True), w, np.array([0]), m)
    # true value 1*2 + 0 + 3*1 = 5, minus 2 false claims * 2, minus 0.3
    assert ver[0, 0] == pytest.approx(5 - 4 - 0.3)


def test_compete_is_logit_and_symmetric():
    w = tiny_world()
    aud = tiny_audience(False)
    a, b = np.array([[2, 0, 1]]), np.array([[3, 1, 1]])
    d = M.utilities(aud, w, np.array([0]), a) - M.utilities(aud, w, np.array([0]), b)
    p = M.compete(aud, w, np.array([0]), a, b)
    assert p[0] == pytest.approx(1 / (1 + np.exp(-d[0, 0])))
    assert M.compete(aud, w, np.array([0]), b, a)[0] == pytest.approx(1 - p[0])
    s = M.compete(aud, w, np.zeros(4000, dtype=int), np.repeat(a, 4000, 0),
                  np.repeat(b, 4000, 0), np.random.default_rng(0))
    assert s.mean() == pytest.approx(p[0], abs=0.03)


def test_generators_and_broadcasting():
    rng = np.random.default_rng(0)
    w = M.make_world(n_anchors=5, n_attrs=6, p_present=0.3, max_level=3,
                     experience_frac=0.5, rng=rng)
    assert w.present.any(1).all() and w.experience.sum() == 3
    aud = M.make_audience(k_personas=4, n_attrs=6, verify_frac=0.5, gamma=2, lam=0.1,
                          tau=1, skepticism_max=0.5, rng=rng)
    assert aud.verifies.tolist() == [True, True, False, False]
    cand = rng.integers(0, 4, (5, 7, 6))
    u = M.utilities(aud, w, np.arange(5)[:, None], cand)
    u2 = M.utilities(aud, w, np.arange(5), cand)
    assert u.shape == (5, 7, 4) and np.allclose(u, u2)
    assert "level" in M.render_product(w, 0)
    assert "[FABRICATED]" in M.render_message(w, 0, np.where(w.present[0], 0, 1))
    with pytest.raises(ValueError, match="verify_frac"):
        M.make_audience(k_personas=4, n_attrs=6, verify_frac=2, gamma=2, lam=0.1, tau=1,
                        skepticism_max=0.5, rng=rng)
