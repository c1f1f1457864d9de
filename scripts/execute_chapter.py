"""Execute ONE chapter notebook with papermill (a child process of run_chapters.py).

It exists as its own process so the runner can kill it (and its kernel) when it runs
past its budget, and so that ``RUSAGE_CHILDREN`` measures this chapter's kernel alone.
Writes a small JSON result: ok, one-line error, duration, peak RSS of the kernel, and
``imports``: the library files (relative to ``--track-root``) the chapter imported. They are
found by a probe cell appended to the notebook for this execution only (removed from the
executed notebook again); the chapter cache keys on their content (chapter_cache.py).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path


def one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


PROBE_TAG = "gg-import-probe"
PROBE = """import json as _j, os as _o, sys as _s
_root = _o.path.realpath(_o.environ["GG_TRACK_ROOT"]) + _o.sep
_files = {_o.path.realpath(f) for f in (getattr(m, "__file__", None)
          for m in list(_s.modules.values())) if f}
with open(_o.environ["GG_IMPORTS_OUT"], "w") as _fh:
    _j.dump(sorted(f[len(_root):] for f in _files if f.startswith(_root)), _fh)
"""


def with_probe(src: Path, tmpdir: Path) -> Path:
    """A copy of the notebook with the import probe as its last cell."""
    import nbformat

    nb = nbformat.read(src, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE, metadata={"tags": [PROBE_TAG]}))
    probed = tmpdir / src.name
    nbformat.write(nb, probed)
    return probed


def strip_probe(dst: Path) -> None:
    import nbformat

    nb = nbformat.read(dst, as_version=4)
    nb.cells = [c for c in nb.cells if PROBE_TAG not in c.get("metadata", {}).get("tags", [])]
    nbformat.write(nb, dst)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--params", required=True, help="JSON dict of papermill parameters")
    ap.add_argument("--result", required=True)
    ap.add_argument("--cell-timeout", type=float, required=True)
    ap.add_argument("--track-root", default=None,
                    help="record the imported modules under this directory (the lib root)")
    a = ap.parse_args()

    import papermill as pm

    src, dst = Path(a.src), Path(a.dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    result = {"ok": True, "error": ""}
    tmpdir = Path(tempfile.mkdtemp(prefix="gg-exec-"))
    imports_out = tmpdir / "imports.json"
    if a.track_root:
        os.environ.update(GG_TRACK_ROOT=str(a.track_root), GG_IMPORTS_OUT=str(imports_out))
    try:
        nb_in = with_probe(src, tmpdir) if a.track_root else src
        pm.execute_notebook(str(nb_in), str(dst), parameters=json.loads(a.params),
                            kernel_name="python3", cwd=str(src.parent), progress_bar=False,
                            log_output=False, execution_timeout=int(a.cell_timeout))
    except pm.PapermillExecutionError as e:
        result = {"ok": False, "error": one_line(f"{e.ename}: {e.evalue} (cell {e.exec_count})")}
    except Exception as e:  # kernel died, bad notebook, ...
        result = {"ok": False, "error": one_line(f"{type(e).__name__}: {e}")}
    if dst.exists() and a.track_root:
        strip_probe(dst)
    if result["ok"] and a.track_root:
        result["imports"] = json.loads(imports_out.read_text()) if imports_out.exists() else None
    shutil.rmtree(tmpdir, ignore_errors=True)
    result["duration_s"] = round(time.perf_counter() - t0, 2)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    Path(a.result).write_text(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
