import numpy as np
import pytest

from replib.envs.travel import make_instance
from replib.envs.travel_policy import FEATURES, rollout
from replib.envs.travel_preso import adaptive_eps, preso, recall_scores


def test_candidates_keep_must_visits_and_anchor_a_hotel_of_the_class():
    for seed in range(6):
        inst = make_instance(seed=seed, days=3)
        c = preso(inst, per_day=4, rest_per_day=3)
        q, city = inst.query, inst.city
        assert set(q.must) <= set(c.attractions.tolist())
        assert len(c.attractions) >= 4 * q.days and len(c.restaurants) == 3 * q.days
        assert city.hotel_class[c.hotel] >= q.min_class
        assert c.mask.shape == (len(city.attr_xy) + len(city.rest_xy),)
        assert (c.labels[c.attractions] > -2).all()  # only recalled attractions are kept


def test_recall_ranks_must_then_preferred_then_rating():
    inst = make_instance(seed=3)
    s = recall_scores(inst)
    q, city = inst.query, inst.city
    must = list(q.must)
    assert s[must].min() > np.delete(s, must).max()
    pref = np.isin(city.attr_cat, q.preferred)
    other = ~pref & ~np.isin(np.arange(len(s)), must)
    assert s[pref & ~np.isin(np.arange(len(s)), must)].min() > s[other].max()


def test_adaptive_eps_on_a_grid():
    xy = np.array([[x, y] for x in range(4) for y in range(4)], dtype=float)
    assert adaptive_eps(xy, 1) == pytest.approx(1.0)  # nearest neighbour on a unit grid


def test_rollout_plans_only_inside_the_candidates():
    insts = [make_instance(seed=s) for s in range(4)]
    cands = [preso(i) for i in insts]
    out = rollout(insts, np.zeros(len(FEATURES)), n_samples=3, rng=np.random.default_rng(0),
                  candidates=np.stack([c.mask for c in cands]),
                  hotels=np.array([c.hotel for c in cands]))
    for k, plan in enumerate(out.plans):
        c = cands[k // 3]
        assert plan.hotel == c.hotel
        for day in plan.days:
            for kind, i in day:
                assert c.mask[i if kind == "attr" else c.n_attr + i]
    with pytest.raises(ValueError, match="candidates has shape"):
        rollout(insts, np.zeros(len(FEATURES)), n_samples=1, rng=np.random.default_rng(0),
                candidates=np.ones((4, 3), bool))
    with pytest.raises(ValueError, match="per_day"):
        preso(insts[0], per_day=0)
