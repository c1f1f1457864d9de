"""markets.moloch_llm and llm.prompts.moloch with a scripted seller/audience (no model)."""

import json

import numpy as np

from replib.llm.backend import BaseBackend, Choice
from replib.llm.prompts import moloch as MP
from replib.markets import audience as M
from replib.markets.moloch_llm import llm_selection_round


class Scripted(BaseBackend):
    """Seller: sample seeds ending in 1 exaggerate 'battery life' to 3; the audience prefers
    the message mentioning 'best'; the probe flags 'best'."""

    def generate(self, messages, *, max_tokens=256, temperature=0.0, seed=None, stop=None):
        text = messages[-1]["content"] if isinstance(messages, list) else messages
        if "Sales message" in text:
            return json.dumps({"deceptive": "best" in text.split("Sales message")[1],
                               "unsupported": []})
        if seed is not None and seed % 1000 == 1:
            return json.dumps({"thinking": "win", "message": "best battery ever",
                               "claims": [{"feature": "battery life", "level": 3}]})
        return json.dumps({"thinking": "", "message": "decent battery",
                           "claims": [{"feature": "battery life", "level": 1},
                                      {"feature": "unicorn", "level": 2}]})

    def choose(self, prompt, options, *, seed=None):
        a = prompt.split("Product A:")[1].split("Product B:")[0]
        i = 0 if "best" in a else 1
        return Choice(options[i], i, None, "parsed", options[i])


def test_parse_claims_and_persona_card():
    names = MP.FEATURE_NAMES[:4]
    lv, bad = MP.parse_claims([{"feature": "Battery life", "level": 2},
                               {"feature": "x", "level": 1}, {"feature": "weight"},
                               {"feature": "grip", "level": 9}], names=names, max_level=3)
    assert lv.tolist() == [2, 0, 0, 0] and bad == 3
    card = MP.persona_card(np.array([0.1, 3.0, 0.2, 1.0]), 0.5, names=names, verifies=True)
    assert card.startswith("You are a shopper. You care most about build quality")
    assert "check every claim" in card and "very sceptical" in card


def test_selection_round_bookkeeping():
    world = M.ClaimsWorld(present=np.array([[True, False, False]]),
                          level=np.array([[1, 0, 0]]), experience=np.zeros(3, bool),
                          max_level=3)
    aud = M.Audience(weights=np.ones((2, 3)), skepticism=np.zeros(2),
                     verifies=np.array([False, True]), gamma=2.0, lam=0.1, tau=1.0)
    be = Scripted(name="s", model="m")
    df = llm_selection_round(be, world, aud, [0], n_samples=2)
    assert len(df) == 3 and df.role.tolist() == ["baseline", "candidate", "candidate"]
    win = df[df.winner].iloc[0]
    assert win["sample"] == 1 and win.deceptive and win.exaggerated == 1 and win.llm_probe
    assert win.share == 1.0 and df.bad_claims.tolist() == [1, 0, 1]
    assert not df.iloc[0].deceptive
