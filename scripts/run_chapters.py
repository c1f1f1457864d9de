"""Execute chapters with papermill at a profile, in parallel, and report.

    python scripts/run_chapters.py --profile ci [--only rtb,gla] [--jobs 2]
                                   [-p seeds '[41, 42]'] [-p T 300]

* Chapters run one at a time by default, each with every core (the ci budget is per chapter
  on the 2-core machine, and several chapters run seeds in worker processes); ``--jobs N``
  runs N at once, longest first (``data/durations.json``), with ``OMP_NUM_THREADS = cores // N``.
* ``-p NAME VALUE`` overrides a chapter parameter (VALUE is YAML: ``3``, ``0.5``,
  ``'[1, 2]'``); a name that is not in a chapter's parameters cell fails that chapter.
* A chapter that raises, or runs past its profile's budget (killed then), fails the run
  with a one-line reason; the others still run. The exit status is 1 if any failed.
* Per-chapter wall time, peak memory and verdict counts go to ``build/run_report.json``
  and are printed as a table.
* Incremental: a chapter whose key is unchanged (its cells, the content of the library
  modules it imported, the lock, the profile and the parameters; see chapter_cache.py) is
  restored from ``build/cache`` instead of executed, and the table says which chapters were
  reused and why the others ran. ``--no-cache`` executes everything (CI does).
* ``--executor ray [--address ...]`` runs each chapter as a Ray task asking for the
  resources of its profile (ray_executor.py); results land where the local executor puts them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
sys.path.insert(0, str(ROOT / "scripts"))
import chapter_cache  # noqa: E402

from replib.book.numerics import PINNED_CPU_ENV, pinned_env  # noqa: E402
from replib.book.setup import PROFILES  # noqa: E402

VERDICT_ABBR = {"reproduced": "R", "not reproduced at this scale": "NR", "inconclusive": "I"}


def discover(chapters_dir: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(chapters_dir.glob("*.ipynb")) if not p.stem.startswith("_")}


def git_state() -> tuple[str, bool]:
    try:
        sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "lib",
                                     "chapters"], capture_output=True, text=True).stdout.strip())
        return sha, dirty
    except (OSError, subprocess.CalledProcessError):
        return "unknown", False


def declared_parameters(nb: Path) -> set[str]:
    import papermill as pm

    return set(pm.inspect_notebook(str(nb)))


def kill_tree(pid: int) -> None:
    import psutil

    try:
        parent = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    procs = parent.children(recursive=True) + [parent]
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)


def verdict_counts(metrics_dir: Path, slug: str) -> dict[str, int] | None:
    f = metrics_dir / f"{slug}.verdicts.json"
    if not f.exists():
        return None
    counts = {"R": 0, "NR": 0, "I": 0}
    for c in json.loads(f.read_text())["claims"]:
        counts[VERDICT_ABBR[c["verdict"]]] += 1
    return counts


def unknown_params(src: Path, params: dict) -> str:
    """'' when every override is a parameter of the chapter, else the one-line error."""
    declared = declared_parameters(src)
    unknown = sorted(set(params) - declared)
    if not unknown:
        return ""
    return f"unknown parameter(s) {unknown}; this chapter's parameters are {sorted(declared)}"


def metric_files(metrics_dir: Path, slug: str) -> list[Path]:
    return sorted(metrics_dir.glob(f"{slug}.*.json"))


def execute(slug: str, src: Path, out_dir: Path, metrics_dir: Path, params: dict,
            threads: int, budget: float, env_base: dict, profile: str,
            track_root: Path | None) -> dict:
    """Run one chapter in a child process (killed with its kernel past ``budget``).

    Used by both executors: the local one calls it directly, a Ray task calls it on its
    worker. Returns the report row (ok, wall_s, peak_rss_mb, error, imports, verdicts).
    """
    for f in metric_files(metrics_dir, slug):  # never report a stale record
        f.unlink()
    env = dict(env_base, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads), BOOK_METRICS_DIR=str(metrics_dir.resolve()))
    with tempfile.TemporaryDirectory() as td:
        res_file = Path(td) / "result.json"
        cmd = [sys.executable, str(ROOT / "scripts" / "execute_chapter.py"), "--src", str(src),
               "--dst", str(out_dir / f"{slug}.ipynb"), "--params", json.dumps(params),
               "--result", str(res_file), "--cell-timeout", str(budget)]
        if track_root is not None:
            cmd += ["--track-root", str(track_root)]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        try:
            _, err = proc.communicate(timeout=budget)
        except subprocess.TimeoutExpired:
            kill_tree(proc.pid)
            proc.communicate()
            wall = time.perf_counter() - t0
            return {"slug": slug, "ok": False, "wall_s": round(wall, 1), "peak_rss_mb": None,
                    "error": f"exceeded the {profile} budget of {budget:.0f} s (killed)"}
        wall = time.perf_counter() - t0
        if res_file.exists():
            res = json.loads(res_file.read_text())
        else:
            tail = (err or "").strip().splitlines()[-1:] or ["no output"]
            res = {"ok": False, "error": f"runner child failed: {tail[0]}"}
    out = {"slug": slug, "ok": res["ok"], "wall_s": round(wall, 1),
           "peak_rss_mb": res.get("peak_rss_mb"), "error": res.get("error", ""),
           "imports": res.get("imports")}
    if out["ok"] and wall > budget:
        out.update(ok=False, error=f"exceeded the {profile} budget of {budget:.0f} s "
                                   f"(took {wall:.1f} s)")
    out["verdicts"] = verdict_counts(metrics_dir, slug)
    return out


def cached_or_none(slug: str, src: Path, a, params: dict) -> tuple[dict | None, str]:
    """Restore a chapter from the cache when its key is unchanged: (row, reason)."""
    if a.no_cache:
        return None, "--no-cache"
    if slug in a.rerun_set:
        return None, "--rerun"
    meta, reason = chapter_cache.lookup(a.cache_dir, a.profile, slug, src, a.lib_root, a.lock,
                                        params, a.numerics)
    if meta is None:
        return None, reason
    chapter_cache.restore(a.cache_dir, a.profile, slug, meta, a.out, a.metrics)
    row = dict(meta["result"], run="cached")
    row["verdicts"] = verdict_counts(a.metrics, slug)
    return row, reason


def remember(slug: str, src: Path, a, params: dict, row: dict) -> None:
    """Store a successful execution in the cache (failures are never cached; a --no-cache
    run still refreshes the cache with what it executed)."""
    if not row["ok"] or row.get("imports") is None:
        return
    result = {k: v for k, v in row.items() if k not in ("run", "verdicts")}
    chapter_cache.store(a.cache_dir, a.profile, slug, src, a.lib_root, a.lock, params,
                        row["imports"], a.out / f"{slug}.ipynb", metric_files(a.metrics, slug),
                        result, a.numerics)


def print_table(results: list[dict], profile: str, total: float, jobs: int,
                executor: str) -> None:
    ran = sum(r.get("run") != "cached" for r in results)
    print(f"\nprofile {profile} · executor {executor} · {len(results)} chapter(s), {ran} run, "
          f"{len(results) - ran} from the cache · jobs {jobs} · total wall {total:.1f} s")
    print(f"{'chapter':<24} {'status':<6} {'wall s':>7} {'peak MB':>8}  {'R/NR/I':<8} run")
    for r in sorted(results, key=lambda r: r["slug"]):
        v = r.get("verdicts")
        vs = f"{v['R']}/{v['NR']}/{v['I']}" if v else "-"
        mem = f"{r['peak_rss_mb']:.0f}" if r.get("peak_rss_mb") else "-"
        how = "cached (key unchanged; wall s is the recorded run)" if r.get("run") == "cached" \
            else f"ran: {r.get('run', '?')}"
        print(f"{r['slug']:<24} {'ok' if r['ok'] else 'FAIL':<6} {r['wall_s']:>7.1f} {mem:>8}"
              f"  {vs:<8} {how}")
    for r in results:
        if not r["ok"]:
            print(f"FAIL {r['slug']} {r['wall_s']:.1f}s {r['error']}")


def run_local(order: list[str], selected: dict, a, params: dict, threads: int, budget: float,
              env_base: dict, jobs: int, report) -> list[dict]:
    """The local executor: one child process per chapter, ``jobs`` at a time."""

    def one(slug: str) -> dict:
        src = selected[slug]
        error = unknown_params(src, params)
        if error:
            return {"slug": slug, "ok": False, "wall_s": 0.0, "peak_rss_mb": None,
                    "error": error, "run": "refused"}
        row, reason = cached_or_none(slug, src, a, params)
        if row is not None:
            return row
        row = execute(slug, src, a.out, a.metrics, params, threads, budget, env_base,
                      a.profile, a.lib_root)
        row["run"] = reason
        remember(slug, src, a, params, row)
        return row

    results = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for f in as_completed([pool.submit(one, s) for s in order]):
            results.append(f.result())
            report(results[-1])
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--profile", default="ci", help=f"one of {sorted(PROFILES)}")
    ap.add_argument("--only", action="append", default=[],
                    help="chapter slug(s), comma-separated or repeated")
    ap.add_argument("--jobs", type=int, default=None,
                    help="parallel chapters (default 1: each chapter gets every core)")
    ap.add_argument("-p", "--param", nargs=2, action="append", default=[],
                    metavar=("NAME", "VALUE"), help="override a chapter parameter (YAML value)")
    ap.add_argument("--chapters-dir", type=Path, default=ROOT / "chapters")
    ap.add_argument("--out", type=Path, default=None,
                    help="executed notebooks (default: book/chapters for ci, build/full/chapters)")
    ap.add_argument("--metrics", type=Path, default=None,
                    help="records (default: build/metrics for ci, build/full/metrics)")
    ap.add_argument("--report", type=Path, default=None,
                    help="run report (default: build/run_report.json, build/full/...)")
    ap.add_argument("--durations", type=Path, default=ROOT / "data" / "durations.json")
    ap.add_argument("--record-durations", action="store_true",
                    help="store the measured times in --durations (for scheduling)")
    ap.add_argument("--budget-s", type=float, default=None,
                    help="override the profile's per-chapter budget (tests, slow machines)")
    ap.add_argument("--native-numerics", action="store_true",
                    help="ci only: keep this CPU's fastest kernels instead of the pinned, "
                         "machine-independent ones the expected values are recorded with "
                         "(replib.book.numerics); full always runs native")
    cache = ap.add_argument_group("incremental execution (chapter_cache.py)")
    cache.add_argument("--no-cache", action="store_true",
                       help="execute every selected chapter, reusing nothing (CI, make test); "
                            "the fresh results still refresh the cache")
    cache.add_argument("--rerun", action="append", default=[],
                       help="execute these chapters even when their key is unchanged")
    cache.add_argument("--cache-dir", type=Path, default=ROOT / "build" / "cache")
    cache.add_argument("--lib-root", type=Path, default=ROOT / "lib",
                       help="imports under this directory are part of a chapter's key")
    cache.add_argument("--lock", type=Path, default=ROOT / "requirements.lock")
    ray = ap.add_argument_group("executor")
    ray.add_argument("--executor", choices=["local", "ray"], default="local")
    ray.add_argument("--address", default=None,
                     help="Ray cluster address (ray://host:10001 or host:6379); "
                          "without it a local Ray instance is started")
    ray.add_argument("--ship-code", action="store_true",
                     help="send this checkout (without .venv/build) as the Ray runtime_env "
                          "working_dir; workers still need the pinned requirements installed")
    a = ap.parse_args(argv)

    if a.profile not in PROFILES:
        ap.error(f"unknown profile {a.profile!r}: choose one of {sorted(PROFILES)}")
    # The book is built from the ci run; other profiles never overwrite its records.
    base = ROOT / "build" if a.profile == "ci" else ROOT / "build" / a.profile
    a.out = a.out or (ROOT / "book" / "chapters" if a.profile == "ci" else base / "chapters")
    a.metrics = a.metrics or base / "metrics"
    a.report = a.report or base / "run_report.json"
    a.lib_root = a.lib_root.resolve()
    chapters = discover(a.chapters_dir)
    only = [s for item in a.only for s in item.split(",") if s]
    a.rerun_set = {s for item in a.rerun for s in item.split(",") if s}
    unknown = sorted((set(only) | a.rerun_set) - set(chapters))
    if unknown:
        ap.error(f"unknown chapter(s) {unknown}; available: {sorted(chapters)}")
    selected = {s: chapters[s] for s in (only or chapters)}
    if not selected:
        ap.error(f"no chapters found in {a.chapters_dir}")
    params = {"profile": a.profile}
    for name, value in a.param:
        params[name] = yaml.safe_load(value)
    budget = a.budget_s or PROFILES[a.profile].budget_s
    cores = os.cpu_count() or 1
    # One chapter at a time by default: the ci budget (60 s) is "on the 2-core machine", and
    # several chapters run their seeds in worker processes that use every core.
    jobs = max(1, min(a.jobs or 1, len(selected)))
    threads = max(1, cores // jobs)
    durations = json.loads(a.durations.read_text()) if a.durations.exists() else {}
    known = durations.get(a.profile, {})
    order = sorted(selected, key=lambda s: -known.get(s, math.inf))  # longest (or new) first
    a.out.mkdir(parents=True, exist_ok=True)
    a.metrics.mkdir(parents=True, exist_ok=True)
    sha, dirty = git_state()
    env_base = dict(os.environ, GG_HEADLESS="1", GG_QUIET="1", GG_GIT_COMMIT=sha,
                    GG_GIT_DIRTY="1" if dirty else "0", PYTHONHASHSEED="0",
                    MPLBACKEND="module://matplotlib_inline.backend_inline")
    # ci is the regression suite: its values must not depend on the CPU (book.numerics).
    a.numerics = "pinned" if a.profile == "ci" and not a.native_numerics else "native"
    if a.numerics == "pinned":
        env_base = pinned_env(env_base)
    else:
        env_base = {k: v for k, v in env_base.items() if k not in PINNED_CPU_ENV}
    print(f"running {len(order)} chapter(s) at profile {a.profile} on the {a.executor} executor "
          f"with {jobs} job(s) × {threads} thread(s), {a.numerics} CPU numerics, "
          f"budget {budget:.0f} s each"
          f"{'' if a.no_cache else ', reusing unchanged chapters'}: {', '.join(order)}",
          flush=True)

    def report(r: dict) -> None:
        tag = "ok  " if r["ok"] else "FAIL"
        how = "(cached)" if r.get("run") == "cached" else ""
        print(f"{tag} {r['slug']} {r['wall_s']:.1f}s {how}{r['error']}".rstrip(), flush=True)

    t0 = time.perf_counter()
    if a.executor == "ray":
        import ray_executor

        results = ray_executor.run_ray(order, selected, a, params, threads, budget, env_base,
                                       report)
    else:
        results = run_local(order, selected, a, params, threads, budget, env_base, jobs, report)
    total = time.perf_counter() - t0
    print_table(results, a.profile, total, jobs, a.executor)

    rep = json.loads(a.report.read_text()) if a.report.exists() else {}
    if rep.get("profile") != a.profile:
        rep = {"profile": a.profile, "chapters": {}}
    rep.update(jobs=jobs, threads=threads, cores=cores, budget_s=budget, executor=a.executor,
               last_total_wall_s=round(total, 1), git_commit=sha, params=params)
    for r in results:
        rep["chapters"][r["slug"]] = r
    a.report.parent.mkdir(parents=True, exist_ok=True)
    a.report.write_text(json.dumps(rep, indent=2) + "\n")
    if a.record_durations:
        durations.setdefault(a.profile, {}).update(
            {r["slug"]: r["wall_s"] for r in results if r["ok"] and r.get("run") != "cached"})
        a.durations.write_text(json.dumps(durations, indent=2, sort_keys=True) + "\n")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
