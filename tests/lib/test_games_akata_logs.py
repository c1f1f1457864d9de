"""games.akata_logs on the vendored published logs (data/repeatedgames, MIT)."""

import numpy as np
import pytest

from replib.games import akata_logs as A
from replib.games.matrix import ordinal_2x2


@pytest.fixture(scope="module")
def data():
    info, pay = A.load_games_info()
    return info, pay, A.load_all_games()


def _canon(g):
    forms = []
    for rr in (False, True):
        for cc in (False, True):
            h = g[:, ::-1] if rr else g
            h = h[:, :, ::-1] if cc else h
            forms.append(tuple(h.ravel()))
    return min(forms)


def test_games_table_against_the_ordinal_2x2_set(data):
    info, pay, _ = data
    assert pay.shape == (144, 2, 2, 2) and set(info.game_family) >= set(A.FAMILIES)
    strict = np.array([sorted(g[0].ravel()) == [1, 2, 3, 4] == sorted(g[1].ravel())
                       for g in pay])
    # 15 rows of the published table repeat a rank for one player (e.g. game 17 "Tragic
    # Cycle": 3, 3, 4, 1); the 129 strict ones are distinct classes of games.matrix.ordinal_2x2
    assert (~strict).sum() == 15
    paper = {_canon(g) for g in pay[strict]}
    assert len(paper) == 129 and paper <= {_canon(g) for g in ordinal_2x2()}


def test_logged_points_match_the_payoff_tables(data):
    _, pay, logs = data
    assert len(logs) == 144 * 25 * 10
    assert (logs.a1 >= 0).all() and (logs.a2 >= 0).all()
    assert A.point_mismatches(logs, pay) == 0


def test_normalised_scores_in_unit_interval(data):
    info, pay, logs = data
    s = A.normalised_scores(logs, info, pay)
    assert len(s) == 144 * 25 * 2 and s.score.between(0, 1).all()
    t = A.family_table(s)
    assert "overall" in t.index and "act_gpt4" in t.columns


def test_pd_and_bos_logs_reproduce_the_card_anchors():
    pd_ = A.load_pd()
    a1, a2, p1, _ = A.match_actions(pd_, "act_gpt4", "act_defect_once")
    assert a1.tolist() == [0] + [1] * 9 and p1.sum() == 90
    bos = A.load_bos()
    a1, a2, p1, _ = A.match_actions(bos, "act_gpt4", "act_jf")
    assert (a1 == 0).all() and p1.sum() == 50 and (a1 == a2).mean() == 0.5
    from replib.games.akata_experiment import PAPER_BOS, PAPER_PD
    assert A.point_mismatches(pd_, PAPER_PD.payoff) == 0
    assert A.point_mismatches(bos, PAPER_BOS.payoff) == 0
    assert A.point_mismatches(bos, PAPER_PD.payoff) > 0  # the check can fail
    with pytest.raises(KeyError, match="no match"):
        A.match_actions(bos, "act_gpt4", "nobody")


def test_robustness_logs():
    r = A.load_robustness("pd")
    assert len(r) == 3 * 3 * 3 * 10 and r.cover.nunique() == 3
    assert np.all(r.groupby(["cover", "match"]).size() == 10)
    assert np.all(r.groupby(["cover", "outcomes"]).match.nunique() == 3)
    with pytest.raises(ValueError, match="'pd' or 'bos'"):
        A.load_robustness("chess")


def test_player_two_was_told_a_different_game(data):
    # The released query script writes player 2's rules with its payoff table indexed as if
    # it chose the row, so the off-diagonal outcomes are swapped. Game 67 (PD): told that
    # cooperating against a defector pays 4, the scoring pays it 1.
    _, pay, logs = data
    true, told = A.described_payoff(pay, 1)
    assert true[66].tolist() == [[3, 1], [4, 2]] and told[66].tolist() == [[3, 4], [1, 2]]
    t0, d0 = A.described_payoff(pay, 0)
    assert np.array_equal(t0, d0)
    c = A.prompt_consistency(logs, pay, seat=1)
    # in round 1 player 2 follows the dominant action of the game it was told
    assert c["games"] == 24 and c["matches"] == 24 * 25
    assert c["told"] > 0.9 and c["true"] < 0.1
    assert A.prompt_consistency(logs, pay, seat=0)["games"] == 0
