"""Claims as data, and verdicts computed from the chapter's own per-seed numbers.

A :class:`Claim` holds the paper's statement and number (with its table or figure),
the measured quantity and a :class:`Rule`. :func:`check_claims` summarises each
claim's per-seed values (mean and confidence interval, ``stats.bootstrap``) and
returns one of three verdicts:

* ``reproduced``: the whole interval satisfies the rule;
* ``not reproduced at this scale``: the whole interval violates it;
* ``inconclusive``: the interval straddles the rule (or no interval exists).

Count rules (``k_of_n``) are exact counts over seeds and give no "inconclusive". A
verdict can fail: that is a result, never a reason to move a threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from replib.book.record import metrics_dir, provenance, write_json
from replib.book.setup import Run
from replib.stats.bootstrap import Summary, seed_summary

__all__ = ["REPRODUCED", "NOT_REPRODUCED", "INCONCLUSIVE", "Rule", "Claim", "Verdict", "badge",
           "at_least", "at_most", "greater_than", "less_than", "within", "k_of_n",
           "all_of", "check_claims", "verdict_table"]

REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced at this scale"
INCONCLUSIVE = "inconclusive"
_OUTCOMES = (REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE)


@dataclass(frozen=True)
class Rule:
    """What the measured values must satisfy. ``kind`` picks the judgement below."""

    kind: str
    text: str
    lo: float = -np.inf
    hi: float = np.inf
    strict: bool = False
    k: int | None = None
    on_ci: bool = True
    parts: tuple[Rule, ...] = ()

    def __str__(self) -> str:
        return self.text

    def judge(self, values: np.ndarray, s: Summary) -> tuple[str, str]:
        """Return (verdict, one-line reason)."""
        if self.kind == "all":
            results = [p.judge(values, s) for p in self.parts]
            outs = [r[0] for r in results]
            reason = "; ".join(r[1] for r in results)
            if NOT_REPRODUCED in outs:
                return NOT_REPRODUCED, reason
            if all(o == REPRODUCED for o in outs):
                return REPRODUCED, reason
            return INCONCLUSIVE, reason
        if self.kind == "count":
            ok = _inside(values, self.lo, self.hi, self.strict)
            k = values.size if self.k is None else self.k
            got = int(np.count_nonzero(ok))
            out = REPRODUCED if got >= k else NOT_REPRODUCED
            return out, f"{got}/{values.size} seeds satisfy it (need {k})"
        # interval rules
        if not self.on_ci:
            ok = bool(_inside(np.array([s.mean]), self.lo, self.hi, self.strict)[0])
            return (REPRODUCED if ok else NOT_REPRODUCED), f"mean {s.mean:.4g}"
        if not np.isfinite(s.lo):
            return INCONCLUSIVE, f"no interval with n={s.n}"
        lo_in = bool(_inside(np.array([s.lo]), self.lo, self.hi, self.strict)[0])
        hi_in = bool(_inside(np.array([s.hi]), self.lo, self.hi, self.strict)[0])
        ci = f"{int(round(100 * s.ci_level))}% CI [{s.lo:.4g}, {s.hi:.4g}]"
        if lo_in and hi_in:
            return REPRODUCED, f"{ci} inside"
        if _disjoint(s.lo, s.hi, self.lo, self.hi, self.strict):
            return NOT_REPRODUCED, f"{ci} outside"
        return INCONCLUSIVE, f"{ci} straddles the rule"


def _inside(x: np.ndarray, lo: float, hi: float, strict: bool) -> np.ndarray:
    return (x > lo) & (x < hi) if strict else (x >= lo) & (x <= hi)


def _disjoint(a: float, b: float, lo: float, hi: float, strict: bool) -> bool:
    if strict:
        return b <= lo or a >= hi
    return b < lo or a > hi


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def at_least(threshold: float, *, on_ci: bool = True) -> Rule:
    """Mean ≥ threshold (judged on the interval unless ``on_ci=False``)."""
    return Rule("interval", f"mean >= {_fmt(threshold)}", lo=threshold, on_ci=on_ci)


def greater_than(threshold: float, *, on_ci: bool = True) -> Rule:
    """Mean > threshold."""
    return Rule("interval", f"mean > {_fmt(threshold)}", lo=threshold, strict=True, on_ci=on_ci)


def at_most(threshold: float, *, on_ci: bool = True) -> Rule:
    """Mean ≤ threshold."""
    return Rule("interval", f"mean <= {_fmt(threshold)}", hi=threshold, on_ci=on_ci)


def less_than(threshold: float, *, on_ci: bool = True) -> Rule:
    """Mean < threshold."""
    return Rule("interval", f"mean < {_fmt(threshold)}", hi=threshold, strict=True, on_ci=on_ci)


def within(lo: float, hi: float, *, on_ci: bool = True) -> Rule:
    """lo ≤ mean ≤ hi."""
    return Rule("interval", f"{_fmt(lo)} <= mean <= {_fmt(hi)}", lo=lo, hi=hi, on_ci=on_ci)


def k_of_n(*, k: int | None = None, above: float | None = None, below: float | None = None,
           strict: bool = True) -> Rule:
    """At least ``k`` seeds (all when ``k`` is None) have a value above/below a bound."""
    if (above is None) == (below is None):
        raise ValueError("give exactly one of above= or below=")
    op = (">" if strict else ">=") if above is not None else ("<" if strict else "<=")
    bound = above if above is not None else below
    need = "every seed" if k is None else f">= {k} seeds"
    lo, hi = (above, np.inf) if above is not None else (-np.inf, below)
    return Rule("count", f"{need} {op} {_fmt(bound)}", lo=lo, hi=hi, strict=strict, k=k)


def all_of(*rules: Rule) -> Rule:
    """Every part must hold; any part failing fails the claim."""
    return Rule("all", " and ".join(r.text for r in rules), parts=tuple(rules))


@dataclass(frozen=True)
class Claim:
    """One claim of the paper, as data (the scorecard reads these fields)."""

    id: str
    statement: str
    quantity: str
    rule: Rule
    paper: str
    where: str
    unit: str = ""
    note: str = ""  # shown with the claim (e.g. "holds by construction of the simulator")


@dataclass(frozen=True)
class Verdict:
    """A claim's verdict with the numbers it was judged on."""

    claim: Claim
    values: tuple[float, ...]
    summary: Summary
    outcome: str
    reason: str

    def to_dict(self) -> dict:
        c = self.claim
        return {"id": c.id, "statement": c.statement, "quantity": c.quantity,
                "rule": c.rule.text, "paper": c.paper, "where": c.where, "unit": c.unit,
                "note": c.note, "values": list(self.values), "summary": self.summary.to_dict(),
                "ours": self.summary.format(), "verdict": self.outcome, "reason": self.reason}


