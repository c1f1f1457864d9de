"""Benchmarks are not timed tests, but they must keep running: each is run once at a tiny
size and must report its ratio (and, for equivalence benchmarks, agreement)."""

import subprocess
import sys

from conftest import ROOT


def test_rtb_dp_benchmark_runs_and_reports_a_ratio():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_rtb_dp.py"),
                          "--horizon", "8", "--budget", "60", "--delta-max", "10"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "speed-up" in out and "max |diff|" in out
