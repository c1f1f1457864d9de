"""Tiny invocation of the Core War MARS benchmark (it runs and prints a ratio)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_corewar_benchmark_runs_and_reports_a_ratio():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_corewar.py"),
                          "--battles", "4", "--cycles", "20"],
                         capture_output=True, text=True, check=True, timeout=120)
    assert "ratio batched/one-at-a-time" in out.stdout
    assert "results identical: True" in out.stdout
