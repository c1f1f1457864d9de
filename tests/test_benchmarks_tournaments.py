"""Tournament benchmarks keep running: each once at a tiny size, reporting its ratio."""

import subprocess
import sys

from conftest import ROOT


def test_swiss_benchmark_runs_and_reports_a_ratio():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_swiss.py"),
                          "--models", "8", "--datasets", "6", "--rounds", "3", "--sims",
                          "500", "--loop-sims", "100"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "speed-up" in out and "max |z|" in out


def test_bt_benchmark_runs_and_reports_a_ratio():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_bt.py"),
                          "--players", "4", "--matches", "50", "--arenas", "5"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "speed-up" in out and "max |diff|" in out
