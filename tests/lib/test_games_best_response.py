"""games.best_response: fictitious play vs predict-then-best-respond on the BoS."""

import numpy as np
import pytest

from replib.games import behaviour as B
from replib.games.best_response import FictitiousBR, PredictBR, own_matrices
from replib.games.matrix import battle_of_sexes, prisoners_dilemma
from replib.games.repeated import play
from replib.games.strategies import Alternate

BOS = battle_of_sexes(high=10, low=7, miss=0)


def _coord(strategy_row, opponent, rounds=slice(2, None), seat=0):
    pair = (strategy_row, opponent) if seat == 0 else (opponent, strategy_row)
    log = play(BOS, [pair], n_rounds=10, seeds=[0, 1])
    a = log.actions[0, 0]  # (S, R, 2)
    return B.coordination_rate(a[:, rounds, 0], a[:, rounds, 1]).mean()


def test_own_matrices_seat_views():
    pd = prisoners_dilemma(R=8, S=0, T=10, P=5)
    np.testing.assert_array_equal(own_matrices(pd, 0)[0], [[8, 0], [10, 5]])
    np.testing.assert_array_equal(own_matrices(pd, 1)[0], [[8, 0], [10, 5]])
    np.testing.assert_array_equal(own_matrices(BOS, 1)[0], [[7, 0], [0, 10]])


def test_predict_br_learns_alternation_fictitious_play_does_not():
    # row player, alternator starting with the row player's preferred J: exact trajectory
    assert _coord(PredictBR(payoff=BOS, player=0, k=1), Alternate(first=0)) == 1.0
    assert _coord(FictitiousBR(payoff=BOS, player=0), Alternate(first=0)) == 0.5
    # starting with F, the order-1 model needs one more round (both transitions observed)
    assert _coord(PredictBR(payoff=BOS, player=0, k=1), Alternate(first=1),
                  rounds=slice(3, None)) == 1.0
    # column seat: prefers F
    assert _coord(PredictBR(payoff=BOS, player=1, k=1), Alternate(first=1), seat=1) == 1.0


def test_tie_gives_half_and_errors():
    s = PredictBR(payoff=BOS, player=0, k=2)
    s.reset(1)
    np.testing.assert_array_equal(s.predict(), [0.5])
    with pytest.raises(ValueError, match="k must be"):
        PredictBR(payoff=BOS, player=0, k=0)
    with pytest.raises(ValueError, match="player"):
        FictitiousBR(payoff=BOS, player=2)
    with pytest.raises(ValueError, match="multiple"):
        FictitiousBR(payoff=[BOS, BOS], player=0).reset(3)
    coord_game = battle_of_sexes(high=1, low=1, miss=0)  # symmetric: uniform belief is a tie
    f = FictitiousBR(payoff=coord_game, player=0)
    f.reset(1)
    np.testing.assert_array_equal(f.policy(), [0.5])
