"""Records a chapter leaves behind: metrics, verdicts and the provenance stamp.

Files land in ``$BOOK_METRICS_DIR`` (set by the runner; ``./_metrics`` otherwise):

* ``<slug>.metrics.json``: scalar metrics with the tolerance each may drift by in the
  regression suite, plus provenance;
* ``<slug>.verdicts.json``: every claim's verdict with its per-seed values (``book.verdict``).

Provenance (anchors §(b)8): git commit, ``replib.__version__``, profile, parameters,
seeds, device, wall time and key package versions. It is also rendered on the page.
"""

from __future__ import annotations

import datetime as _dt
import importlib.metadata as _md
import json
import math
import os
import platform
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

import replib
from replib.book.numerics import cpu_model, numerics_mode
from replib.book.setup import Run

__all__ = ["metrics_dir", "record", "record_many", "provenance", "write_json", "stamp"]

KEY_PACKAGES = ("numpy", "scipy", "torch", "scikit-learn", "pandas", "matplotlib",
                "seaborn", "ipywidgets", "papermill", "jupyter-book")


def metrics_dir() -> Path:
    """Where records go: ``$BOOK_METRICS_DIR`` or ``./_metrics``."""
    d = Path(os.environ.get("BOOK_METRICS_DIR", "_metrics"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def _as_number(name: str, value: Any) -> float:
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"metric {name!r} must be a real number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"metric {name!r} is not finite ({value})")
    return float(value)


def record(run: Run, name: str, value: float, *, rtol: float = 1e-6,
           atol: float = 1e-9) -> float:
    """Record a scalar metric; ``rtol``/``atol`` are how far it may drift in regression.

    The defaults suit deterministic CPU computations; a metric that depends on BLAS
    summation order or sampling should record a looser, stated tolerance.
    """
    run.metrics[name] = {"value": _as_number(name, value), "rtol": float(rtol),
                         "atol": float(atol)}
    return run.metrics[name]["value"]


def record_many(run: Run, values: Mapping[str, float], *, rtol: float = 1e-6,
                atol: float = 1e-9) -> None:
    """Record several metrics sharing one tolerance."""
    for k, v in values.items():
        record(run, k, v, rtol=rtol, atol=atol)


def _git_commit() -> tuple[str, bool]:
    env = os.environ.get("GG_GIT_COMMIT")
    if env:
        return env, os.environ.get("GG_GIT_DIRTY") == "1"
    root = Path(replib.__file__).resolve().parents[2]
    try:
        sha = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(root), "status", "--porcelain", "lib"],
                                    capture_output=True, text=True, timeout=5).stdout.strip())
        return sha, dirty
    except (OSError, subprocess.SubprocessError):
        return "unknown", False


def _device_name(device: str) -> str:
    if device.startswith("cuda"):
        import torch
        return f"{device} ({torch.cuda.get_device_name(0)})"
    threads = os.environ.get("OMP_NUM_THREADS", str(os.cpu_count()))
    return f"cpu ({platform.processor() or platform.machine()}, {threads} thread(s))"


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in KEY_PACKAGES:
        try:
            out[pkg] = _md.version(pkg)
        except _md.PackageNotFoundError:
            pass
    return out


def provenance(run: Run, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The provenance stamp of ``run`` as a JSON-ready dict.

    ``extra`` adds chapter-specific settings under ``"extra"`` (e.g. the LLM backend's
    model name, base URL and sampling settings), so they travel with the metrics.
    """
    sha, dirty = _git_commit()
    out = {
        "slug": run.slug,
        "git_commit": sha,
        "git_dirty": dirty,
        "replib_version": replib.__version__,
        "profile": run.profile.name,
        "params": _jsonable(run.params.to_dict()),
        "seeds": list(run.seeds),
        "device": _device_name(run.device),
        "cpu": cpu_model(),
        "numerics": numerics_mode(),
        "wall_time_s": round(run.elapsed(), 2),
        "budget_s": run.budget_s,
        "packages": _versions(),
        "utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if extra:
        out["extra"] = _jsonable(dict(extra))
    return out


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return x


def write_json(path: Path, payload: Mapping[str, Any]) -> Path:
    """Write ``payload`` as pretty JSON (atomically, so a crash leaves no half file)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(_jsonable(dict(payload)), indent=2, sort_keys=False) + "\n")
    tmp.replace(path)
    return path


class Stamp:
    """The provenance stamp, rendered as a small admonition on the chapter page."""

    def __init__(self, prov: Mapping[str, Any]):
        self.prov = dict(prov)

    def _repr_markdown_(self) -> str:
        p = self.prov
        pk = ", ".join(f"{k} {v}" for k, v in p["packages"].items())
        dirty = " (uncommitted lib changes)" if p["git_dirty"] else ""
        extra = "".join(f"  \n{k}: {v}" for k, v in p.get("extra", {}).items())
        return (":::{admonition} Provenance\n:class: note\n"
                f"profile **{p['profile']}** · device {p['device']} · seeds {p['seeds']} · "
                f"wall time **{p['wall_time_s']:.1f} s** (budget {p['budget_s']:.0f} s)  \n"
                f"commit `{p['git_commit'][:12]}`{dirty} · replib {p['replib_version']} · "
                f"{p['utc']}  \n{pk}{extra}\n:::")

    def __repr__(self) -> str:
        return f"Stamp({self.prov['slug']}, {self.prov['wall_time_s']} s)"


def stamp(run: Run, extra: Mapping[str, Any] | None = None) -> Stamp:
    """Write ``<slug>.metrics.json`` with provenance and return the page stamp.

    Call it in the chapter's last cell, so the wall time covers the whole chapter.
    ``extra``: chapter-specific settings to record and show (see ``provenance``).
    """
    prov = provenance(run, extra)
    write_json(metrics_dir() / f"{run.slug}.metrics.json",
               {"provenance": prov, "metrics": run.metrics})
    return Stamp(prov)
