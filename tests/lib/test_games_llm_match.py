"""Software test of the LLM repeated-game loop with scripted backends (no model)."""

import numpy as np
import pytest

from replib.games.llm_match import LLMPlayer, play_llm_match
from replib.games.matrix import battle_of_sexes, prisoners_dilemma
from replib.games.strategies import DefectOnce
from replib.llm.agents import ChoiceAgent
from replib.llm.backend import BaseBackend, Choice
from replib.llm.prompts import repeated_games as RP

PD = prisoners_dilemma(R=8, S=0, T=10, P=5, actions=("J", "F"))


class Scripted(BaseBackend):
    """Answers by a rule on the prompt text; records prompts."""

    def __init__(self, rule):
        super().__init__(name="scripted", model="rule")
        self.rule = rule
        self.prompts = []

    def choose(self, prompt, options, *, seed=None):
        self.prompts.append(prompt)
        i = self.rule(prompt)
        return Choice(options[i] if i >= 0 else None, i, None, "parsed", "")


def grim_rule(prompt):  # defect once the other player has chosen F
    return 1 if "the other player chose Option F" in prompt else 0


def test_grim_like_llm_vs_defect_once_gets_the_logged_90_points():
    llm = LLMPlayer(ChoiceAgent(Scripted(grim_rule)), name="grim-llm")
    m = play_llm_match(PD, (llm, DefectOnce(at_round=0)), n_rounds=10)
    assert m.actions[:, 0].tolist() == [0] + [1] * 9
    assert m.payoffs[:, 0].sum() == 90 and m.unparseable == (0, 0)
    assert "You will play 10 rounds" in m.prompts[0]
    assert "In round 9, you chose Option F and the other player chose Option J. Thus, you " \
           "won 10 points" in m.prompts[0]


def test_seat_two_sees_its_own_payoffs_and_history():
    be = Scripted(lambda p: 0)
    bos = battle_of_sexes(high=10, low=7, miss=0)
    play_llm_match(bos, (DefectOnce(at_round=0), LLMPlayer(ChoiceAgent(be))), n_rounds=2)
    first = be.prompts[0]
    assert ("If you choose Option J and the other player chooses Option J, then you win 7 "
            "points and the other player wins 10 points.") in first
    assert "you chose Option J and the other player chose Option F" in be.prompts[1]


def test_scot_asks_prediction_then_quotes_it():
    be = Scripted(lambda p: 1 if "predict" in p else 0)
    m = play_llm_match(PD, (LLMPlayer(ChoiceAgent(be), scot=True), DefectOnce(at_round=5)),
                       n_rounds=3)
    assert len(be.prompts) == 6 and "predict" in be.prompts[0]
    assert "will choose Option F in round 1" in be.prompts[1]
    assert (m.predicted[:, 0] == 1).all() and (m.predicted[:, 1] == -1).all()


def test_unparseable_is_reasked_then_random_and_counted():
    be = Scripted(lambda p: -1)
    agent = ChoiceAgent(be, seed=3)
    m = play_llm_match(PD, (LLMPlayer(agent), DefectOnce(at_round=0)), n_rounds=4)
    assert m.unparseable == (4, 0) and agent.stats.reasks == 4
    assert set(m.actions[:, 0]) <= {0, 1}


def test_shuffled_order_and_prompt_errors():
    be = Scripted(lambda p: 0)
    play_llm_match(PD, (LLMPlayer(ChoiceAgent(be)), DefectOnce(at_round=0)), n_rounds=10,
                   shuffle_order=True, seed=1)
    orders = {("Option F or Option J?" in p) for p in be.prompts}
    assert orders == {True, False}
    with pytest.raises(ValueError, match="cover"):
        RP.rules_text(np.eye(2), np.eye(2), n_rounds=10, cover="chess")
    with pytest.raises(ValueError, match="labels"):
        RP.question(1, labels=("J", "J"))
    with pytest.raises(TypeError, match="LLMPlayer or a Strategy"):
        play_llm_match(PD, ("x", DefectOnce(at_round=0)))
