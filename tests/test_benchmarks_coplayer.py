"""The IPD env benchmark keeps running at a tiny size and reports its ratio."""

import subprocess
import sys

from conftest import ROOT


def test_ipd_env_benchmark_reports_a_ratio():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_ipd_env.py"),
                          "--n-envs", "16", "--steps", "5", "--pz-steps", "20"],
                         capture_output=True, text=True, timeout=180, check=True).stdout
    assert "speed-up" in out and "PettingZoo" in out
