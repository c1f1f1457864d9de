"""Incremental execution: a chapter re-runs exactly when something in its key changed.

Two throw-away chapters import one module each of a throw-away library (``fakelib.a`` and
``fakelib.b``, under ``--lib-root``); the runner records what each imported, so changing
``a.py`` must re-run the first chapter only, and changing nothing must re-run nothing.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import chapter_cache  # noqa: E402

pytestmark = pytest.mark.slow


def _chapter(path: Path, module: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell('profile = "ci"', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(f"import {module}\nvalue = {module}.VALUE\nvalue")]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cache")
    lib = tmp / "lib" / "fakelib"
    lib.mkdir(parents=True)
    (lib / "__init__.py").write_text("")
    (lib / "a.py").write_text("VALUE = 1\n")
    (lib / "b.py").write_text("VALUE = 2\n")
    (tmp / "chapters").mkdir()
    _chapter(tmp / "chapters" / "uses_a.ipynb", "fakelib.a")
    _chapter(tmp / "chapters" / "uses_b.ipynb", "fakelib.b")
    (tmp / "requirements.lock").write_text("numpy==1\n")
    return tmp


def run(tmp: Path, *extra: str) -> dict:
    cmd = [sys.executable, str(ROOT / "scripts" / "run_chapters.py"),
           "--chapters-dir", str(tmp / "chapters"), "--out", str(tmp / "out"),
           "--metrics", str(tmp / "m"), "--report", str(tmp / "report.json"),
           "--cache-dir", str(tmp / "cache"), "--lib-root", str(tmp / "lib"),
           "--lock", str(tmp / "requirements.lock"), "--budget-s", "120", *extra]
    env = dict(os.environ, PYTHONPATH=str(tmp / "lib"), OMP_NUM_THREADS="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = json.loads((tmp / "report.json").read_text())["chapters"]
    return {slug: r["run"] for slug, r in rows.items()}


def test_first_run_executes_and_records_the_imported_modules(project):
    assert run(project) == {"uses_a": "new", "uses_b": "new"}
    meta = json.loads((project / "cache" / "ci" / "uses_a" / "entry.json").read_text())
    assert "fakelib/a.py" in meta["imports"] and "fakelib/b.py" not in meta["imports"]


def test_nothing_changed_nothing_reruns_and_outputs_are_restored(project):
    (project / "out" / "uses_a.ipynb").unlink()
    assert run(project) == {"uses_a": "cached", "uses_b": "cached"}
    executed = nbformat.read(project / "out" / "uses_a.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["data"]["text/plain"] == "1"
    assert not any("gg-import-probe" in c.metadata.get("tags", []) for c in executed.cells)


def test_changing_one_lib_module_reruns_exactly_its_importers(project):
    (project / "lib" / "fakelib" / "a.py").write_text("VALUE = 10\n")
    assert run(project) == {"uses_a": "lib changed: fakelib/a.py", "uses_b": "cached"}
    executed = nbformat.read(project / "out" / "uses_a.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["data"]["text/plain"] == "10"
    assert run(project) == {"uses_a": "cached", "uses_b": "cached"}


def test_no_cache_and_rerun_force_execution(project):
    assert run(project, "--rerun", "uses_b") == {"uses_a": "cached", "uses_b": "--rerun"}
    assert run(project, "--no-cache", "--only", "uses_a") == {"uses_a": "--no-cache",
                                                               "uses_b": "--rerun"}


def test_key_names_what_changed(project):
    nb = project / "chapters" / "uses_b.ipynb"
    base = chapter_cache.key_components(nb, ["fakelib/b.py"], project / "lib",
                                        project / "requirements.lock", "ci", {"profile": "ci"})
    other = dict(base, params=json.dumps({"profile": "ci", "seeds": [1]}))
    assert chapter_cache.why_changed(base, other) == "params changed"
    assert chapter_cache.why_changed(base, dict(base, lock="x")) == "lock changed"
    assert chapter_cache.why_changed(base, dict(base, cells="x")) == "cells changed"
    gone = chapter_cache.key_components(nb, ["fakelib/gone.py"], project / "lib",
                                        project / "requirements.lock", "ci", {"profile": "ci"})
    assert gone["modules"] == {"fakelib/gone.py": "missing"}
    assert chapter_cache.cache_key(base) != chapter_cache.cache_key(other)
