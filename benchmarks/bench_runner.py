"""The runner's two budgets (issue: "Run the book beyond one machine"), measured in one run.

1. A no-change ``make book``: the chapter step with the cache, then the book build.
   Budget: <= 60 s on 2 cores. Populate the cache first with ``make book``; the script says
   how many chapters actually came from the cache.
2. Ray overhead: two fixture chapters through the local executor and through a local Ray
   instance. Budget: Ray <= local + 20 s. Prints both and the ratio.

    python benchmarks/bench_runner.py [--skip-book] [--skip-ray]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "harness" / "fixtures"


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - t0, proc


def no_change_book() -> None:
    report = Path(tempfile.mkdtemp()) / "report.json"
    t_run, proc = timed([sys.executable, str(ROOT / "scripts" / "run_chapters.py"),
                         "--profile", "ci", "--report", str(report)])
    if proc.returncode:
        print(proc.stdout[-2000:], proc.stderr[-2000:])
        raise SystemExit("the chapter step failed")
    rows = json.loads(report.read_text())["chapters"]
    cached = sum(r.get("run") == "cached" for r in rows.values())
    t_book, proc = timed([sys.executable, str(ROOT / "scripts" / "build_book.py")])
    if proc.returncode:
        raise SystemExit("the book build failed: " + proc.stdout[-1000:])
    total = t_run + t_book
    print(f"no-change make book: chapters {t_run:.1f} s ({cached}/{len(rows)} from the cache) "
          f"+ book build {t_book:.1f} s = {total:.1f} s (budget 60 s)")
    if cached < len(rows):
        print("  note: not every chapter was cached; run `make book` once, then re-run this")


def ray_overhead() -> None:
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        walls = {}
        for executor in ("local", "ray"):
            cmd = [sys.executable, str(ROOT / "scripts" / "run_chapters.py"),
                   "--chapters-dir", str(FIX), "--only", "ok", "--only", "raises",
                   "--out", str(tmp / executor / "out"), "--metrics", str(tmp / executor / "m"),
                   "--report", str(tmp / executor / "r.json"), "--no-cache", "--jobs", "2",
                   "--executor", executor]
            walls[executor], _ = timed(cmd)
    over = walls["ray"] - walls["local"]
    print(f"two chapters: local executor {walls['local']:.1f} s, local Ray {walls['ray']:.1f} s "
          f"-> Ray overhead {over:+.1f} s, ratio {walls['ray'] / walls['local']:.2f}x "
          f"(budget +20 s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--skip-book", action="store_true")
    ap.add_argument("--skip-ray", action="store_true")
    a = ap.parse_args()
    if not a.skip_book:
        no_change_book()
    if not a.skip_ray:
        ray_overhead()


if __name__ == "__main__":
    main()
