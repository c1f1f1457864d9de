"""The multi-agent RL benchmarks keep running: each at a tiny size, reporting its ratio."""

import subprocess
import sys

from conftest import ROOT


def _run(*args, timeout=180):
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, check=True).stdout


def test_env_step_benchmark_reports_a_ratio():
    out = _run(ROOT / "benchmarks" / "bench_env_step.py", "--n-envs", "16", "--steps", "5",
               "--pz-steps", "20")
    assert "speed-up" in out and "PettingZoo" in out


def test_ppo_vs_sb3_benchmark_reports_returns_and_ratio():
    out = _run(ROOT / "benchmarks" / "bench_ppo_sb3.py", "--steps", "512", "--n-envs", "2",
               "--eval-episodes", "1")
    assert "replib PPO" in out and "SB3 PPO" in out and "speed-up" in out
