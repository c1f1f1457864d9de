"""Incremental execution: a chapter's cache key, and the cache of executed chapters.

A chapter at a profile is reused, not re-executed, when nothing it depends on changed. Its
key hashes exactly what can change its outputs:

* the chapter's cells (type and source; outputs and metadata do not count),
* the content of every library module the chapter imported when it last ran (recorded by
  the import probe that ``execute_chapter.py`` appends to each execution; a module added
  to the import graph can only appear through a changed cell or a changed module, both of
  which are already in the key),
* the dependency lock (``requirements.lock``) and the Python version,
* the profile and the papermill parameters,
* the CPU numerics mode (``pinned`` or ``native``, see ``replib.book.numerics``),
* ``RUNNER_VERSION``, bumped whenever execution itself changes meaning.

Data files a chapter reads are not in the key: after changing ``data/`` run with
``--no-cache`` (or ``--rerun SLUG``). Entries are written atomically under a file lock, so
two runners sharing a cache directory cannot leave a half-written entry.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

RUNNER_VERSION = "1"
__all__ = ["RUNNER_VERSION", "cell_digest", "key_components", "cache_key", "why_changed",
           "lookup", "store", "restore"]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cell_digest(nb_path: Path) -> str:
    """Hash of the notebook's cells (type + source), ignoring outputs and metadata."""
    nb = json.loads(nb_path.read_text())
    cells = [[c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list)
              else c["source"]] for c in nb["cells"]]
    return _sha(json.dumps(cells).encode())


def key_components(nb_path: Path, imports: list[str], lib_root: Path, lock: Path,
                   profile: str, params: dict, numerics: str = "native") -> dict:
    """Every input of the key, each hashed separately so a miss can say what changed.

    ``imports`` are paths relative to ``lib_root`` (e.g. ``replib/book/setup.py``); a file
    that no longer exists hashes as ``"missing"``.
    """
    modules = {}
    for rel in sorted(imports):
        f = lib_root / rel
        modules[rel] = _sha(f.read_bytes()) if f.is_file() else "missing"
    return {
        "runner": RUNNER_VERSION,
        "cells": cell_digest(nb_path),
        "modules": modules,
        "lock": _sha(lock.read_bytes()) if lock.is_file() else "missing",
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "profile": profile,
        "params": json.dumps(params, sort_keys=True, default=str),
        "numerics": numerics,
    }


def cache_key(components: dict) -> str:
    return _sha(json.dumps(components, sort_keys=True).encode())


def why_changed(old: dict, new: dict) -> str:
    """A short reason for a cache miss, naming the first thing that differs."""
    for name, label in (("runner", "runner changed"), ("python", "python changed"),
                        ("lock", "lock changed"), ("profile", "profile changed"),
                        ("params", "params changed"), ("numerics", "numerics changed"),
                        ("cells", "cells changed")):
        if old.get(name) != new.get(name):
            return label
    changed = sorted(m for m in new["modules"] if old["modules"].get(m) != new["modules"][m])
    if changed:
        more = f" (+{len(changed) - 1})" if len(changed) > 1 else ""
        return f"lib changed: {changed[0]}{more}"
    return "key changed"


def _entry(cache_dir: Path, profile: str, slug: str) -> Path:
    return cache_dir / profile / slug


@contextmanager
def _locked(cache_dir: Path):
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def lookup(cache_dir: Path, profile: str, slug: str, nb_path: Path, lib_root: Path,
           lock: Path, params: dict, numerics: str = "native") -> tuple[dict | None, str]:
    """``(entry, reason)``: the stored entry when its key still matches, else ``None`` and
    why the chapter must run (``"new"``, ``"cells changed"``, ``"lib changed: ..."``)."""
    meta_file = _entry(cache_dir, profile, slug) / "entry.json"
    if not meta_file.is_file():
        return None, "new"
    meta = json.loads(meta_file.read_text())
    now = key_components(nb_path, meta["imports"], lib_root, lock, profile, params, numerics)
    if cache_key(now) == meta["key"]:
        return meta, "cached"
    return None, why_changed(meta["components"], now)


def store(cache_dir: Path, profile: str, slug: str, nb_path: Path, lib_root: Path, lock: Path,
          params: dict, imports: list[str], executed_nb: Path, metric_files: list[Path],
          result: dict, numerics: str = "native") -> None:
    """Store one successful execution (notebook, records, result row) under its key."""
    comps = key_components(nb_path, imports, lib_root, lock, profile, params, numerics)
    meta = {"slug": slug, "key": cache_key(comps), "components": comps,
            "imports": sorted(imports), "result": result,
            "metric_files": [f.name for f in metric_files]}
    final = _entry(cache_dir, profile, slug)
    with _locked(cache_dir):
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{slug}."))
        shutil.copy2(executed_nb, tmp / "notebook.ipynb")
        for f in metric_files:
            shutil.copy2(f, tmp / f.name)
        (tmp / "entry.json").write_text(json.dumps(meta, indent=1) + "\n")
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)


def restore(cache_dir: Path, profile: str, slug: str, meta: dict, out_dir: Path,
            metrics_dir: Path) -> None:
    """Put a cached chapter exactly where an execution would have put it."""
    entry = _entry(cache_dir, profile, slug)
    out_dir.mkdir(parents=True, exist_ok=True)
    metrics_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(entry / "notebook.ipynb", out_dir / f"{slug}.ipynb")
    for name in meta["metric_files"]:
        shutil.copy2(entry / name, metrics_dir / name)
