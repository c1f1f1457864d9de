"""Capture and intervene on named sub-modules with forward hooks, removed on exit.

* :func:`capture` records the outputs (or inputs) of named sub-modules over forward passes,
  e.g. each block's output hidden state for the massive-activation probe (M-Act, gated
  attention, Qiu et al. 2025, Table 4) or feature caches.
* :func:`intervene` replaces a sub-module's output by ``fn(output)``: zero, mean or scale
  interventions (activation patching) for ablation studies.

Both are context managers; every hook is removed when the block exits, even on error.
Modules returning a tuple (``(y, diag)``) are handled on their first element.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import torch
from torch import nn

__all__ = ["capture", "intervene", "resolve", "zero_", "scale_", "mean_"]


def resolve(model: nn.Module, names: Sequence[str]) -> dict[str, nn.Module]:
    """Named sub-modules; a missing name stops with the list of available names."""
    table = dict(model.named_modules())
    missing = [n for n in names if n not in table]
    if missing:
        sample = [n for n in table if n][:12]
        raise KeyError(f"no sub-module named {missing}; some available names: {sample}")
    return {n: table[n] for n in names}


def _first(out):
    return out[0] if isinstance(out, tuple) else out


@contextmanager
def capture(model: nn.Module, names: Sequence[str], *, inputs: bool = False,
            detach: bool = True) -> Iterator[dict[str, list[torch.Tensor]]]:
    """Yield ``{name: [tensor per forward call]}`` filled while the block runs."""
    store: dict[str, list[torch.Tensor]] = {n: [] for n in names}
    handles = []
    for name, mod in resolve(model, names).items():
        def hook(m, args, out, _n=name):
            t = args[0] if inputs else _first(out)
            store[_n].append(t.detach() if detach else t)
        handles.append(mod.register_forward_hook(hook))
    try:
        yield store
    finally:
        for h in handles:
            h.remove()


@contextmanager
def intervene(model: nn.Module, fns: Mapping[str, Callable[[torch.Tensor], torch.Tensor]]
              ) -> Iterator[None]:
    """Replace each named sub-module's output ``y`` by ``fns[name](y)`` inside the block."""
    handles = []
    for name, mod in resolve(model, list(fns)).items():
        def hook(m, args, out, _f=fns[name]):
            if isinstance(out, tuple):
                return (_f(out[0]),) + tuple(out[1:])
            return _f(out)
        handles.append(mod.register_forward_hook(hook))
    try:
        yield
    finally:
        for h in handles:
            h.remove()


def zero_(y: torch.Tensor) -> torch.Tensor:
    """Zero ablation."""
    return torch.zeros_like(y)


def scale_(alpha: float) -> Callable[[torch.Tensor], torch.Tensor]:
    """Multiply the output by ``alpha`` (amplification > 1, damping < 1)."""
    return lambda y: y * alpha


def mean_(mean: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """Replace the output by a precomputed mean activation (broadcast)."""
    return lambda y: mean.to(y.dtype).expand_as(y)
