"""The runner and the regression check on fixture chapters that must fail.

Fixtures (tests/harness/fixtures): ``ok`` records a metric and three claims (one must come
out reproduced, one not reproduced, one inconclusive); ``raises`` raises; ``slow`` sleeps
past its budget. ``expected/ok.ci.json`` holds ok's expected metric (42 at scale 1).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "harness" / "fixtures"
pytestmark = pytest.mark.slow


def runner(tmp, *args):
    cmd = [sys.executable, str(ROOT / "scripts" / "run_chapters.py"), "--chapters-dir", str(FIX),
           "--out", str(tmp / "out"), "--metrics", str(tmp / "m"), "--report",
           str(tmp / "report.json"), "--no-cache", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def check(tmp):
    cmd = [sys.executable, str(ROOT / "scripts" / "expected.py"), "check", "ok",
           "--metrics", str(tmp / "m"), "--expected", str(FIX / "expected")]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def all_three(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    proc = runner(tmp, "--jobs", "3", "--budget-s", "45")  # roomy: a loaded machine
    return tmp, proc, json.loads((tmp / "report.json").read_text())


def test_a_failing_chapter_fails_the_run_but_the_others_still_run(all_three):
    tmp, proc, report = all_three
    assert proc.returncode == 1
    ch = report["chapters"]
    assert ch["ok"]["ok"] and ch["ok"]["verdicts"] == {"R": 1, "NR": 1, "I": 1}
    assert (tmp / "out" / "ok.ipynb").exists()


def test_a_chapter_that_raises_is_reported_in_one_line(all_three):
    _, proc, report = all_three
    assert report["chapters"]["raises"]["error"] == "ValueError: boom on purpose (cell 3)"
    assert "FAIL raises" in proc.stdout and "ValueError: boom on purpose" in proc.stdout


def test_a_chapter_past_its_budget_is_killed_and_reported(all_three):
    _, proc, report = all_three
    r = report["chapters"]["slow"]
    assert not r["ok"] and r["error"] == "exceeded the ci budget of 45 s (killed)"
    assert r["wall_s"] < 90


def test_the_ok_chapter_matches_its_expected_values(all_three):
    tmp, _, _ = all_three
    proc = check(tmp)
    assert proc.returncode == 0, proc.stdout


def test_a_metric_that_drifts_past_tolerance_is_named_with_both_values(tmp_path):
    proc = runner(tmp_path, "--only", "ok", "-p", "scale", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = check(tmp_path)
    assert out.returncode == 1
    assert "ok: metric 'answer' = 84, expected 42 ± 4.2e-05" in out.stdout
    assert "run with parameters" in out.stdout  # and says the parameters differ


def test_parameter_overrides_are_checked_and_honoured(tmp_path):
    proc = runner(tmp_path, "--only", "ok", "-p", "scle", "2")
    assert proc.returncode == 1
    assert "unknown parameter(s) ['scle']; this chapter's parameters are" in proc.stdout
    proc = runner(tmp_path, "--only", "ok", "-p", "scale", "-1")
    assert proc.returncode == 1
    assert ("ParameterError: parameter scale=-1 is not allowed: expected a positive number"
            in proc.stdout)
    proc = runner(tmp_path, "--only", "ok", "-p", "seeds", "[41, 42]")
    assert proc.returncode == 0
    prov = json.loads((tmp_path / "m" / "ok.metrics.json").read_text())["provenance"]
    assert prov["seeds"] == [41, 42]


def test_unknown_chapter_or_profile_is_a_usage_error(tmp_path):
    proc = runner(tmp_path, "--only", "nope")
    assert proc.returncode == 2 and "unknown chapter(s) ['nope']" in proc.stderr
    proc = runner(tmp_path, "--profile", "fast")
    assert proc.returncode == 2 and "unknown profile 'fast'" in proc.stderr


def test_ci_runs_with_pinned_cpu_numerics_unless_asked_not_to(all_three, tmp_path):
    tmp, _, _ = all_three
    prov = json.loads((tmp / "m" / "ok.metrics.json").read_text())["provenance"]
    assert prov["numerics"] == "pinned" and prov["cpu"]
    proc = runner(tmp_path, "--only", "ok", "--native-numerics")
    assert proc.returncode == 0 and "native CPU numerics" in proc.stdout
    prov = json.loads((tmp_path / "m" / "ok.metrics.json").read_text())["provenance"]
    assert prov["numerics"] == "native"
