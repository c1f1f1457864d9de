"""The LLM chapters' LLM halves, run end to end against a scripted OpenAI-compatible server.

A software test of the chapters' plumbing (backend from parameters or environment, prompts
sent, replies parsed or counted as unparseable, the backend's settings and usage in the
provenance stamp), never a model result: the server answers "J" to everything (a valid choice
in the repeated games, unparseable almost everywhere else). The four chapters whose LLM half
may run at the ci profile are executed; debate and llm-swiss-round gate theirs on the full
profile (ci is offline by design).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fake_llm_server import FakeServer

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

CHAPTERS = {  # slug -> parameters that switch its LLM half on at ci scale
    "repeated-games-llm": [],
    "moloch": ["-p", "llm_anchors", "2", "-p", "llm_samples", "2"],
    "tourplanner": ["-p", "llm_instances", "1"],
    "digital-red-queen": ["-p", "llm", "True"],
}


@pytest.fixture(scope="module")
def llm_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("llm")
    with FakeServer() as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GG_", "OPENAI_"))}
        env.update(GG_LLM_BASE_URL=server.url, GG_LLM_MODEL="fake-7b",
                   GG_LLM_CACHE=str(tmp / "cache"), BOOK_METRICS_DIR=str(tmp / "m"))
        procs = {}
        for slug, params in CHAPTERS.items():
            cmd = [sys.executable, str(ROOT / "scripts" / "run_chapters.py"), "--only", slug,
                   "--out", str(tmp / "out"), "--metrics", str(tmp / "m"), "--report",
                   str(tmp / f"{slug}.report.json"), "--no-cache", "--budget-s", "240",
                   "--cache-dir", str(tmp / "chapter-cache"), *params]
            procs[slug] = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                                         env=env, cwd=ROOT)
        posts = server.posts()
    return tmp, procs, posts


@pytest.mark.parametrize("slug", list(CHAPTERS))
def test_llm_half_runs_and_is_stamped(llm_run, slug):
    tmp, procs, posts = llm_run
    proc = procs[slug]
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    prov = json.loads((tmp / "m" / f"{slug}.metrics.json").read_text())["provenance"]
    llm = prov["extra"]["llm"]
    assert isinstance(llm, dict) and llm["model"] == "fake-7b", llm
    assert llm["usage"]["requests"] > 0
    assert posts, "no request reached the server"
