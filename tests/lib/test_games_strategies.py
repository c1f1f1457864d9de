import numpy as np
import pytest

from replib.games import strategies as St


def step(s, own, other):
    s.observe(np.asarray(own), np.asarray(other))
    return s.policy()


def test_memory1_tables_discrete():
    t = St.tft()
    t.reset(4)
    assert np.all(t.policy() == 1)
    p = step(t, [0, 0, 1, 1], [0, 1, 0, 1])
    assert np.array_equal(p, [1, 0, 1, 0])
    w = St.wsls()
    w.reset(4)
    assert np.array_equal(step(w, [0, 0, 1, 1], [0, 1, 0, 1]), [1, 0, 0, 1])


def test_memory1_mixed_is_bilinear():
    q = np.array([0.3, 0.9, 0.2, 0.6, 0.1])
    m = St.Memory1(q)
    m.reset(1)
    x, y = 0.7, 0.4
    p = step(m, [x], [y])
    assert np.isclose(p[0], x * y * .9 + x * (1 - y) * .2 + (1 - x) * y * .6
                      + (1 - x) * (1 - y) * .1)


def test_grim_alternate_defect_once_scripted():
    g = St.Grim()
    g.reset(2)
    assert np.array_equal(step(g, [0, 0], [0, 1]), [1, 0])
    assert np.array_equal(step(g, [0, 1], [0, 0]), [1, 0])  # never forgives
    a = St.Alternate(first=0)
    a.reset(1)
    ps = [a.policy()[0]] + [step(a, [0], [0])[0] for _ in range(3)]
    assert ps == [1, 0, 1, 0]
    d = St.DefectOnce(at_round=1)
    d.reset(1)
    ps = [d.policy()[0]] + [step(d, [0], [0])[0] for _ in range(2)]
    assert ps == [1, 0, 1]
    sc = St.Scripted([1, 0])
    sc.reset(2)
    assert list(sc.policy()) == [1, 1] and list(step(sc, [0, 0], [0, 0])) == [0, 0]


def test_zd_extortion_enforces_linear_relation():
    R, S, T, P = 3, 0, 5, 1
    z = St.zd_extortion(chi=3, R=R, S=S, T=T, P=P, phi_frac=0.5, p_first=1.0)
    assert np.all((z.q >= 0) & (z.q <= 1))
    # stationary distribution of the memory-1 chain vs a random memory-1 opponent
    rng = np.random.default_rng(0)
    for _ in range(3):
        o = rng.random(5)
        p, qo = z.q[1:], o[[1, 3, 2, 4]]  # opponent's view swaps CD/DC
        M = np.zeros((4, 4))
        for i in range(4):
            x, y = p[i], qo[i]
            M[i] = [x * y, x * (1 - y), (1 - x) * y, (1 - x) * (1 - y)]
        w, v = np.linalg.eig(M.T)
        pi = np.real(v[:, np.argmin(abs(w - 1))])
        pi /= pi.sum()
        sx = pi @ [R, S, T, P]
        sy = pi @ [R, T, S, P]
        assert np.isclose(sx - P, 3 * (sy - P), atol=1e-8)


def test_mixture_routes_rows():
    m = St.Mixture([St.all_c(), St.all_d()], [0, 1, 1, 0])
    m.reset(4)
    assert list(m.policy()) == [1, 0, 0, 1]
    with pytest.raises(ValueError):
        m.reset(3)


def test_bad_params():
    with pytest.raises(ValueError, match="allowed"):
        St.by_name("Nice")
    with pytest.raises(ValueError):
        St.Memory1([0.5, 2, 0, 0, 0])
    r = St.random_memory1(np.random.default_rng(1), 3)
    assert r.q.shape == (3, 5)