_BADGE_COLOUR = {REPRODUCED: "#2e7d32", NOT_REPRODUCED: "#c62828", INCONCLUSIVE: "#8d6e00"}


def badge(outcome: str) -> str:
    """A small coloured HTML label for a verdict (renders in any font, unlike emoji)."""
    return (f'<span style="background:{_BADGE_COLOUR[outcome]};color:#fff;padding:0 .35em;'
            f'border-radius:.25em">{outcome}</span>')


def verdict_table(verdicts: Sequence[Verdict]) -> str:
    """Aligned rows: claim | ours (mean ± CI, n) | paper | rule | verdict."""
    head = ("claim", "ours (mean ± CI, n)", "paper", "rule", "verdict")
    rows = [head] + [(v.claim.id, v.summary.format(), v.claim.paper, v.claim.rule.text,
                      v.outcome) for v in verdicts]
    widths = [min(max(len(r[i]) for r in rows), 48) for i in range(len(head))]

    def line(r):
        return " | ".join(str(c)[:48].ljust(w) for c, w in zip(r, widths)).rstrip()

    sep = "-+-".join("-" * w for w in widths)
    return "\n".join([line(rows[0]), sep] + [line(r) for r in rows[1:]])


class VerdictReport(list):
    """The list of verdicts, shown as an aligned table and as Markdown in notebooks."""

    def __str__(self) -> str:
        return verdict_table(self)

    def _repr_markdown_(self) -> str:
        out = ["| claim | ours (mean ± CI, n) | paper (where) | rule | verdict |",
               "|---|---|---|---|---|"]
        for v in self:
            note = f"<br><small>note: {v.claim.note}</small>" if v.claim.note else ""
            out.append(f"| **{v.claim.id}** {v.claim.statement}{note} | {v.summary.format()} "
                       f"{v.claim.unit} | {v.claim.paper} ({v.claim.where}) | {v.claim.rule.text}"
                       f" | {badge(v.outcome)}<br><small>{v.reason}</small> |")
        return "\n".join(out)


def check_claims(run: Run, claims: Sequence[Claim], measured: Mapping[str, Sequence[float]],
                 *, ci_level: float = 0.95, method: str = "t", write: bool = True,
                 echo: bool = True) -> VerdictReport:
    """Judge every claim on its per-seed values, print the table, write ``verdicts.json``.

    ``measured[claim.id]`` holds one value per seed (or per unit for ``method="bootstrap"``).
    """
    ids = [c.id for c in claims]
    if len(set(ids)) != len(ids):
        raise ValueError(f"claim ids must be unique, got {ids}")
    missing = [i for i in ids if i not in measured]
    if missing:
        raise KeyError(f"no measurement for claim(s) {missing}")
    report = VerdictReport()
    for c in claims:
        x = np.asarray(measured[c.id], dtype=np.float64).reshape(-1)
        s = seed_summary(x, ci_level=ci_level, method=method,
                         rng=np.random.default_rng(run.seeds[0]))
        outcome, reason = c.rule.judge(x, s)
        assert outcome in _OUTCOMES
        report.append(Verdict(c, tuple(float(v) for v in x), s, outcome, reason))
    if echo:
        print(verdict_table(report))
    if write:
        write_json(metrics_dir() / f"{run.slug}.verdicts.json",
                   {"provenance": provenance(run), "claims": [v.to_dict() for v in report]})
    return report
