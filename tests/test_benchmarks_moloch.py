"""The RFT-update benchmark keeps running and its two paths agree (tiny size)."""

import subprocess
import sys

from conftest import ROOT


def test_rft_update_benchmark_runs_and_agrees():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_rft_update.py"),
                          "--n", "16", "--slots", "5", "--steps", "3", "--repeats", "2"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "speed-up" in out
    diff = float(out.rsplit("Adam steps): ", 1)[1].split()[0])
    assert diff < 1e-4
