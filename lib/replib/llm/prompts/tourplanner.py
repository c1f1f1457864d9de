"""Prompts for tourplanner's LLM half: render a procedural travel instance as text, ask persona
planners for a JSON plan, ask peers to score plans, and parse replies back into a ``Plan``.

TourPlanner (Wang et al., 2026, arXiv 2601.04698) runs several specialised planner agents
(CCoT, "competitive consensus chain-of-thought") on a compact candidate set, scores the
proposals with a shared rubric and merges them. The paper's prompts are not public; these are
written here from its description. Plans follow ``replib.envs.travel``'s schema, so the same
exact checkers judge LLM plans and the offline policies' plans.
"""

from __future__ import annotations

from replib.envs.travel import Instance, Plan
from replib.llm.backend import parse_json_object

__all__ = ["PERSONAS", "SYSTEM", "render_instance", "plan_prompt", "score_prompt",
           "parse_plan", "parse_score"]

SYSTEM = ("You are a meticulous travel planner. Every plan must respect the hard constraints "
          "exactly; among feasible plans prefer the traveller's soft preferences.")

PERSONAS = {
    "route": "You care most about short, compact daily routes with little back-tracking.",
    "budget": "You care most about staying well inside the budget and on cheap good options.",
    "experience": "You care most about highly rated attractions in the preferred categories.",
}


def render_instance(inst: Instance) -> str:
    """The query and the candidate POIs as plain-text tables (coordinates in km)."""
    c, q = inst.city, inst.query
    lines = [f"Trip: {q.days} days, total budget {q.budget:.0f} (tickets + meals + hotel "
             f"nights). Must visit attractions {list(q.must)}. Preferred categories "
             f"{list(q.preferred)}. Preferred pace {q.pace} attractions per day. Hotel class "
             f">= {q.min_class}.",
             f"Each day starts at the hotel at {inst.day_start:g}:00 and must end back there "
             f"by {inst.day_end:g}:00; travel speed {inst.speed_kmh:g} km/h. Exactly one lunch "
             f"(start {inst.lunch[0]:g}-{inst.lunch[1]:g} h) and one dinner (start "
             f"{inst.dinner[0]:g}-{inst.dinner[1]:g} h) per day, {inst.meal_hours:g} h each; "
             "reaching a restaurant early, you wait for the window. No place twice.",
             "Attractions: id | x | y | category | rating | price | hours | open-close"]
    for i in range(len(c.attr_xy)):
        lines.append(f"A{i} | {c.attr_xy[i, 0]:.1f} | {c.attr_xy[i, 1]:.1f} | {c.attr_cat[i]} | "
                     f"{c.attr_rating[i]:.1f} | {c.attr_price[i]:.0f} | {c.attr_dur[i]:g} | "
                     f"{c.attr_open[i]:g}-{c.attr_close[i]:g}")
    lines.append("Restaurants: id | x | y | rating | price")
    for j in range(len(c.rest_xy)):
        lines.append(f"R{j} | {c.rest_xy[j, 0]:.1f} | {c.rest_xy[j, 1]:.1f} | "
                     f"{c.rest_rating[j]:.1f} | {c.rest_price[j]:.0f}")
    lines.append("Hotels: id | x | y | class | price per night")
    for k in range(len(c.hotel_xy)):
        lines.append(f"H{k} | {c.hotel_xy[k, 0]:.1f} | {c.hotel_xy[k, 1]:.1f} | "
                     f"{c.hotel_class[k]} | {c.hotel_price[k]:.0f}")
    return "\n".join(lines)


_SCHEMA = ('Answer with JSON only: {"hotel": "H3", "days": [["A5", "R2", "A7", "R9"], ...]} '
           "with one list of stops per day in visiting order.")


def plan_prompt(inst: Instance, *, persona: str) -> list[dict]:
    """Chat messages asking one persona planner for a plan."""
    if persona not in PERSONAS:
        raise ValueError(f"persona={persona!r} is not allowed: expected one of {list(PERSONAS)}")
    return [{"role": "system", "content": SYSTEM + " " + PERSONAS[persona]},
            {"role": "user", "content": render_instance(inst) + "\n\n" + _SCHEMA}]


def score_prompt(inst: Instance, plan: Plan) -> list[dict]:
    """Chat messages asking a peer to score a plan 0-10 with the shared rubric."""
    text = {"hotel": f"H{plan.hotel}",
            "days": [[("A" if k == "attr" else "R") + str(i) for k, i in d] for d in plan.days]}
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": render_instance(inst) + "\n\nPlan: " + str(text)
             + "\n\nScore it from 0 to 10: hard constraints first (any violation: at most 3), "
               'then preferences, ratings and route compactness. Answer JSON {"score": 7}.'}]


def parse_plan(text: str, inst: Instance) -> Plan | None:
    """The plan in a reply, or ``None`` when it is unparseable or names unknown ids."""
    obj = parse_json_object(text)
    if not isinstance(obj, dict) or "hotel" not in obj or "days" not in obj:
        return None
    c = inst.city
    limits = {"A": len(c.attr_xy), "R": len(c.rest_xy), "H": len(c.hotel_xy)}

    def ident(tok, kinds):
        tok = str(tok).strip().upper()
        if len(tok) < 2 or tok[0] not in kinds or not tok[1:].isdigit():
            return None
        i = int(tok[1:])
        return (tok[0], i) if i < limits[tok[0]] else None

    hotel = ident(obj["hotel"], "H")
    days = obj["days"]
    if hotel is None or not isinstance(days, list) or len(days) != inst.query.days:
        return None
    out = []
    for day in days:
        if not isinstance(day, list):
            return None
        stops = [ident(t, "AR") for t in day]
        if any(s is None for s in stops):
            return None
        out.append([("attr" if k == "A" else "rest", i) for k, i in stops])
    return Plan(hotel[1], out)


def parse_score(text: str) -> float | None:
    """The 0-10 score in a peer's reply, or ``None``."""
    obj = parse_json_object(text)
    if isinstance(obj, dict) and isinstance(obj.get("score"), (int, float)):
        s = float(obj["score"])
        return s if 0.0 <= s <= 10.0 else None
    return None
