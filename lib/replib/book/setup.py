"""One call that starts a chapter: ``setup(slug, profile, scales=..., overrides=...)``.

It resolves the chapter's parameters for the chosen profile (the reader's overrides win
over the profile's defaults), seeds python/numpy/torch, makes CPU runs deterministic,
picks the device, and returns a :class:`Run` holding all of it plus the budget timer.

Profiles (the book's two declared scales, anchors §(b)4–5):

* ``ci``: offline, 2 CPU cores, at most 60 s per chapter; always on the CPU.
* ``full``: one GPU, at most 30 min, closer to paper scale; CUDA when present,
  otherwise the CPU with a visible warning (a GPU-only step calls ``run.require_gpu``).

Every misuse stops with a one-line error that names the parameter and what is allowed.
"""

from __future__ import annotations

import os
import random
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = ["Profile", "PROFILES", "Run", "setup", "ProfileError", "ParameterError",
           "GPUUnavailableError", "DataMissingError"]


class ProfileError(ValueError):
    """An unknown profile name."""


class ParameterError(ValueError):
    """An unknown parameter, or a value outside what the chapter allows."""


class GPUUnavailableError(RuntimeError):
    """A GPU-only step was asked for on a machine without CUDA."""


class DataMissingError(FileNotFoundError):
    """Data a profile needs is not on disk; the message says how to get it."""


@dataclass(frozen=True)
class Profile:
    """A declared run scale: its wall-time budget and where it runs."""

    name: str
    budget_s: float
    device: str  # "cpu" or "auto" (CUDA when present)
    description: str


PROFILES: Mapping[str, Profile] = MappingProxyType({
    "ci": Profile("ci", 60.0, "cpu", "offline, 2 CPU cores, <= 60 s"),
    "full": Profile("full", 1800.0, "auto", "one GPU, <= 30 min, closer to paper scale"),
})


class Params(Mapping[str, Any]):
    """Resolved chapter parameters, readable as ``params["T"]`` or ``params.T``."""

    def __init__(self, values: Mapping[str, Any], sources: Mapping[str, str]):
        self._values = dict(values)
        self._sources = dict(sources)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no parameter {name!r}; known: {sorted(self._values)}") from None

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def source(self, name: str) -> str:
        """``"profile"`` when the value is the profile's default, ``"override"`` otherwise."""
        return self._sources[name]

    def to_dict(self) -> dict[str, Any]:
        return dict(self._values)


@dataclass
class Run:
    """Everything a chapter's cells share: profile, parameters, device, seeds, timer."""

    slug: str
    profile: Profile
    params: Params
    device: str
    seeds: tuple[int, ...]
    rng: np.random.Generator
    started: float = field(default_factory=time.perf_counter)
    metrics: dict[str, dict] = field(default_factory=dict)

    @property
    def budget_s(self) -> float:
        return self.profile.budget_s

    def elapsed(self) -> float:
        """Seconds since ``setup`` was called."""
        return time.perf_counter() - self.started

    def require_gpu(self, reason: str) -> None:
        """Stop a GPU-only step on a machine without CUDA, saying why it needs one."""
        if not self.device.startswith("cuda"):
            raise GPUUnavailableError(
                f"{reason} needs a CUDA GPU, but this run is on {self.device!r}. "
                "Run the chapter with profile='ci', or on a GPU machine "
                "(Colab: Runtime > Change runtime type > GPU).")

    def require_data(self, path: str | os.PathLike, *, how_to_get: str) -> Path:
        """Return ``path`` if it exists; otherwise stop and say how to get the data."""
        p = Path(path).expanduser()
        if not p.exists():
            raise DataMissingError(f"profile {self.profile.name!r} needs data at {p}, "
                                   f"which is missing. To get it: {how_to_get}")
        return p

    def check(self, name: str, ok: bool, allowed: str) -> None:
        """Stop with a one-line error naming parameter ``name`` unless ``ok``."""
        if not ok:
            value = self.params[name] if name in self.params else None
            raise ParameterError(f"parameter {name}={value!r} is not allowed: "
                                 f"expected {allowed}")

    @property
    def show_progress(self) -> bool:
        """Whether long loops should draw progress bars (off under the runner, GG_QUIET=1)."""
        return os.environ.get("GG_QUIET") != "1"

    def progress(self, iterable: Iterable | None = None, **kwargs: Any):
        """A tqdm progress bar (notebook-aware); quiet when the runner sets GG_QUIET=1."""
        from tqdm.auto import tqdm

        kwargs.setdefault("disable", not self.show_progress)
        kwargs.setdefault("mininterval", 0.5)
        return tqdm(iterable, **kwargs)

    def torch_generator(self, seed: int | None = None):
        """A ``torch.Generator`` on this run's device, seeded (default: first seed)."""
        import torch

        g = torch.Generator(device=self.device)
        g.manual_seed(self.seeds[0] if seed is None else int(seed))
        return g

    def __repr__(self) -> str:
        return (f"Run({self.slug!r}, profile={self.profile.name!r}, device={self.device!r}, "
                f"seeds={list(self.seeds)}, params={self.params.to_dict()})")

    def _repr_markdown_(self) -> str:
        rows = [f"| `{k}` | `{v!r}` | {self.params.source(k)} |" for k, v in self.params.items()]
        return (f"**Run** `{self.slug}` · profile **{self.profile.name}** "
                f"({self.profile.description}) · device **{self.device}** · "
                f"seeds {list(self.seeds)}\n\n| parameter | value | from |\n|---|---|---|\n"
                + "\n".join(rows))


