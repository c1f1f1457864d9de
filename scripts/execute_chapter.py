"""Execute ONE chapter notebook with papermill (a child process of run_chapters.py).

It exists as its own process so the runner can kill it (and its kernel) when it runs
past its budget, and so that ``RUSAGE_CHILDREN`` measures this chapter's kernel alone.
Writes a small JSON result: ok, one-line error, duration, peak RSS of the kernel.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path


def one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--params", required=True, help="JSON dict of papermill parameters")
    ap.add_argument("--result", required=True)
    ap.add_argument("--cell-timeout", type=float, required=True)
    a = ap.parse_args()

    import papermill as pm

    src, dst = Path(a.src), Path(a.dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    result = {"ok": True, "error": ""}
    try:
        pm.execute_notebook(str(src), str(dst), parameters=json.loads(a.params),
                            kernel_name="python3", cwd=str(src.parent), progress_bar=False,
                            log_output=False, execution_timeout=int(a.cell_timeout))
    except pm.PapermillExecutionError as e:
        result = {"ok": False, "error": one_line(f"{e.ename}: {e.evalue} (cell {e.exec_count})")}
    except Exception as e:  # kernel died, bad notebook, ...
        result = {"ok": False, "error": one_line(f"{type(e).__name__}: {e}")}
    result["duration_s"] = round(time.perf_counter() - t0, 2)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    Path(a.result).write_text(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
