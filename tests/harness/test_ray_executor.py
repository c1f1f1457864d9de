"""The Ray executor: same results as the local executor, a lost worker retried once, and a
worker with a different library refused.

``make test`` installs Ray (the ``cluster`` extra) and sets ``GG_REQUIRE_RAY=1``, so these
tests run there; elsewhere they skip when Ray is absent.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "harness" / "fixtures"
sys.path.insert(0, str(ROOT / "scripts"))

pytestmark = pytest.mark.slow
if os.environ.get("GG_REQUIRE_RAY") != "1":
    pytest.importorskip("ray")

KILL_MY_WORKER_ONCE = '''import os, pathlib, psutil
marker = pathlib.Path(os.environ["GG_TEST_MARKER"])
if not marker.exists():
    marker.write_text("the first attempt killed its Ray worker")
    p = psutil.Process()
    while p is not None and not " ".join(p.cmdline()).startswith("ray::"):
        p = p.parent()
    p.kill()'''


def _copy_fixture(dst: Path, slug: str, extra: str = "") -> None:
    """fixtures/ok.ipynb under another slug (its records are named after the slug)."""
    nb = nbformat.read(FIX / "ok.ipynb", as_version=4)
    for c in nb.cells:
        c.source = c.source.replace('setup("ok"', f'setup("{slug}"')
    if extra:
        nb.cells.insert(2, nbformat.v4.new_code_cell(extra))
    nbformat.write(nb, dst / f"{slug}.ipynb")


def run(tmp: Path, tag: str, *extra: str) -> tuple[subprocess.CompletedProcess, dict, float]:
    cmd = [sys.executable, str(ROOT / "scripts" / "run_chapters.py"),
           "--chapters-dir", str(tmp / "chapters"), "--out", str(tmp / tag / "out"),
           "--metrics", str(tmp / tag / "m"), "--report", str(tmp / tag / "report.json"),
           "--no-cache", "--budget-s", "120", "--jobs", "2", *extra]
    env = dict(os.environ, OMP_NUM_THREADS="1", GG_TEST_MARKER=str(tmp / "marker"))
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=400, env=env)
    wall = time.perf_counter() - t0
    report = json.loads((tmp / tag / "report.json").read_text())["chapters"]
    return proc, report, wall


def _metrics(tmp: Path, tag: str, slug: str) -> dict:
    return json.loads((tmp / tag / "m" / f"{slug}.metrics.json").read_text())["metrics"]


def _verdicts(tmp: Path, tag: str, slug: str) -> list:
    claims = json.loads((tmp / tag / "m" / f"{slug}.verdicts.json").read_text())["claims"]
    return [(c["id"], c["verdict"]) for c in claims]


def test_two_chapters_on_local_ray_equal_the_local_executor(tmp_path):
    (tmp_path / "chapters").mkdir()
    for slug in ("alpha", "beta"):
        _copy_fixture(tmp_path / "chapters", slug)
    local, rep_l, wall_l = run(tmp_path, "local")
    ray, rep_r, wall_r = run(tmp_path, "ray", "--executor", "ray")
    print(f"two chapters: local executor {wall_l:.1f} s, local Ray {wall_r:.1f} s, "
          f"Ray overhead {wall_r - wall_l:+.1f} s (budget +20 s)")
    assert local.returncode == 0 and ray.returncode == 0, ray.stdout + ray.stderr
    for slug in ("alpha", "beta"):
        assert rep_r[slug]["ok"] and rep_r[slug]["worker"]
        assert _metrics(tmp_path, "ray", slug) == _metrics(tmp_path, "local", slug)
        assert _verdicts(tmp_path, "ray", slug) == _verdicts(tmp_path, "local", slug)
        assert (tmp_path / "ray" / "out" / f"{slug}.ipynb").exists()
        assert rep_r[slug]["imports"] == rep_l[slug]["imports"]


def test_a_lost_worker_is_retried_once_and_a_failing_chapter_is_reported(tmp_path):
    (tmp_path / "chapters").mkdir()
    _copy_fixture(tmp_path / "chapters", "phoenix", KILL_MY_WORKER_ONCE)
    nbformat.write(nbformat.read(FIX / "raises.ipynb", as_version=4),
                   tmp_path / "chapters" / "raises.ipynb")
    proc, rep, _ = run(tmp_path, "ray", "--executor", "ray")
    assert (tmp_path / "marker").exists(), "the first attempt ran and killed its worker"
    assert rep["phoenix"]["ok"], rep["phoenix"]
    assert rep["raises"]["error"] == "ValueError: boom on purpose (cell 3)"
    assert proc.returncode == 1 and "FAIL raises" in proc.stdout


def test_a_worker_with_another_library_is_refused():
    import ray_executor

    fp = ray_executor.lib_fingerprint(ROOT)
    assert fp == ray_executor.lib_fingerprint(ROOT)
    out = ray_executor.chapter_task("ok", "tests/harness/fixtures/ok.ipynb", {"profile": "ci"},
                                    1, 60, {}, "ci", str(ROOT),
                                    {"hash": "0" * 64, "commit": "abc1234"})
    row = out["row"]
    assert not row["ok"] and "different lib" in row["error"] and "abc1234" in row["error"]
    assert out["files"] == {}
