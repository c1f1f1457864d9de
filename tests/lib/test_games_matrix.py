import numpy as np
import pytest

from replib.games import matrix as M


def test_pd_layout_and_check():
    g = M.prisoners_dilemma(R=1, S=-1, T=2, P=0)
    assert g.payoff.shape == (2, 2, 2)
    # payoff[player, a0, a1]; action 0 = C
    assert g.payoff[0, 0, 0] == 1 and g.payoff[1, 0, 0] == 1
    assert g.payoff[0, 0, 1] == -1 and g.payoff[1, 0, 1] == 2
    assert g.payoff[0, 1, 0] == 2 and g.payoff[1, 1, 0] == -1
    assert g.payoff[0, 1, 1] == 0
    with pytest.raises(ValueError, match="T > R > P > S"):
        M.prisoners_dilemma(R=3, S=0, T=2, P=1)


def test_bos_and_swapped():
    g = M.battle_of_sexes(high=10, low=7, miss=0)
    assert g.payoff[0, 0, 0] == 10 and g.payoff[1, 0, 0] == 7
    assert g.payoff[0, 1, 1] == 7 and g.payoff[1, 1, 1] == 10
    s = g.swapped()
    assert s.payoff[0, 0, 0] == 7 and s.payoff[1, 1, 1] == 7


def test_expected_payoff_pure_and_mixed():
    g = M.prisoners_dilemma(R=3, S=0, T=5, P=1)
    for a0 in (0, 1):
        for a1 in (0, 1):
            u = M.expected_payoff(g.payoff, 1 - a0, 1 - a1)
            assert np.allclose(u, g.payoff[:, a0, a1])
    u = M.expected_payoff(g.payoff, 0.5, 0.5)
    assert np.allclose(u, [(3 + 0 + 5 + 1) / 4] * 2)
    # batched over games and probabilities
    G = np.stack([g.payoff, M.battle_of_sexes(high=2, low=1, miss=0).payoff])
    p = np.array([0.2, 0.7])
    u = M.expected_payoff(G, p, p[::-1])
    ref = [M.mixed_payoff(G[i], [p[i], 1 - p[i]], [p[::-1][i], 1 - p[::-1][i]])
           for i in range(2)]
    assert np.allclose(u, ref)


def test_ordinal_library():
    lib = M.ordinal_2x2()
    assert lib.shape == (144, 2, 2, 2)
    assert all(sorted(x.ravel()) == [1, 2, 3, 4] for x in lib[:, 0])
    assert len({tuple(x.ravel()) for x in lib}) == 144
