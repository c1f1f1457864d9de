"""Procedural travel-planning instances, a plan schema, exact hard/soft constraint checkers and
the route distance ratio by exact per-day TSP.

TourPlanner (Wang et al., 2026, arXiv 2601.04698) evaluates on TripTailor (real POIs). Offline we
generate cities by seed: attractions, restaurants and hotels around 3–4 Gaussian districts on a
10 km × 10 km plane, travel time = Euclidean distance / ``speed_kmh``. A query asks for ``days``
days within a budget, with must-visit attractions, preferred categories, a preferred pace and a
minimum hotel class.

Plan schema: ``Plan(hotel, days)`` with ``days[d]`` an ordered list of stops ``("attr", i)`` or
``("rest", j)``. Each day starts at the hotel at ``day_start`` and ends back there.

Hard constraints (``HARD``, each 0/1): ``budget`` (tickets + meals + hotel nights ≤ budget),
``hotel`` (class ≥ the minimum), ``meals`` (each day exactly one restaurant stop starting in the
lunch window and one in the dinner window; a traveller who reaches a restaurant before a window
opens waits for it, as for an attraction's opening, see ``meal_start``), ``time`` (every
attraction visit starts inside its opening window and ends by its close, and the day is back at
the hotel by ``day_end``),
``unique`` (no POI twice), ``must`` (every must-visit attraction included). ``h`` is the fraction
of *itemised* hard checks met (the per-day constraints counted per day and meal: 4 + 3·days
checks), so one missed dinner costs less than a missed day; ``h = 1`` iff feasible. Soft score
(``SOFT``, each in [0, 1], averaged): preference match, rating and pace. The route distance
ratio (the paper's spatial-efficiency metric) is reported beside it: planned travel distance /
the shortest closed tours through the same stops of each day (exact, by enumeration over all
visiting orders, ≤ 8 stops a day; ``check_plan(route=False)`` skips it).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

import numpy as np

__all__ = ["City", "Query", "Instance", "Plan", "PlanCheck", "HARD", "SOFT", "make_instance",
           "meal_start", "simulate_day", "check_plan", "route_ratio", "shortest_tour"]

HARD = ("budget", "hotel", "meals", "time", "unique", "must")
SOFT = ("preference", "rating", "pace")
N_CATEGORIES = 6


@dataclass(frozen=True)
class City:
    """POIs: ``*_xy`` (n, 2) km; attractions have category, rating, price, duration (h) and an
    opening window (h of day); restaurants price and rating; hotels price per night and class."""

    attr_xy: np.ndarray
    attr_cat: np.ndarray
    attr_rating: np.ndarray
    attr_price: np.ndarray
    attr_dur: np.ndarray
    attr_open: np.ndarray
    attr_close: np.ndarray
    rest_xy: np.ndarray
    rest_price: np.ndarray
    rest_rating: np.ndarray
    hotel_xy: np.ndarray
    hotel_price: np.ndarray
    hotel_class: np.ndarray


@dataclass(frozen=True)
class Query:
    days: int
    budget: float
    must: tuple[int, ...]
    preferred: tuple[int, ...]  # attraction categories
    pace: int  # preferred attractions per day
    min_class: int


@dataclass(frozen=True)
class Instance:
    city: City
    query: Query
    speed_kmh: float = 15.0
    day_start: float = 9.0
    day_end: float = 22.0
    lunch: tuple[float, float] = (11.0, 14.0)
    dinner: tuple[float, float] = (17.0, 20.5)
    meal_hours: float = 1.0


@dataclass
class Plan:
    hotel: int
    days: list[list[tuple[str, int]]] = field(default_factory=list)


@dataclass(frozen=True)
class PlanCheck:
    """Per-constraint results of one plan."""

    hard: dict[str, bool]
    soft: dict[str, float]
    cost: float
    route_ratio: float
    checks: tuple[int, int]  # (met, total) over the itemised hard checks

    @property
    def h(self) -> float:
        """Fraction of itemised hard checks met: budget, hotel, unique, must, and per day
        lunch, dinner and time (4 + 3·days checks); 1 exactly when the plan is feasible."""
        return self.checks[0] / self.checks[1]

    @property
    def feasible(self) -> bool:
        return all(self.hard.values())

    @property
    def soft_score(self) -> float:
        return float(np.mean(list(self.soft.values())))


def make_instance(*, seed: int, days: int = 2, n_attr: int = 40, n_rest: int = 25,
                  n_hotel: int = 10, budget_scale: float = 1.0) -> Instance:
    """A random city and query; the budget is ``budget_scale`` × the cost of a typical trip."""
    if days < 1 or min(n_attr, n_rest, n_hotel) < 1:
        raise ValueError(f"days={days!r}, n_attr={n_attr!r}, n_rest={n_rest!r}, "
                         f"n_hotel={n_hotel!r} are not allowed: expected integers >= 1")
    if budget_scale <= 0:
        raise ValueError(f"budget_scale={budget_scale!r} is not allowed: expected > 0")
    rng = np.random.default_rng(seed)
    centres = rng.uniform(1.5, 8.5, size=(rng.integers(3, 5), 2))

    def place(n):
        c = centres[rng.integers(len(centres), size=n)]
        return np.clip(c + rng.normal(0, 1.0, size=(n, 2)), 0, 10)

    open_ = rng.choice([8.0, 9.0, 10.0], size=n_attr)
    city = City(
        attr_xy=place(n_attr), attr_cat=rng.integers(N_CATEGORIES, size=n_attr),
        attr_rating=np.round(rng.uniform(3.0, 5.0, n_attr), 1),
        attr_price=np.round(rng.gamma(2.0, 15.0, n_attr)),
        attr_dur=rng.choice([1.0, 1.5, 2.0, 2.5], size=n_attr),
        attr_open=open_, attr_close=open_ + rng.choice([6.0, 8.0, 10.0], size=n_attr),
        rest_xy=place(n_rest), rest_price=np.round(rng.gamma(3.0, 10.0, n_rest)),
        rest_rating=np.round(rng.uniform(3.0, 5.0, n_rest), 1),
        hotel_xy=place(n_hotel), hotel_price=np.round(rng.gamma(4.0, 25.0, n_hotel)),
        hotel_class=rng.integers(2, 6, size=n_hotel))
    pace = int(rng.integers(2, 4))
    typical = days * (pace * np.median(city.attr_price) + 2 * np.median(city.rest_price)
                      + np.median(city.hotel_price))
    query = Query(days=days, budget=float(np.round(budget_scale * typical)),
                  must=tuple(int(i) for i in rng.choice(n_attr, rng.integers(1, 3), False)),
                  preferred=tuple(int(c) for c in rng.choice(N_CATEGORIES, 2, False)),
                  pace=pace, min_class=int(rng.integers(2, 5)))
    return Instance(city, query)


def _xy(inst: Instance, stop: tuple[str, int]) -> np.ndarray:
    kind, i = stop
    if kind == "attr":
        return inst.city.attr_xy[i]
    if kind == "rest":
        return inst.city.rest_xy[i]
    raise ValueError(f"stop kind {kind!r} is not allowed: expected 'attr' or 'rest'")


def meal_start(inst: Instance, arrive):
    """When a meal reached at ``arrive`` (h; scalar or array) starts: at the lunch window's
    opening if reached before it, at the dinner window's opening if reached between the windows,
    else on arrival (after the dinner window it is a meal outside both windows). The traveller
    waits for a meal window exactly as ``simulate_day`` waits for an attraction to open; without
    it a plan reaching a restaurant at 16:50 broke the dinner rule the LLM prompt states as
    "dinner (start 17-20.5 h)", and planners learned detours to burn time until 17:00."""
    a = np.asarray(arrive, dtype=float)
    s = np.where(a < inst.lunch[0], inst.lunch[0],
                 np.where((a > inst.lunch[1]) & (a < inst.dinner[0]), inst.dinner[0], a))
    return float(s) if s.ndim == 0 else s


def simulate_day(inst: Instance, hotel: int, stops: list[tuple[str, int]]) -> dict:
    """Walk one day: arrival/start times, the time check, meal slots and the distance (km)."""
    c, pos, t = inst.city, inst.city.hotel_xy[hotel], inst.day_start
    dist, ok_time, lunch, dinner = 0.0, True, 0, 0
    for stop in stops:
        nxt = _xy(inst, stop)
        step = float(np.hypot(*(nxt - pos)))
        dist, t, pos = dist + step, t + step / inst.speed_kmh, nxt
        kind, i = stop
        if kind == "attr":
            t = max(t, float(c.attr_open[i]))  # wait for opening
            t += float(c.attr_dur[i])
            ok_time &= t <= c.attr_close[i]
        else:
            t = meal_start(inst, t)  # wait for the meal window to open
            if inst.lunch[0] <= t <= inst.lunch[1]:
                lunch += 1
            elif inst.dinner[0] <= t <= inst.dinner[1]:
                dinner += 1
            else:
                lunch, dinner = lunch + 9, dinner + 9  # a meal outside both windows
            t += inst.meal_hours
    back = float(np.hypot(*(c.hotel_xy[hotel] - pos)))
    dist, t = dist + back, t + back / inst.speed_kmh
    return dict(distance=dist, end=t, ok_time=bool(ok_time and t <= inst.day_end),
                ok_meals=(lunch == 1 and dinner == 1), ok_lunch=lunch == 1,
                ok_dinner=dinner == 1)


def shortest_tour(points: np.ndarray, start: np.ndarray) -> float:
    """Length of the shortest closed tour from ``start`` through all ``points`` (exact)."""
    n = len(points)
    if n == 0:
        return 0.0
    if n > 8:
        raise ValueError(f"{n} stops in a day is not allowed for the exact tour: expected <= 8")
    pts = np.vstack([start, points])
    d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
    orders = _orders(n)  # (n!, n + 2): 0, permutation of 1..n, 0
    return float(d[orders[:, :-1], orders[:, 1:]].sum(1).min())


@functools.lru_cache(maxsize=8)
def _orders(n: int) -> np.ndarray:
    perms = np.array(list(itertools.permutations(range(1, n + 1))), dtype=np.int64)
    zero = np.zeros((len(perms), 1), dtype=np.int64)
    return np.hstack([zero, perms, zero])


def route_ratio(inst: Instance, plan: Plan) -> float:
    """Planned distance / shortest tours through the same stops of each day (≥ 1)."""
    planned = optimal = 0.0
    for stops in plan.days:
        planned += simulate_day(inst, plan.hotel, stops)["distance"]
        pts = np.array([_xy(inst, s) for s in stops]).reshape(-1, 2)
        optimal += shortest_tour(pts, inst.city.hotel_xy[plan.hotel])
    return planned / optimal if optimal > 0 else 1.0


def check_plan(inst: Instance, plan: Plan, *, route: bool = True) -> PlanCheck:
    """Exact hard and soft checks of one plan (``route=False``: route ratio left as NaN)."""
    c, q = inst.city, inst.query
    if len(plan.days) != q.days:
        raise ValueError(f"plan has {len(plan.days)} days, the query asks for {q.days}")
    sims = [simulate_day(inst, plan.hotel, s) for s in plan.days]
    stops = [s for day in plan.days for s in day]
    attrs = [i for k, i in stops if k == "attr"]
    rests = [i for k, i in stops if k == "rest"]
    cost = (float(c.attr_price[attrs].sum()) + float(c.rest_price[rests].sum())
            + q.days * float(c.hotel_price[plan.hotel]))
    hard = {"budget": cost <= q.budget, "hotel": bool(c.hotel_class[plan.hotel] >= q.min_class),
            "meals": all(s["ok_meals"] for s in sims), "time": all(s["ok_time"] for s in sims),
            "unique": len(set(stops)) == len(stops), "must": set(q.must) <= set(attrs)}
    ratio = route_ratio(inst, plan) if route else float("nan")
    per_day = len(attrs) / q.days
    soft = {"preference": float(np.mean(np.isin(c.attr_cat[attrs], q.preferred))) if attrs
            else 0.0,
            "rating": float((np.mean(c.attr_rating[attrs]) - 3.0) / 2.0) if attrs else 0.0,
            "pace": float(max(0.0, 1.0 - abs(per_day - q.pace) / 2.0))}
    met = (sum(hard[k] for k in ("budget", "hotel", "unique", "must"))
           + sum(x["ok_lunch"] + x["ok_dinner"] + x["ok_time"] for x in sims))
    return PlanCheck({k: bool(v) for k, v in hard.items()}, soft, cost, ratio,
                     (int(met), 4 + 3 * q.days))
