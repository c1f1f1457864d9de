"""Record or check a chapter's expected metrics (the regression baseline).

    python scripts/expected.py record rtb [--profile ci]   # deliberate; never run by CI
    python scripts/expected.py check [rtb ...]             # exit 1 naming each drift
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
from replib.book.regression import compare, expected_from_records, load_records  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("action", choices=["record", "check"])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--profile", default="ci")
    ap.add_argument("--metrics", type=Path, default=ROOT / "build" / "metrics")
    ap.add_argument("--expected", type=Path, default=ROOT / "data" / "expected")
    a = ap.parse_args(argv)
    if a.action == "record":
        if not a.names:
            ap.error("name the chapter(s) to re-record: `make expected NAME=rtb`")
        for slug in a.names:
            metrics, verdicts = load_records(a.metrics, slug)
            exp = expected_from_records(metrics, verdicts)
            if exp["profile"] != a.profile:
                ap.error(f"{slug}: the records are from profile {exp['profile']!r}, not "
                         f"{a.profile!r}; run the chapter at {a.profile!r} first")
            a.expected.mkdir(parents=True, exist_ok=True)
            out = a.expected / f"{slug}.{a.profile}.json"
            out.write_text(json.dumps(exp, indent=2) + "\n")
            print(f"recorded {len(exp['metrics'])} metrics and {len(exp['verdicts'])} verdicts "
                  f"-> {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
        return 0
    files = sorted(a.expected.glob(f"*.{a.profile}.json"))
    if a.names:
        files = [a.expected / f"{n}.{a.profile}.json" for n in a.names]
    problems = []
    for f in files:
        if not f.exists():
            problems.append(f"{f.stem}: no expected values at {f}")
            continue
        exp = json.loads(f.read_text())
        try:
            metrics, verdicts = load_records(a.metrics, exp["slug"])
        except FileNotFoundError as e:
            problems.append(str(e))
            continue
        problems += compare(exp, metrics, verdicts)
    for p in problems:
        print(p)
    print(f"{len(files)} chapter(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
