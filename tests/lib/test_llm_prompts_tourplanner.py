import pytest

from replib.envs.travel import Plan, make_instance
from replib.llm.prompts.tourplanner import (
    PERSONAS,
    parse_plan,
    parse_score,
    plan_prompt,
    render_instance,
    score_prompt,
)


def test_render_and_prompts_name_every_poi_and_constraint():
    inst = make_instance(seed=0, days=2, n_attr=5, n_rest=4, n_hotel=3)
    text = render_instance(inst)
    assert "A4 |" in text and "R3 |" in text and "H2 |" in text and "budget" in text
    for p in PERSONAS:
        msgs = plan_prompt(inst, persona=p)
        assert msgs[0]["role"] == "system" and "JSON" in msgs[1]["content"]
    plan = Plan(1, [[("attr", 0), ("rest", 1)], [("attr", 2)]])
    assert "A0" in score_prompt(inst, plan)[1]["content"]
    with pytest.raises(ValueError, match="persona"):
        plan_prompt(inst, persona="foodie")


def test_parse_plan_round_trip_and_failures():
    inst = make_instance(seed=0, days=2, n_attr=5, n_rest=4, n_hotel=3)
    reply = 'Sure!\n```json\n{"hotel": "H2", "days": [["A1", "R0", "a3"], ["R2"]]}\n```'
    plan = parse_plan(reply, inst)
    assert plan.hotel == 2 and plan.days == [[("attr", 1), ("rest", 0), ("attr", 3)],
                                             [("rest", 2)]]
    assert parse_plan("no json here", inst) is None
    assert parse_plan('{"hotel": "H9", "days": [[], []]}', inst) is None  # unknown hotel
    assert parse_plan('{"hotel": "H0", "days": [["A1"]]}', inst) is None  # wrong day count
    assert parse_plan('{"hotel": "H0", "days": [["X1"], []]}', inst) is None
    assert parse_score('{"score": 7.5}') == 7.5 and parse_score('{"score": 11}') is None
