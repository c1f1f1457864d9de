"""Build the static book from the executed chapters (papermill already ran them).

    python scripts/build_book.py [--out build/book]

1. checks every chapter in _toc.yml has an executed copy in book/chapters/;
2. writes the generated pages book/scorecard.md and book/status.md from the records;
3. runs Jupyter Book 1 offline with -W (warnings are errors) and --keep-going;
4. prints where to open the book.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
from replib.book.pages import scorecard_markdown, status_markdown  # noqa: E402


def toc_chapters(toc_file: Path) -> list[str]:
    toc = yaml.safe_load(toc_file.read_text())
    files = [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]
    return [f.split("/", 1)[1] for f in files if f.startswith("chapters/")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "book")
    ap.add_argument("--metrics", type=Path, default=ROOT / "build" / "metrics")
    ap.add_argument("--report", type=Path, default=ROOT / "build" / "run_report.json")
    a = ap.parse_args(argv)
    slugs = toc_chapters(ROOT / "_toc.yml")
    missing = [s for s in slugs if not (ROOT / "book" / "chapters" / f"{s}.ipynb").exists()]
    if missing:
        print(f"build_book: no executed copy of {missing} in book/chapters/; run `make "
              "chapters` (python scripts/run_chapters.py --profile ci) first", file=sys.stderr)
        return 2
    if not (ROOT / "book" / "_widgets" / "widgets" / "embed-amd.js").exists():
        print("build_book: widget JS is not vendored; run scripts/vendor_widgets.sh",
              file=sys.stderr)
        return 2
    report = json.loads(a.report.read_text()) if a.report.exists() else None
    (ROOT / "book" / "scorecard.md").write_text(scorecard_markdown(slugs, a.metrics))
    (ROOT / "book" / "status.md").write_text(status_markdown(slugs, a.metrics, report))
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT / "book"), "--config", str(ROOT / "_config.yml"),
           "--toc", str(ROOT / "_toc.yml"), "--path-output", str(a.out), "-W", "--keep-going"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stdout[-6000:], proc.stderr[-6000:], sep="\n", file=sys.stderr)
        print(f"build_book: jupyter-book failed after {took:.1f} s", file=sys.stderr)
        return proc.returncode
    print("\nclaim verdicts (R reproduced, NR not reproduced at this scale, I inconclusive):")
    abbr = {"reproduced": "R", "not reproduced at this scale": "NR", "inconclusive": "I"}
    for slug in slugs:
        f = a.metrics / f"{slug}.verdicts.json"
        claims = json.loads(f.read_text())["claims"] if f.exists() else []
        line = "  ".join(f"{c['id']} {abbr[c['verdict']]}" for c in claims) or "no verdicts"
        print(f"  {slug:<22} {line}")
    index = a.out / "_build" / "html" / "index.html"
    print(f"book built in {took:.1f} s: open {index}  (or `make serve`, then "
          "http://127.0.0.1:8000)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
