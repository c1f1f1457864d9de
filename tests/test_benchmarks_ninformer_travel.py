"""Tiny invocations of the ninformer and tourplanner benchmarks (they run and print a ratio)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_fit_seeds_benchmark_runs_and_reports_a_ratio():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_vit_fit_seeds.py"),
                          "--seeds", "2", "--epochs", "1", "--d-model", "8", "--n-train", "64"],
                         capture_output=True, text=True, check=True, timeout=120)
    assert "ratio loop/vmap" in out.stdout


def test_travel_rollout_benchmark_runs_and_plans_agree():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_travel_rollout.py"),
                          "--instances", "3", "--samples", "2", "--repeats", "1"],
                         capture_output=True, text=True, check=True, timeout=120)
    assert "ratio batched/per-instance" in out.stdout and "identical plans: True" in out.stdout
