"""Tiny invocation of the CLAM benchmark (it runs and prints both ratios)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_clam_benchmark_runs_and_reports_ratios():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_clam.py"),
                          "--n-envs", "8", "--steps", "3", "--pz-steps", "30", "--crops", "8",
                          "--d-model", "16"],
                         capture_output=True, text=True, check=True, timeout=120)
    assert "ratio batched/loop" in out.stdout and "ratio padded/loop" in out.stdout
