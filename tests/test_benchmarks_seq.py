"""Sequence-model benchmarks keep running: each is run once at a tiny size and must report
its ratio and the agreement of the two paths."""

import subprocess
import sys

from conftest import ROOT


def test_gla_chunkwise_benchmark_runs_and_reports_a_ratio():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_gla_chunkwise.py"),
                          "--lengths", "64", "128", "--d-head", "16", "--chunk", "32",
                          "--repeats", "1", "--target", "0"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "speed-up at T=128" in out and "max |diff|" in out and "PASS" in out


def test_gam_scaling_benchmark_runs_and_reports_slopes():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_gam_scaling.py"),
                          "--lengths", "32", "64", "--d-model", "16", "--batch", "1",
                          "--repeats", "1", "--mem-slots", "8"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "time slope" in out and "memory slope" in out and "time ratio" in out


def test_gla_gpu_benchmark_runs_small_on_cpu():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_gla_gpu.py"),
                          "--device", "cpu", "--lengths", "64", "--batch", "1", "--heads", "2",
                          "--d-head", "16", "--chunk", "32", "--dtype", "float32",
                          "--repeats", "1"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "replib/sdpa" in out and "rel |diff| vs fla" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("64 "))
    assert "x" in row  # the SDPA ratio was measured
