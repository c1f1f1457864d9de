import itertools

import numpy as np
import pytest

from replib.envs.travel import HARD, Plan, check_plan, make_instance, shortest_tour, simulate_day


def _good_plan(inst):
    """A hand-made plan: best-class hotel, per day one attraction, lunch, one, dinner."""
    c, q = inst.city, inst.query
    hotel = int(np.argmax(c.hotel_class))
    attrs = list(q.must) + [i for i in np.argsort(c.attr_price) if i not in q.must]
    days = []
    for d in range(q.days):
        days.append([("attr", int(attrs[2 * d])), ("rest", 2 * d), ("attr", int(attrs[2 * d + 1])),
                     ("rest", 2 * d + 1)])
    return Plan(hotel, days)


def test_instances_are_seeded():
    a, b = make_instance(seed=1), make_instance(seed=1)
    assert np.array_equal(a.city.attr_xy, b.city.attr_xy) and a.query == b.query
    assert a.query != make_instance(seed=2).query
    assert make_instance(seed=1, budget_scale=0.5).query.budget < a.query.budget


def test_checker_on_hand_made_plans():
    inst = make_instance(seed=0, days=2)
    plan = _good_plan(inst)
    chk = check_plan(inst, plan)
    assert set(chk.hard) == set(HARD) and chk.hard["unique"] and chk.hard["must"]
    assert chk.hard["hotel"]
    # duplicate a stop -> unique fails; drop must-visits -> must fails
    dup = Plan(plan.hotel, [plan.days[0] + [plan.days[0][0]], plan.days[1]])
    assert not check_plan(inst, dup).hard["unique"]
    nomust = Plan(plan.hotel, [[s for s in d if s[1] not in inst.query.must or s[0] != "attr"]
                               for d in plan.days])
    assert not check_plan(inst, nomust).hard["must"]
    # no meals -> meals fails; cost counts tickets, meals and nights exactly
    nomeal = Plan(plan.hotel, [[s for s in d if s[0] == "attr"] for d in plan.days])
    assert not check_plan(inst, nomeal).hard["meals"]
    c = inst.city
    cost = sum(c.attr_price[i] if k == "attr" else c.rest_price[i]
               for d in plan.days for k, i in d) + 2 * c.hotel_price[plan.hotel]
    assert np.isclose(chk.cost, cost)
    assert 0 <= chk.soft_score <= 1 and 0 <= chk.h < 1 and chk.checks[1] == 4 + 3 * 2


def test_time_check_catches_a_closed_attraction():
    inst = make_instance(seed=3, days=1)
    c = inst.city
    late = int(np.argmin(c.attr_close))
    sim = simulate_day(inst, 0, [("attr", late)] * 1)
    assert sim["ok_time"] == (max(9.0 + np.hypot(*(c.attr_xy[late] - c.hotel_xy[0])) / 15,
                                  c.attr_open[late]) + c.attr_dur[late] <= c.attr_close[late])
    many = [("attr", i) for i in range(12)]
    assert not simulate_day(inst, 0, many)["ok_time"]  # 12 visits cannot fit in a day


def test_shortest_tour_matches_brute_force_and_ratio_is_at_least_one():
    rng = np.random.default_rng(0)
    pts, start = rng.uniform(0, 10, (5, 2)), np.zeros(2)

    def length(order):
        idx = [start, *pts[list(order)], start]
        return sum(np.hypot(*(a - b)) for a, b in zip(idx[:-1], idx[1:]))

    brute = min(length(o) for o in itertools.permutations(range(5)))
    assert np.isclose(shortest_tour(pts, start), brute)
    # a square visited in crossing order has ratio > 1; in tour order exactly 1
    inst = make_instance(seed=0, days=1)
    plan = _good_plan(make_instance(seed=0, days=1))
    assert check_plan(inst, plan).route_ratio >= 1 - 1e-12
    with pytest.raises(ValueError, match="<= 8"):
        shortest_tour(rng.uniform(0, 1, (9, 2)), start)


def test_bad_parameters_name_themselves():
    with pytest.raises(ValueError, match="days"):
        make_instance(seed=0, days=0)
    with pytest.raises(ValueError, match="budget_scale"):
        make_instance(seed=0, budget_scale=0)
    inst = make_instance(seed=0, days=2)
    with pytest.raises(ValueError, match="2"):
        check_plan(inst, Plan(0, [[]]))


def test_a_meal_reached_before_its_window_waits_for_it():
    # like an attraction before its opening: arrive 9:00 -> lunch 11-12; arrive 15:00 -> dinner
    # 17-18 (the prompt's "dinner (start 17-20.5 h)"); arrive 21:00 -> outside both windows
    from dataclasses import replace

    from replib.envs.travel import meal_start
    inst = make_instance(seed=0, days=1)
    here = replace(inst.city, rest_xy=np.repeat(inst.city.hotel_xy[:1], len(inst.city.rest_xy), 0))
    inst = replace(inst, city=here)  # restaurants at hotel 0: no travel time
    lunch = simulate_day(inst, 0, [("rest", 0)])
    assert lunch["ok_lunch"] and not lunch["ok_dinner"] and np.isclose(lunch["end"], 12.0)
    dinner = simulate_day(replace(inst, day_start=15.0), 0, [("rest", 0)])
    assert dinner["ok_dinner"] and not dinner["ok_lunch"] and np.isclose(dinner["end"], 18.0)
    late = simulate_day(replace(inst, day_start=21.0), 0, [("rest", 0)])
    assert not late["ok_lunch"] and not late["ok_dinner"]
    assert np.allclose(meal_start(inst, np.array([9.0, 12.0, 15.0, 18.0, 21.0])),
                       [11.0, 12.0, 17.0, 18.0, 21.0]) and meal_start(inst, 14.5) == 17.0
