"""Independent runs in worker processes, results in input order.

Several chapters run one training per (method, seed) and the runs share nothing, so on a
2-core CPU two processes finish them in about half the time, where intra-op threads gain
little for small tensors. Each run seeds itself, so results do not depend on ``workers``
or on scheduling; ``progress`` wraps the iterator of finished runs (e.g. ``run.progress``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["map_runs", "map_calls"]


def map_runs(fn: Callable[[Any], Any], items: Iterable[Any], *, workers: int = 1,
             progress: Callable | None = None, start_method: str = "spawn") -> list[Any]:
    """``[fn(x) for x in items]``, in ``workers`` processes when ``workers > 1``.

    ``fn`` must be a module-level function (it is pickled to the workers). ``start_method``
    is ``"spawn"`` (safe with CUDA and threads) or ``"fork"`` (faster start; CPU only).
    """
    items = list(items)
    wrap = progress or (lambda it, **_: it)
    if workers <= 1:
        return [fn(x) for x in wrap(items, total=len(items))]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    out: list[Any] = [None] * len(items)
    with ProcessPoolExecutor(max_workers=workers,
                             mp_context=mp.get_context(start_method)) as ex:
        futures = {ex.submit(fn, x): i for i, x in enumerate(items)}
        for f in wrap(as_completed(futures), total=len(futures)):
            out[futures[f]] = f.result()
    return out


def _call(call: tuple[Callable[..., Any], dict]) -> Any:
    fn, kwargs = call
    if str(kwargs.get("device", "cpu")).startswith("cpu"):
        import torch

        torch.set_num_threads(1)  # tiny, dispatch-bound tensors: one thread per run
    return fn(**kwargs)


def map_calls(calls: Iterable[tuple[Callable[..., Any], dict]], *, workers: int = 1,
              progress: Callable | None = None) -> list[Any]:
    """``[fn(**kwargs) for fn, kwargs in calls]`` through :func:`map_runs`; a run on the CPU
    (``kwargs["device"]`` absent or ``"cpu"``) uses one torch thread. ``fn`` must be a
    module-level function (e.g. ``gla_experiment.train_char_lm``)."""
    return map_runs(_call, calls, workers=workers, progress=progress)
