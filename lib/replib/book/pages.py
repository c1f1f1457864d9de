"""Generated book pages: the scorecard of every claim and the status of the build.

Both are written from the records the chapters left (``<slug>.verdicts.json``,
``<slug>.metrics.json``) and the runner's ``run_report.json``, never typed by hand.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterable
from pathlib import Path

from replib.book.verdict import badge

__all__ = ["scorecard_markdown", "status_markdown"]

_OUTCOMES = ("reproduced", "not reproduced at this scale", "inconclusive")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _load(metrics_dir: Path, slug: str, kind: str) -> dict | None:
    f = metrics_dir / f"{slug}.{kind}.json"
    return json.loads(f.read_text()) if f.exists() else None


def scorecard_markdown(slugs: Iterable[str], metrics_dir: Path) -> str:
    """The scorecard page: one row per claim, linked to its chapter."""
    rows, counts, missing, profile = [], {k: 0 for k in _OUTCOMES}, [], "ci"
    for slug in slugs:
        rec = _load(metrics_dir, slug, "verdicts")
        if rec is None:
            missing.append(slug)
            continue
        profile = rec["provenance"]["profile"]
        for c in rec["claims"]:
            counts[c["verdict"]] += 1
            ours = f"{c['ours']} {c.get('unit', '')}".strip()
            note = f"<br><small>note: {_cell(c['note'])}</small>" if c.get("note") else ""
            rows.append(f"| [{slug}](chapters/{slug}.ipynb) | **{_cell(c['id'])}** "
                        f"{_cell(c['statement'])}<br><small>rule: {_cell(c['rule'])}</small>"
                        f"{note} | "
                        f"{_cell(ours)} | {_cell(c['paper'])}<br><small>{_cell(c['where'])}"
                        f"</small> | {badge(c['verdict'])}<br><small>{_cell(c['reason'])}"
                        f"</small> |")
    total = sum(counts.values())
    lines = [
        "# Scorecard",
        "",
        "Every claim of every chapter, checked by the chapter's own numbers at the scale "
        f"it ran (the `{profile}` profile for this build). *Ours* is the mean over seeds "
        "± the half-width of its 95% confidence interval, with n the number of seeds. "
        "A claim is *reproduced* when the whole interval satisfies the rule, *not "
        "reproduced at this scale* when the whole interval violates it, and *inconclusive* "
        "otherwise. Generated from the chapters' `verdicts.json` records.",
        "",
        f"**{total} claims:** {counts['reproduced']} reproduced · "
        f"{counts['not reproduced at this scale']} not reproduced at this scale · "
        f"{counts['inconclusive']} inconclusive.",
        "",
        "| chapter | claim and rule | ours (mean ± CI, n) | paper (where) | verdict |",
        "|---|---|---|---|---|",
        *rows,
    ]
    if missing:
        lines += ["", f"No verdicts recorded for: {', '.join(missing)} (chapter not executed)."]
    return "\n".join(lines) + "\n"


def status_markdown(slugs: Iterable[str], metrics_dir: Path, report: dict | None) -> str:
    """The status page: per-chapter run times, memory, verdict counts, and the environment."""
    chapters = (report or {}).get("chapters", {})
    lines = ["# Build status", "",
             "How the chapters of this build ran: wall time of the whole notebook (kernel start "
             "to end, as measured by the runner) against the profile's budget, peak memory of "
             "the kernel, and verdict counts (R reproduced / NR not reproduced at this scale / "
             "I inconclusive).", "",
             "| chapter | profile | status | wall (s) | budget (s) | peak memory (MB) | "
             "R / NR / I | device |",
             "|---|---|---|---|---|---|---|---|"]
    env = None
    for slug in slugs:
        r = chapters.get(slug, {})
        m = _load(metrics_dir, slug, "metrics")
        prov = m["provenance"] if m else {}
        env = env or prov.get("packages")
        v = r.get("verdicts")
        vs = f"{v['R']} / {v['NR']} / {v['I']}" if v else "–"
        status = "ok" if r.get("ok") else (f"FAIL: {r.get('error', '')}" if r else "not run")
        mem = f"{r['peak_rss_mb']:.0f}" if r.get("peak_rss_mb") else "–"
        rep = report or {}
        lines.append(f"| [{slug}](chapters/{slug}.ipynb) | {rep.get('profile', '–')} | "
                     f"{_cell(status)} | {r.get('wall_s', '–')} | {rep.get('budget_s', '–')} | "
                     f"{mem} | {vs} | {_cell(prov.get('device', '–'))} |")
    if report:
        lines += ["", f"Runner: {report.get('jobs')} parallel job(s) × {report.get('threads')} "
                      f"thread(s) on {report.get('cores')} core(s); last run took "
                      f"{report.get('last_total_wall_s')} s in all; commit "
                      f"`{str(report.get('git_commit', ''))[:12]}`."]
    lines += ["", "## Environment", "", f"- platform: {platform.platform()}",
              f"- machine: {platform.machine()}, {platform.processor() or 'cpu'}"]
    for k, val in (env or {}).items():
        lines.append(f"- {k}: {val}")
    return "\n".join(lines) + "\n"
