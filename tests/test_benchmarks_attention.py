"""Tiny invocation of the attention benchmarks (they run and print a ratio)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mha_benchmark_runs_and_reports_a_ratio():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_mha.py"),
                          "--lengths", "16", "32", "--batch", "2", "--d-model", "16",
                          "--heads", "2", "--repeats", "1"],
                         capture_output=True, text=True, check=True, timeout=120)
    assert "ratio explicit/sdpa" in out.stdout
