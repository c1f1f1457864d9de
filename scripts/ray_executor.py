"""The Ray executor of run_chapters.py: each chapter is one Ray task.

    python scripts/run_chapters.py --executor ray                      # local Ray instance
    python scripts/run_chapters.py --executor ray --address HOST:6379  # an existing cluster
                                   --profile full [--ship-code]

* A task asks for what its profile needs: ``full`` one GPU (and one CPU), ``ci`` the CPU
  share the local executor would give it. Tasks are submitted longest first.
* On its worker, a task runs the same child process as the local executor
  (``run_chapters.execute``) into a scratch directory and sends back the executed notebook,
  the chapter's records and its report row. The driver writes them where the local
  executor would, so the book build and the regression check do not care which ran.
* The worker must run the same library as the driver: the task compares a fingerprint of
  ``lib/`` and the lock (content, so uncommitted edits count) and refuses with both
  commits named otherwise.
* A worker that dies is retried once by Ray (``max_retries=1``); a chapter that raises is
  not retried. Results of the other chapters are kept whatever happens to one.
* The cache works as with the local executor: the driver restores unchanged chapters and
  stores what the tasks return.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
__all__ = ["lib_fingerprint", "run_ray"]

SHIP_EXCLUDES = [".venv/", "build/", "book/_build/", "book/chapters/", ".git/", "**/__pycache__/",
                 "book/_widgets/widgets/*.js", "book/_static/mathjax/", "node_modules/"]


def lib_fingerprint(root: Path) -> dict:
    """Content hash of ``lib/**/*.py`` and ``requirements.lock`` under ``root``, plus its commit."""
    h = hashlib.sha256()
    for f in sorted((root / "lib").rglob("*.py")):
        if "__pycache__" in f.parts:
            continue
        h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    lock = root / "requirements.lock"
    h.update(lock.read_bytes() if lock.exists() else b"no lock")
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "no git"
    return {"hash": h.hexdigest(), "commit": commit}


def _worker_root(hint: str) -> Path:
    """The project on this worker: the shipped working_dir if there is one, else ``hint``."""
    cwd = Path.cwd()
    return cwd if (cwd / "scripts" / "execute_chapter.py").exists() else Path(hint)


def chapter_task(slug: str, src_rel: str, params: dict, threads: int, budget: float,
                 env_overrides: dict, profile: str, root_hint: str, driver_fp: dict) -> dict:
    """Body of the Ray task: execute one chapter on this worker and return its files."""
    root = _worker_root(root_hint)
    fp = lib_fingerprint(root)
    if fp["hash"] != driver_fp["hash"]:
        return {"row": {"slug": slug, "ok": False, "wall_s": 0.0, "peak_rss_mb": None,
                        "error": f"worker {socket.gethostname()} runs a different lib "
                                 f"(commit {fp['commit']}, fingerprint {fp['hash'][:10]}) than "
                                 f"the driver (commit {driver_fp['commit']}, "
                                 f"{driver_fp['hash'][:10]}): ship the checkout with "
                                 f"--ship-code or update the workers' image"},
                "files": {}}
    sys.path.insert(0, str(root / "scripts"))
    import run_chapters

    with tempfile.TemporaryDirectory() as td:
        out, metrics = Path(td) / "out", Path(td) / "metrics"
        out.mkdir()
        metrics.mkdir()
        env = dict(os.environ, **env_overrides)  # the kernel imports this worker's lib/
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root / "lib"),
                                                          env.get("PYTHONPATH")]))
        row = run_chapters.execute(slug, root / src_rel, out, metrics, params, threads, budget,
                                   env, profile, root / "lib")
        files = {p.name: p.read_bytes() for p in [*out.glob("*.ipynb"), *metrics.glob("*")]}
    row["worker"] = socket.gethostname()
    return {"row": row, "files": files}


def _resources(profile: str, threads: int) -> dict:
    return {"num_gpus": 1, "num_cpus": 1} if profile == "full" else {"num_cpus": threads}


def run_ray(order: list[str], selected: dict, a, params: dict, threads: int, budget: float,
            env_base: dict, report) -> list[dict]:
    """Run ``order`` as Ray tasks; return report rows as the local executor does."""
    try:
        import ray
    except ImportError:
        raise SystemExit("--executor ray needs Ray: pip install -e '.[cluster]' "
                         "-c requirements.lock (make test installs it)") from None
    import run_chapters

    results, pending = [], {}
    todo = []
    for slug in order:
        src = selected[slug]
        error = run_chapters.unknown_params(src, params)
        if error:
            row = {"slug": slug, "ok": False, "wall_s": 0.0, "peak_rss_mb": None,
                   "error": error, "run": "refused"}
        else:
            row, reason = run_chapters.cached_or_none(slug, src, a, params)
            if row is None:
                todo.append((slug, reason))
                continue
        results.append(row)
        report(row)
    if not todo:
        return results

    from replib.book.numerics import PINNED_CPU_ENV

    keep = ("GG_", "PYTHONHASHSEED", "MPLBACKEND", *PINNED_CPU_ENV)
    env_overrides = {k: v for k, v in env_base.items() if k.startswith(keep)}
    runtime_env = None
    if a.ship_code:
        runtime_env = {"working_dir": str(ROOT), "excludes": SHIP_EXCLUDES}
    init = dict(address=a.address, runtime_env=runtime_env, include_dashboard=False,
                log_to_driver=False, logging_level="ERROR")
    if a.address is None:  # a local instance sized like the local executor
        init.update(num_cpus=os.cpu_count() or 1, object_store_memory=80 * 1024**2)
    ray.init(**init)
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers need no import
    try:
        task = ray.remote(max_retries=1, retry_exceptions=False)(chapter_task)
        driver_fp = lib_fingerprint(ROOT)
        for slug, reason in todo:
            src = selected[slug].resolve()  # relative to the project when inside it
            src_rel = str(src.relative_to(ROOT) if src.is_relative_to(ROOT) else src)
            ref = task.options(**_resources(a.profile, threads)).remote(
                slug, src_rel, params, threads, budget, env_overrides, a.profile, str(ROOT),
                driver_fp)
            pending[ref] = (slug, reason)
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            slug, reason = pending.pop(done[0])
            try:
                got = ray.get(done[0])
            except Exception as e:  # the worker died twice, or the task could not start
                row = {"slug": slug, "ok": False, "wall_s": 0.0, "peak_rss_mb": None,
                       "error": " ".join(f"Ray task lost after one retry: "
                                         f"{type(e).__name__}: {e}".split())[:300]}
            else:
                row = got["row"]
                _land(slug, got["files"], a)
                row["verdicts"] = run_chapters.verdict_counts(a.metrics, slug)
                row["run"] = reason
                run_chapters.remember(slug, selected[slug], a, params, row)
            results.append(row)
            report(row)
    finally:
        ray.shutdown()
    return results


def _land(slug: str, files: dict[str, bytes], a) -> None:
    """Write a task's files exactly where the local executor writes them."""
    import run_chapters

    for f in run_chapters.metric_files(a.metrics, slug):
        f.unlink()
    for name, data in files.items():
        dest = (a.out if name.endswith(".ipynb") else a.metrics) / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