def _resolve(profile: str, scales: Mapping[str, Mapping[str, Any]],
             overrides: Mapping[str, Any]) -> Params:
    unknown = sorted(set(overrides) - set(scales[profile]))
    if unknown:
        raise ParameterError(f"unknown parameter(s) {unknown}; this chapter's parameters "
                             f"are {sorted(scales[profile])}")
    values, sources = {}, {}
    for name, default in scales[profile].items():
        given = overrides.get(name)
        values[name] = default if given is None else given
        sources[name] = "profile" if given is None else "override"
    return Params(values, sources)


def _pick_device(profile: Profile, needs_gpu: bool) -> str:
    try:
        import torch
        has_cuda = torch.cuda.is_available()
    except ImportError:  # a numpy-only chapter still runs
        has_cuda = False
    if needs_gpu and not has_cuda:
        raise GPUUnavailableError(
            f"profile {profile.name!r} of this chapter needs a CUDA GPU and none is visible. "
            "Use profile='ci' on a CPU, or run on a GPU (Colab: Runtime > Change runtime type).")
    if profile.device == "cpu":
        return "cpu"
    if not has_cuda:
        warnings.warn(f"profile {profile.name!r} prefers a GPU but none is visible; "
                      "running on the CPU (this can take much longer than the budget).",
                      stacklevel=3)
        return "cpu"
    return "cuda"


def _seed_everything(seed: int, device: str) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)
    threads = os.environ.get("OMP_NUM_THREADS")
    if threads and threads.isdigit():
        torch.set_num_threads(int(threads))
    if device == "cpu":
        torch.use_deterministic_algorithms(True, warn_only=True)
    else:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def _kernel_start() -> float:
    """Under the book's runner, time the whole kernel (imports included), else from now."""
    now = time.perf_counter()
    if os.environ.get("GG_HEADLESS") != "1":
        return now
    try:
        import psutil
        return now - max(0.0, time.time() - psutil.Process().create_time())
    except ImportError:
        return now


def setup(slug: str, profile: str, *, scales: Mapping[str, Mapping[str, Any]],
          overrides: Mapping[str, Any] | None = None, needs_gpu: bool = False,
          validate: Callable[[Run], None] | None = None) -> Run:
    """Start a chapter run.

    Args:
        slug: the chapter's slug (its card and file name), used for records.
        profile: ``"ci"`` or ``"full"``.
        scales: per-profile default parameters, ``{"ci": {...}, "full": {...}}``; both
            profiles must declare the same names, and must include ``seeds``.
        overrides: the reader's values (papermill parameters); ``None`` means "use the
            profile's default". A name not in ``scales`` is an error.
        needs_gpu: the whole profile needs CUDA (stop now rather than run for hours).
        validate: called with the run to check parameter values (``run.check``).
    """
    if profile not in PROFILES:
        raise ProfileError(f"unknown profile {profile!r}: choose one of {sorted(PROFILES)}")
    missing = sorted(set(PROFILES) - set(scales))
    if missing:
        raise ParameterError(f"chapter {slug!r} declares no scale for profile(s) {missing}")
    names = {p: set(v) for p, v in scales.items()}
    if len({frozenset(v) for v in names.values()}) != 1:
        raise ParameterError(f"chapter {slug!r}: profiles declare different parameters {names}")
    if "seeds" not in scales[profile]:
        raise ParameterError(f"chapter {slug!r} must declare 'seeds' in every profile")
    params = _resolve(profile, scales, overrides or {})
    seeds = params["seeds"]
    if (not isinstance(seeds, (list, tuple)) or not seeds
            or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds)):
        raise ParameterError(f"parameter seeds={seeds!r} is not allowed: expected a non-empty "
                             "list of non-negative integers")
    if len(set(seeds)) != len(seeds):
        raise ParameterError(f"parameter seeds={seeds!r} is not allowed: seeds must be distinct")
    prof = PROFILES[profile]
    device = _pick_device(prof, needs_gpu)
    _seed_everything(int(seeds[0]), device)
    run = Run(slug=slug, profile=prof, params=params, device=device, seeds=tuple(seeds),
              rng=np.random.default_rng(int(seeds[0])), started=_kernel_start())
    if validate is not None:
        validate(run)
    return run
