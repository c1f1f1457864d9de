"""A stochastic construction policy for ``envs.travel`` plans, persona agents, and the
competitive-consensus merge with feasibility repair.

TourPlanner (Wang et al., 2026, arXiv 2601.04698), offline stand-ins (not LLMs):

* **Construction policy.** A plan is built stop by stop. At each step every unvisited
  attraction, every unvisited restaurant and "end the day" is a candidate with features
  ``φ(candidate, state)`` (``FEATURES``); the policy samples from ``softmax(φ · θ)``. The hotel
  is the cheapest one of the required class (a rule, not learned). ``rollout`` samples
  ``n_samples`` plans of one instance in lock-step (numpy over samples) and returns, per plan,
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

from replib.envs.travel import Instance, Plan, check_plan, simulate_day

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
    grad_logp: np.ndarray  # (n_samples, n_features): Σ_t ∇θ log π(a_t | s_t)
    n_steps: np.ndarray  # (n_samples,) decisions taken


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


def _features(inst, pos, t, spent, visited, lunch, dinner, n_attr_today, must_left):
    """φ for all candidates of all samples: ``(S, n_attr + n_rest + 1, F)``."""
    c, q = inst.city, inst.query
    xy = np.vstack([c.attr_xy, c.rest_xy])
    n_a, n_r = len(c.attr_xy), len(c.rest_xy)
    S, C = len(t), n_a + n_r + 1
    phi = np.zeros((S, C, len(FEATURES)))
    d = np.hypot(*(xy[None] - pos[:, None]).transpose(2, 0, 1))  # (S, n_a + n_r)
    arrive = t[:, None] + d / inst.speed_kmh
    price = np.concatenate([c.attr_price, c.rest_price])
    left = np.maximum(q.budget - spent, 1.0)[:, None]
    start_a = np.maximum(arrive[:, :n_a], c.attr_open)
    end_a = start_a + c.attr_dur
    fits_a = (end_a <= c.attr_close) & (end_a <= inst.day_end - 1.0)
    in_lunch = (arrive[:, n_a:] >= inst.lunch[0]) & (arrive[:, n_a:] <= inst.lunch[1])
    in_dinner = (arrive[:, n_a:] >= inst.dinner[0]) & (arrive[:, n_a:] <= inst.dinner[1])
    due = (in_lunch & ~lunch[:, None]) | (in_dinner & ~dinner[:, None])
    phi[:, :-1, _F["distance"]] = d / 5.0
    phi[:, :-1, _F["cost_share"]] = np.minimum(price / left, 3.0)
    phi[:, :n_a, _F["fits_time"]] = fits_a
    phi[:, n_a:-1, _F["fits_time"]] = due
    phi[:, :n_a, _F["preferred"]] = np.isin(c.attr_cat, q.preferred)
    phi[:, :n_a, _F["rating"]] = (c.attr_rating - 3.0) / 2.0
    phi[:, n_a:-1, _F["rating"]] = (c.rest_rating - 3.0) / 2.0
    phi[:, :n_a, _F["must"]] = must_left
    phi[:, n_a:-1, _F["is_meal"]] = 1.0
    phi[:, n_a:-1, _F["meal_due"]] = due
    phi[:, :n_a, _F["wait"]] = (start_a - arrive[:, :n_a]) / 2.0
    phi[:, -1, _F["is_end"]] = 1.0
    phi[:, -1, _F["end_pace_met"]] = n_attr_today >= q.pace
    phi[:, -1, _F["end_meals_missing"]] = (~lunch).astype(float) + (~dinner)
    mask = np.ones((S, C), dtype=bool)
    mask[:, :-1] = ~visited
    return phi, mask


def rollout(inst: Instance, theta: np.ndarray, *, n_samples: int, rng: np.random.Generator,
            greedy: bool = False, bias: np.ndarray | None = None) -> Rollout:
    """Sample ``n_samples`` plans of ``inst`` from ``softmax(φ · (θ) + φ · bias)``."""
    theta = np.asarray(theta, dtype=np.float64)
    if theta.shape != (len(FEATURES),):
        raise ValueError(f"theta has shape {theta.shape}, expected ({len(FEATURES)},)")
    c, q, S = inst.city, inst.query, n_samples
    n_a = len(c.attr_xy)
    xy_all = np.vstack([c.attr_xy, c.rest_xy])
    hotel = choose_hotel(inst)
    w = theta + (0.0 if bias is None else bias)
    visited = np.zeros((S, n_a + len(c.rest_xy)), dtype=bool)
    spent = np.full(S, q.days * float(c.hotel_price[hotel]))
    grad, steps = np.zeros((S, len(FEATURES))), np.zeros(S, dtype=int)
    days = [[[] for _ in range(q.days)] for _ in range(S)]
    must = np.zeros(n_a, dtype=bool)
    must[list(q.must)] = True
    for d in range(q.days):
        pos = np.repeat(c.hotel_xy[hotel][None], S, 0)
        t = np.full(S, inst.day_start)
        lunch, dinner = np.zeros(S, bool), np.zeros(S, bool)
        n_attr, active = np.zeros(S, int), np.ones(S, bool)
        for _ in range(MAX_STOPS + 1):
            if not active.any():
                break
            phi, mask = _features(inst, pos, t, spent, visited, lunch, dinner, n_attr,
                                  must & ~visited[:, :n_a])
            mask[[len(days[s][d]) >= MAX_STOPS for s in range(S)], :-1] = False
            logits = np.where(mask, phi @ w, -np.inf)
            p = np.exp(logits - logits.max(1, keepdims=True))
            p /= p.sum(1, keepdims=True)
            noise = 0.0 if greedy else rng.gumbel(size=logits.shape)
            a = np.argmax(logits + noise, axis=1)
            rows = np.arange(S)
            g = phi[rows, a] - np.einsum("sc,scf->sf", p, phi)  # ∇θ log π(a)
            grad[active] += g[active]
            steps += active
            for s in np.flatnonzero(active & (a < len(xy_all))):
                i = int(a[s])
                stop = ("attr", i) if i < n_a else ("rest", i - n_a)
                dist = float(np.hypot(*(xy_all[i] - pos[s])))
                arrive = t[s] + dist / inst.speed_kmh
                if stop[0] == "attr":
                    t[s] = max(arrive, float(c.attr_open[i])) + float(c.attr_dur[i])
                    n_attr[s] += 1
                    spent[s] += float(c.attr_price[i])
                else:
                    lunch[s] |= inst.lunch[0] <= arrive <= inst.lunch[1]
                    dinner[s] |= inst.dinner[0] <= arrive <= inst.dinner[1]
                    t[s] = arrive + inst.meal_hours
                    spent[s] += float(c.rest_price[i - n_a])
                pos[s], visited[s, i] = xy_all[i], True
                days[s][d].append(stop)
            active &= a < len(xy_all)
    return Rollout([Plan(hotel, days[s]) for s in range(S)], grad, steps)


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
    while check_plan(inst, Plan(plan.hotel, days)).cost > q.budget:
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
