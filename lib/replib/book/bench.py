"""Wall time and memory of forward + backward passes, and sweeps over sequence length.

The measurement behind every speed claim (e.g. GLA, Yang et al. 2024, Fig. 2 and Fig. 6;
GAM, Acharya 2025, Table 2): ``warmup`` untimed calls, then ``repeats`` timed calls, the
reported figure is the median; CUDA is synchronised around each call.

Memory: on CUDA the peak allocated bytes during the call (``torch.cuda.max_memory_allocated``
after a reset). On CPU PyTorch keeps no allocator statistics, so the figure is the bytes of
tensors saved for backward (``torch.autograd.graph.saved_tensors_hooks``, each storage once)
plus the output: the activation memory that grows with T, which is what separates O(T) from
O(T²) mixers. ``BenchResult.memory_kind`` says which of the two was measured.

``fn(inputs) -> tensor`` is called on fresh leaf copies; backward uses ``out.sum()``.
``length_sweep(make_inputs, fn, lengths)`` repeats this per length and fits the log-log
slope of time and memory (``stats.rates``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch

from replib.stats.rates import SlopeFit, slope_ci

__all__ = ["BenchResult", "Sweep", "time_fwd_bwd", "length_sweep"]


@dataclass(frozen=True)
class BenchResult:
    """Median seconds of ``repeats`` timed calls, all times, and memory in bytes."""

    median_s: float
    times_s: tuple[float, ...]
    memory_bytes: int
    memory_kind: str   # "cuda_peak" or "saved_activations"


@dataclass(frozen=True)
class Sweep:
    """Results per length, with log-log slopes of time and memory."""

    lengths: tuple[int, ...]
    results: tuple[BenchResult, ...]
    time_slope: SlopeFit
    memory_slope: SlopeFit
    extra: dict = field(default_factory=dict)

    @property
    def times(self) -> list[float]:
        return [r.median_s for r in self.results]

    @property
    def memory(self) -> list[int]:
        return [r.memory_bytes for r in self.results]


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _leaves(inputs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    return [t.detach().clone().requires_grad_(t.is_floating_point()) for t in inputs]


def _saved_bytes(fn, inputs) -> int:
    seen: dict[int, int] = {}

    def pack(t):
        try:
            s = t.untyped_storage()
            seen[s.data_ptr()] = s.nbytes()
        except (RuntimeError, NotImplementedError):
            seen[id(t)] = t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn(_leaves(inputs))
    return sum(seen.values()) + out.numel() * out.element_size()


def time_fwd_bwd(fn: Callable[[list[torch.Tensor]], torch.Tensor],
                 inputs: Sequence[torch.Tensor], *, repeats: int = 5, warmup: int = 1,
                 backward: bool = True) -> BenchResult:
    """Median wall time of fn(+ backward) over ``repeats`` calls after ``warmup`` calls."""
    if repeats < 1 or warmup < 0:
        raise ValueError(f"repeats must be >= 1 and warmup >= 0, got {repeats}, {warmup}")
    device = inputs[0].device
    times = []
    for i in range(warmup + repeats):
        xs = _leaves(inputs)
        _sync(device)
        t0 = time.perf_counter()
        out = fn(xs)
        if backward:
            out.sum().backward()
        _sync(device)
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        base = torch.cuda.memory_allocated(device)
        out = fn(_leaves(inputs))
        if backward:
            out.sum().backward()
        _sync(device)
        mem, kind = torch.cuda.max_memory_allocated(device) - base, "cuda_peak"
    else:
        mem, kind = _saved_bytes(fn, inputs), "saved_activations"
    return BenchResult(statistics.median(times), tuple(times), int(mem), kind)


def length_sweep(make_inputs: Callable[[int], Sequence[torch.Tensor]],
                 fn: Callable[[list[torch.Tensor]], torch.Tensor], lengths: Sequence[int], *,
                 repeats: int = 3, warmup: int = 1, backward: bool = True) -> Sweep:
    """``time_fwd_bwd`` at each length; slopes of median time and memory vs length.

    The time-slope CI is the bootstrap over repeats (each repeat is one curve).
    """
    if len(lengths) < 2:
        raise ValueError(f"lengths must hold >= 2 values, got {list(lengths)}")
    res = tuple(time_fwd_bwd(fn, make_inputs(T), repeats=repeats, warmup=warmup,
                             backward=backward) for T in lengths)
    curves = [[r.times_s[i] for r in res] for i in range(repeats)]
    ts = slope_ci(lengths, curves)
    ms = slope_ci(lengths, [[max(r.memory_bytes, 1) for r in res]])
    return Sweep(tuple(lengths), res, ts, ms)
