"""A stochastic construction policy for ``envs.travel`` plans, persona agents, and the
competitive-consensus merge with feasibility repair.

TourPlanner (Wang et al., 2026, arXiv 2601.04698), offline stand-ins (not LLMs):

* **Construction policy.** A plan is built stop by stop. At each step every unvisited
  attraction, every unvisited restaurant and "end the day" is a candidate with features
  ``φ(candidate, state)`` (``FEATURES``); the policy samples from ``softmax(φ · θ)``. The hotel
  is the cheapest one of the required class (a rule, not learned). Times follow
  ``envs.travel.simulate_day`` (waiting for an attraction's opening and for a meal window;
  the ``wait`` feature is that idle time). ``rollout`` samples ``n_samples`` plans of each of
  many instances in lock-step (numpy over instances × samples) and returns, per plan, the
  exact hard/soft checks and
  ``Σ_t ∇_θ log π(a_t) = Σ_t (φ(a_t) − E_π φ)``, the score-function gradient GRPO needs.
* **Persona agents** (CCoT's specialised planners): the same θ plus a persona bias vector on the
  logits (``PERSONAS``: route, budget, experience).
* **Consensus** (CCoT's arbitration, our reading; the paper's rule is not public): peers score
  each other's proposals (self-scores excluded), a Borda count ranks them, each day is taken from
  the best-ranked proposal whose day adds no repeated stop, then ``repair`` inserts missing
  must-visits where they fit and drops the most expensive attractions while over budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from replib.envs.travel import HARD, SOFT, Instance, Plan, check_plan, meal_start, simulate_day

__all__ = ["FEATURES", "PERSONAS", "Rollout", "choose_hotel", "rollout", "borda",
           "consensus", "repair"]

FEATURES = ("distance", "cost_share", "fits_time", "preferred", "rating", "must", "is_meal",
            "meal_due", "is_end", "end_pace_met", "end_meals_missing", "wait")
_F = {f: i for i, f in enumerate(FEATURES)}
PERSONAS = {
    "route": {"distance": -2.0},
    "budget": {"cost_share": -2.0},
    "experience": {"rating": 1.5, "preferred": 1.5},
}
MAX_STOPS = 7


@dataclass
class Rollout:
    plans: list[Plan]
    grad_logp: np.ndarray  # (n_plans, n_features): Σ_t ∇θ log π(a_t | s_t)
    n_steps: np.ndarray  # (n_plans,) decisions taken
    hard: np.ndarray | None = None  # (n_plans, len(HARD)) the exact checks, from the rollout
    soft: np.ndarray | None = None  # (n_plans, len(SOFT))
    h: np.ndarray | None = None  # (n_plans,) fraction of itemised hard checks (PlanCheck.h)


def persona_bias(name: str) -> np.ndarray:
    if name not in PERSONAS:
        raise ValueError(f"persona={name!r} is not allowed: expected one of {list(PERSONAS)}")
    b = np.zeros(len(FEATURES))
    for f, v in PERSONAS[name].items():
        b[_F[f]] = v
    return b


def choose_hotel(inst: Instance) -> int:
    """The cheapest hotel of at least the required class (the cheapest overall if none)."""
    c = inst.city
    ok = np.flatnonzero(c.hotel_class >= inst.query.min_class)
    pool = ok if len(ok) else np.arange(len(c.hotel_xy))
    return int(pool[np.argmin(c.hotel_price[pool])])


def _stack(insts: list[Instance], hotels: np.ndarray | None = None) -> dict:
    """Per-instance arrays stacked on a leading instance axis (same POI counts required)."""
    first = insts[0]
    for inst in insts[1:]:
        if (len(inst.city.attr_xy), len(inst.city.rest_xy)) != (len(first.city.attr_xy),
                                                                len(first.city.rest_xy)):
            raise ValueError("instances in one rollout must have the same n_attr and n_rest")
        if (inst.speed_kmh, inst.day_start, inst.day_end, inst.lunch, inst.dinner,
                inst.meal_hours) != (first.speed_kmh, first.day_start, first.day_end,
                                     first.lunch, first.dinner, first.meal_hours):
            raise ValueError("instances in one rollout must share the day timings")
    st = {k: np.stack([getattr(i.city, k) for i in insts]) for k in
          ("attr_xy", "attr_cat", "attr_rating", "attr_price", "attr_dur", "attr_open",
           "attr_close", "rest_xy", "rest_price", "rest_rating")}
    hotels = (np.array([choose_hotel(i) for i in insts]) if hotels is None
              else np.asarray(hotels, dtype=int))
    st["hotel"] = hotels
    st["hotel_xy"] = np.stack([i.city.hotel_xy[h] for i, h in zip(insts, hotels)])
    st["hotel_price"] = np.array([i.city.hotel_price[h] for i, h in zip(insts, hotels)])
    st["xy"] = np.concatenate([st["attr_xy"], st["rest_xy"]], axis=1)
    st["price"] = np.concatenate([st["attr_price"], st["rest_price"]], axis=1)
    st["budget"] = np.array([i.query.budget for i in insts], dtype=float)
    st["pace"] = np.array([i.query.pace for i in insts])
    st["days"] = np.array([i.query.days for i in insts])
    st["preferred"] = np.stack([np.isin(i.city.attr_cat, i.query.preferred) for i in insts])
    must = np.zeros(st["attr_cat"].shape, dtype=bool)
    for k, i in enumerate(insts):
        must[k, list(i.query.must)] = True
    st["must"] = must
    return st


def _features(T, st, ii, pos, t, spent, visited, lunch, dinner, n_attr):
    """φ for all candidates of all plans: ``(P, n_attr + n_rest + 1, F)``."""
    n_a = st["attr_xy"].shape[1]
    P, C = len(t), st["xy"].shape[1] + 1
    phi = np.zeros((P, C, len(FEATURES)))
    d = np.hypot(*(st["xy"][ii] - pos[:, None]).transpose(2, 0, 1))  # (P, C - 1)
    arrive = t[:, None] + d / T.speed_kmh
    left = np.maximum(st["budget"][ii] - spent, 1.0)[:, None]
    start_a = np.maximum(arrive[:, :n_a], st["attr_open"][ii])
    end_a = start_a + st["attr_dur"][ii]
    fits_a = (end_a <= st["attr_close"][ii]) & (end_a <= T.day_end - 1.0)
    ar = meal_start(T, arrive[:, n_a:])  # when a meal there would start
    in_lunch = (ar >= T.lunch[0]) & (ar <= T.lunch[1])
    in_dinner = (ar >= T.dinner[0]) & (ar <= T.dinner[1])
    due = (in_lunch & ~lunch[:, None]) | (in_dinner & ~dinner[:, None])
    phi[:, :-1, _F["distance"]] = d / 5.0
    phi[:, :-1, _F["cost_share"]] = np.minimum(st["price"][ii] / left, 3.0)
    phi[:, :n_a, _F["fits_time"]] = fits_a
    phi[:, n_a:-1, _F["fits_time"]] = due
    phi[:, :n_a, _F["preferred"]] = st["preferred"][ii]
    phi[:, :n_a, _F["rating"]] = (st["attr_rating"][ii] - 3.0) / 2.0
    phi[:, n_a:-1, _F["rating"]] = (st["rest_rating"][ii] - 3.0) / 2.0
    phi[:, :n_a, _F["must"]] = st["must"][ii] & ~visited[:, :n_a]
    phi[:, n_a:-1, _F["is_meal"]] = 1.0
    phi[:, n_a:-1, _F["meal_due"]] = due
    phi[:, :n_a, _F["wait"]] = (start_a - arrive[:, :n_a]) / 2.0
    phi[:, n_a:-1, _F["wait"]] = (ar - arrive[:, n_a:]) / 2.0
    phi[:, -1, _F["is_end"]] = 1.0
    phi[:, -1, _F["end_pace_met"]] = n_attr >= st["pace"][ii]
    phi[:, -1, _F["end_meals_missing"]] = (~lunch).astype(float) + (~dinner)
    return phi


def rollout(insts: Instance | list[Instance], theta: np.ndarray, *, n_samples: int,
            rng: np.random.Generator, greedy: bool = False,
            bias: np.ndarray | None = None, candidates: np.ndarray | None = None,
            hotels: np.ndarray | None = None) -> Rollout:
    """Sample ``n_samples`` plans of every instance from ``softmax(φ · (θ + bias))``.

    ``candidates`` (n_instances, n_attr + n_rest) bool restricts each instance's plans to
    those POIs (attractions first, then restaurants; e.g. ``travel_preso.preso``'s compact
    set), and ``hotels`` (n_instances,) fixes each instance's hotel (default
    ``choose_hotel``).

    All plans advance in lock-step (numpy over instances × samples); plans come back
    instance-major (plan ``k * n_samples + g`` is sample ``g`` of instance ``k``).
    """
    insts = [insts] if isinstance(insts, Instance) else list(insts)
    theta = np.asarray(theta, dtype=np.float64)
    if theta.shape not in ((len(FEATURES),), (len(insts), len(FEATURES))):
        raise ValueError(f"theta has shape {theta.shape}, expected ({len(FEATURES)},) or "
                         f"({len(insts)}, {len(FEATURES)}) (one row per instance entry)")
    if not isinstance(n_samples, int) or n_samples < 1:
        raise ValueError(f"n_samples={n_samples!r} is not allowed: expected an integer >= 1")
    st, T = _stack(insts, hotels), insts[0]
    n_a, C = st["attr_xy"].shape[1], st["xy"].shape[1] + 1
    allowed = np.ones((len(insts), C - 1), dtype=bool)
    if candidates is not None:
        allowed = np.asarray(candidates, dtype=bool)
        if allowed.shape != (len(insts), C - 1):
            raise ValueError(f"candidates has shape {allowed.shape}, expected "
                             f"({len(insts)}, {C - 1}) (attractions then restaurants)")
    ii = np.repeat(np.arange(len(insts)), n_samples)
    P, rows = len(ii), np.arange(len(ii))
    w = np.broadcast_to(theta + (0.0 if bias is None else bias),
                        (len(insts), len(FEATURES)))[ii]  # (P, F)
    ok_time, ok_meals = np.ones(P, bool), np.ones(P, bool)
    day_checks = np.zeros(P)
    visited = np.zeros((P, C - 1), dtype=bool)
    spent = st["days"][ii] * st["hotel_price"][ii].astype(float)
    grad, steps = np.zeros((P, len(FEATURES))), np.zeros(P, dtype=int)
    days = [[[] for _ in range(st["days"][k])] for k in ii]
    for d in range(int(st["days"].max())):
        pos, t = st["hotel_xy"][ii].astype(float), np.full(P, T.day_start)
        lunch, dinner = np.zeros(P, bool), np.zeros(P, bool)
        n_lunch, n_dinner, n_bad = np.zeros(P, int), np.zeros(P, int), np.zeros(P, int)
        n_attr, n_today = np.zeros(P, int), np.zeros(P, int)
        active = st["days"][ii] > d
        in_day = active.copy()
        ok_day = np.ones(P, bool)
        for _ in range(MAX_STOPS + 1):
            if not active.any():
                break
            phi = _features(T, st, ii, pos, t, spent, visited, lunch, dinner, n_attr)
            mask = np.ones((P, C), dtype=bool)
            mask[:, :-1] = ~visited & allowed[ii] & (n_today < MAX_STOPS)[:, None]
            logits = np.where(mask, np.einsum("pcf,pf->pc", phi, w), -np.inf)
            p = np.exp(logits - logits.max(1, keepdims=True))
            p /= p.sum(1, keepdims=True)
            a = np.argmax(logits + (0.0 if greedy else rng.gumbel(size=logits.shape)), axis=1)
            g = phi[rows, a] - np.einsum("pc,pcf->pf", p, phi)  # ∇θ log π(a)
            grad[active] += g[active]
            steps += active
            sel = active & (a < C - 1)
            s_idx, i = np.flatnonzero(sel), a[sel]
            k = ii[sel]
            dist = np.hypot(*(st["xy"][k, i] - pos[sel]).T)
            arrive = t[sel] + dist / T.speed_kmh
            meal = meal_start(T, arrive)  # restaurants: wait for the meal window (travel.py)
            is_a = i < n_a
            ia = np.minimum(i, n_a - 1)
            t_attr = np.maximum(arrive, st["attr_open"][k, ia]) + st["attr_dur"][k, ia]
            t[sel] = np.where(is_a, t_attr, meal + T.meal_hours)
            ok_day[s_idx] &= ~is_a | (t_attr <= st["attr_close"][k, ia])
            in_l = ~is_a & (meal >= T.lunch[0]) & (meal <= T.lunch[1])
            in_d = ~is_a & ~in_l & (meal >= T.dinner[0]) & (meal <= T.dinner[1])
            lunch[s_idx] |= in_l
            dinner[s_idx] |= in_d
            n_lunch[s_idx] += in_l
            n_dinner[s_idx] += in_d
            n_bad[s_idx] += ~is_a & ~in_l & ~in_d
            spent[sel] += st["price"][k, i]
            visited[s_idx, i] = True
            pos[sel] = st["xy"][k, i]
            n_attr[sel] += is_a
            n_today[sel] += 1
            for s, j in zip(s_idx.tolist(), i.tolist()):
                days[s][d].append(("attr", j) if j < n_a else ("rest", j - n_a))
            active &= a < C - 1
        back = t + np.hypot(*(st["hotel_xy"][ii] - pos).T) / T.speed_kmh  # return to hotel
        ok_day &= back <= T.day_end
        ok_l, ok_d = (n_lunch == 1) & (n_bad == 0), (n_dinner == 1) & (n_bad == 0)
        ok_time[in_day] &= ok_day[in_day]
        ok_meals[in_day] &= (ok_l & ok_d)[in_day]
        day_checks[in_day] += (ok_l.astype(int) + ok_d + ok_day)[in_day]
    plans = [Plan(int(st["hotel"][k]), days[s]) for s, k in enumerate(ii)]
    hard, soft = _checks(insts, st, ii, visited, spent, ok_time, ok_meals)
    h = (hard[:, [0, 1, 4, 5]].sum(1) + day_checks) / (4 + 3 * st["days"][ii])
    return Rollout(plans, grad, steps, hard, soft, h)


def _checks(insts, st, ii, visited, spent, ok_time, ok_meals):
    """``envs.travel.check_plan``'s hard and soft values from the rollout state (vectorised;
    tested equal to the exact checker)."""
    n_a = st["attr_xy"].shape[1]
    va = visited[:, :n_a]
    min_class = np.array([i.query.min_class for i in insts])
    hotel_ok = np.array([i.city.hotel_class[h] >= m
                         for i, h, m in zip(insts, st["hotel"], min_class)])[ii]
    hard = np.stack([spent <= st["budget"][ii], hotel_ok, ok_meals, ok_time,
                     np.ones(len(ii), bool), (~st["must"][ii] | va).all(1)], axis=1)
    n = va.sum(1)
    safe = np.maximum(n, 1)
    pref = np.where(n > 0, (va & st["preferred"][ii]).sum(1) / safe, 0.0)
    rating = np.where(n > 0, ((va * st["attr_rating"][ii]).sum(1) / safe - 3.0) / 2.0, 0.0)
    pace = np.maximum(0.0, 1.0 - np.abs(n / st["days"][ii] - st["pace"][ii]) / 2.0)
    assert HARD == ("budget", "hotel", "meals", "time", "unique", "must")
    assert SOFT == ("preference", "rating", "pace")
    return hard, np.stack([pref, rating, pace], axis=1)


def borda(scores: np.ndarray) -> np.ndarray:
    """Borda points per proposal from a peer score matrix ``scores[judge, proposal]``;
    the diagonal (self-scores) is ignored. Ties share points."""
    k = scores.shape[0]
    pts = np.zeros(k)
    for j in range(k):
        others = [i for i in range(k) if i != j]
        vals = scores[j, others]
        for i, v in zip(others, vals):
            pts[i] += (vals < v).sum() + 0.5 * ((vals == v).sum() - 1)
    return pts


def repair(inst: Instance, plan: Plan) -> Plan:
    """Insert missing must-visits where the day still fits; drop the priciest non-must
    attractions while the plan is over budget."""
    c, q = inst.city, inst.query
    days = [list(d) for d in plan.days]
    have = {i for d in days for k, i in d if k == "attr"}
    for m in q.must:
        if m in have:
            continue
        for d in sorted(range(len(days)), key=lambda j: len(days[j])):
            for pos in range(len(days[d]) + 1):
                cand = days[d][:pos] + [("attr", m)] + days[d][pos:]
                sim = simulate_day(inst, plan.hotel, cand)
                if sim["ok_time"] and sim["ok_meals"]:
                    days[d], have = cand, have | {m}
                    break
            if m in have:
                break
    while check_plan(inst, Plan(plan.hotel, days), route=False).cost > q.budget:
        extra = [(c.attr_price[i], d, k) for d, day in enumerate(days)
                 for k, (kind, i) in enumerate(day) if kind == "attr" and i not in q.must]
        if not extra:
            break
        _, d, k = max(extra)
        days[d].pop(k)
    return Plan(plan.hotel, days)


def consensus(inst: Instance, proposals: list[Plan], scores: np.ndarray) -> Plan:
    """Day-level merge of proposals ranked by Borda over peer scores, then ``repair``."""
    if len(proposals) != scores.shape[0] or scores.shape[0] != scores.shape[1]:
        raise ValueError(f"scores must be {len(proposals)}x{len(proposals)} (judge, proposal)")
    order = np.argsort(-borda(scores), kind="stable")
    hotel = proposals[order[0]].hotel
    used, days = set(), []
    for d in range(inst.query.days):
        pick = []
        for i in order:
            day = proposals[i].days[d]
            sim = simulate_day(inst, hotel, day)
            if not used & set(day) and sim["ok_time"] and sim["ok_meals"]:
                pick = day
                break
        else:
            pick = [s for s in proposals[order[0]].days[d] if s not in used]
        used |= set(pick)
        days.append(list(pick))
    return repair(inst, Plan(hotel, days))
