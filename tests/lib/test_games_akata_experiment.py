"""games.akata_experiment: round robin normalisation, SCoT analogue, LLM suite (scripted)."""

import numpy as np
import pytest

from replib.games import akata_experiment as E
from replib.games.matrix import prisoners_dilemma
from replib.llm.agents import ChoiceAgent
from replib.llm.backend import BaseBackend, Choice


def test_round_robin_exact_on_one_pd():
    pd_ = prisoners_dilemma(R=8, S=0, T=10, P=5)
    df, total = E.round_robin([pd_], ["PD Family"], strategies=("AlwaysJ", "AlwaysF"),
                              n_rounds=10, seeds=[0])
    assert total.shape == (1, 4, 1, 2)
    s = df[df.family == "PD Family"].set_index("strategy").score
    # AlwaysJ: vs itself 80/100, vs AlwaysF 0 -> 0.4; AlwaysF: 100/100 and 50/100 -> 0.75
    assert s["AlwaysJ"] == pytest.approx(0.4) and s["AlwaysF"] == pytest.approx(0.75)


def test_alternation_and_strategy_errors():
    c = E.alternation_coordination("Predict-BR", n_rounds=10, seeds=[0, 1])
    assert c.shape == (2,) and np.all(c > 0.9)
    assert np.all(E.alternation_coordination("Myopic-BR", n_rounds=10, seeds=[0]) < 0.6)
    with pytest.raises(ValueError, match="unknown strategy 'Nash'; allowed"):
        E.make_strategy("Nash", payoff=E.PAPER_PD.payoff, player=0)
    with pytest.raises(ValueError, match="game 'Chess'"):
        E.explorer_matches("Chess", "TFT", n_rounds=10, noise=0.0, seed=0)


class AlwaysF(BaseBackend):
    def choose(self, prompt, options, *, seed=None):
        return Choice(options[1], 1, (-2.0, -0.1), "logprobs", options[1])


def test_llm_suite_with_a_scripted_backend_is_bookkept():
    be = AlwaysF(name="scripted", model="always-F")
    df = E.llm_suite(lambda seed: ChoiceAgent(be, seed=seed), n_rounds=4, order_seeds=[0],
                     scot_modes=(False,))
    assert len(df) == 9 and (df.actions == "FFFF").all() and (df.unparseable == 0).all()
    pd_d1 = df[(df.game == "PD") & (df.opponent == "DefectOnce")].iloc[0]
    assert pd_d1.points == 5 + 3 * 10 and pd_d1.defect_forever == 1.0
    assert np.allclose(df.p_first, 1 / (1 + np.exp(1.9)))


def test_round_robin_uses_the_generosity_parameter():
    # GTFT forgives a defection with probability `generosity`; the chapter's parameter must
    # reach it (it was dropped: every run used 0.3). Against AlwaysF in the PD, GTFT(0) is
    # TFT (0 + 9 x 5 points) and GTFT(1) always cooperates (0 points).
    pd_ = prisoners_dilemma(R=8, S=0, T=10, P=5)
    score = {}
    for g in (0.0, 1.0):
        df, total = E.round_robin([pd_], ["PD Family"], strategies=("GTFT", "AlwaysF"),
                                  n_rounds=10, seeds=[0], generosity=g)
        score[g] = total[0, 1, 0, 0]  # GTFT as row vs AlwaysF
    assert score[0.0] == 45 and score[1.0] == 0


def test_alternation_matches_draw_their_own_noise():
    # Four matches per seed (both seats x both alternators). Replaying one noise stream in
    # all four made the mirrored matches (vs JF... and vs FJ...) exact complements, so a
    # constant player scored exactly 1/2 at every noise level and seed.
    c = E.alternation_coordination("AlwaysJ", n_rounds=10, seeds=range(6), noise=0.3)
    assert np.ptp(c) > 0
    a = E.alternation_matches("Predict-BR", n_rounds=10, seeds=[0, 1])
    assert a.shape == (4, 2, 10, 2)
    # noise 0: own action first; the alternator's column alternates as named
    assert (a[0, :, :, 1] == np.arange(10) % 2).all() and (a[1, :, :, 1] != a[0, :, :, 1]).all()
    assert (a[2, :, :, 1] == a[0, :, :, 1]).all() and (a[3, :, :, 1] == a[1, :, :, 1]).all()
    assert np.allclose(E.alternation_coordination("Predict-BR", n_rounds=10, seeds=[0]), 30 / 32)
