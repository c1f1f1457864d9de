"""tournaments.aggregate: baselines on hand-made score matrices."""

import numpy as np
import pytest

from replib.tournaments import aggregate as G
from replib.tournaments import swiss as S

X = np.array([[0.9, 0.1, 0.5], [0.5, 0.5, 0.5], [0.1, 0.9, 0.4]])


def test_means_ranks_borda():
    assert np.allclose(G.mean_score(X), [0.5, 0.5, 14 / 30])
    assert np.allclose(G.mean_score(X, weights=[1, 0, 0]), [0.9, 0.5, 0.1])
    assert np.allclose(G.mean_of_group_means(X, [[0, 1], [2]]), [0.5, 0.5, 0.45])
    assert np.allclose(G.mean_rank(X), [(1 + 3 + 1.5) / 3, (2 + 2 + 1.5) / 3, (3 + 1 + 3) / 3])
    assert np.allclose(G.borda(X), [2 + 0 + 1.5, 1 + 1 + 1.5, 0 + 2 + 0])


def test_round_robin_and_dataset_wins():
    w = S.round_wins(X, [[0], [1], [2]])
    assert np.allclose(G.round_robin_counts(w), [3, 3, 2])
    c = G.dataset_win_counts(X)
    assert np.allclose(c + c.T, 3 * (1 - np.eye(3)))
    assert c[0, 1] == 1.5


def test_peer_scores_leave_out_self():
    s = np.array([[100.0, 1.0, 2.0], [3.0, 100.0, 4.0], [5.0, 6.0, 100.0]])
    assert np.allclose(G.peer_scores(s), [4.0, 3.5, 3.0])
    with pytest.raises(ValueError, match="square"):
        G.peer_scores(np.ones((2, 3)))
