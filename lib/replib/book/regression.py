"""The golden-metrics regression suite (anchors §(b)3), separate from verdicts.

``data/expected/<slug>.<profile>.json`` stores each recorded metric's value with the
tolerance it may drift by, and each claim's expected verdict. :func:`compare` names
every metric that drifted (with both values), went missing or is new, and every verdict
that changed. Re-recording is a deliberate command (``make expected NAME=...``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["expected_from_records", "compare", "load_records"]


def load_records(metrics_dir: Path, slug: str) -> tuple[dict, dict]:
    """The (metrics.json, verdicts.json) a chapter run wrote; a missing file is an error."""
    files = [metrics_dir / f"{slug}.metrics.json", metrics_dir / f"{slug}.verdicts.json"]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise FileNotFoundError(f"{slug}: no records at {missing}; execute the chapter first "
                                "(python scripts/run_chapters.py --only " + slug + ")")
    return json.loads(files[0].read_text()), json.loads(files[1].read_text())


def expected_from_records(metrics: Mapping[str, Any], verdicts: Mapping[str, Any]) -> dict:
    """Build the expected-values file content from one run's records."""
    prov = metrics["provenance"]
    return {
        "slug": prov["slug"],
        "profile": prov["profile"],
        "recorded_from": {k: prov[k] for k in ("git_commit", "replib_version", "device",
                                               "cpu", "numerics", "utc", "seeds", "params")
                          if k in prov},
        "metrics": metrics["metrics"],
        "verdicts": {c["id"]: c["verdict"] for c in verdicts["claims"]},
    }


def _close(value: float, expected: Mapping[str, float]) -> bool:
    return math.isclose(value, expected["value"], rel_tol=expected["rtol"],
                        abs_tol=expected["atol"])


def compare(expected: Mapping[str, Any], metrics: Mapping[str, Any],
            verdicts: Mapping[str, Any]) -> list[str]:
    """Every difference between a run and its expected values, one line each."""
    slug = expected["slug"]
    problems = []
    prov = metrics["provenance"]
    if prov["profile"] != expected["profile"]:
        problems.append(f"{slug}: records are from profile {prov['profile']!r}, expected "
                        f"values are for {expected['profile']!r}")
        return problems
    if prov["params"] != expected["recorded_from"]["params"]:
        problems.append(f"{slug}: run with parameters {prov['params']} but expected values were "
                        f"recorded with {expected['recorded_from']['params']}")
    want_mode = expected["recorded_from"].get("numerics")
    if want_mode and prov.get("numerics", "native") != want_mode:
        problems.append(f"{slug}: run with {prov.get('numerics', 'native')} CPU numerics, but "
                        f"the expected values were recorded with {want_mode} numerics (run "
                        "chapters through scripts/run_chapters.py; see replib.book.numerics)")
    got = metrics["metrics"]
    for name, exp in expected["metrics"].items():
        if name not in got:
            problems.append(f"{slug}: metric {name!r} was not recorded (expected "
                            f"{exp['value']:.6g})")
        elif not _close(got[name]["value"], exp):
            tol = max(exp["atol"], exp["rtol"] * abs(exp["value"]))
            problems.append(f"{slug}: metric {name!r} = {got[name]['value']:.6g}, expected "
                            f"{exp['value']:.6g} ± {tol:.3g}")
    for name in sorted(set(got) - set(expected["metrics"])):
        problems.append(f"{slug}: metric {name!r} = {got[name]['value']:.6g} is new; "
                        f"re-record with `make expected NAME={slug}`")
    now = {c["id"]: c["verdict"] for c in verdicts["claims"]}
    for cid, v in expected["verdicts"].items():
        if cid not in now:
            problems.append(f"{slug}: claim {cid!r} has no verdict (expected {v!r})")
        elif now[cid] != v:
            problems.append(f"{slug}: claim {cid!r} verdict changed: {now[cid]!r}, expected {v!r}")
    for cid in sorted(set(now) - set(expected["verdicts"])):
        problems.append(f"{slug}: claim {cid!r} is new; re-record with `make expected NAME={slug}`")
    return problems
