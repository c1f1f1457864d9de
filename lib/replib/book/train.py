"""A generic training loop: ``fit(model, loss_fn, batches, steps=...) -> History``.

The recipe of most chapters (e.g. GLA, Yang et al. 2024, Sec. 5.1: AdamW, warm-up then
cosine decay to 10% of the peak, weight decay, gradient clipping at 1.0):

* optimiser: AdamW(lr, betas, weight_decay) unless an optimiser is passed;
* schedule ``"cosine"``: linear warm-up over ``warmup_steps`` then
  lr_t = lr·(r + (1 − r)·½(1 + cos(π·s))), s = progress in [0, 1], r = ``min_lr_ratio``;
  ``"constant"``: warm-up then flat;
* gradient clipping by global norm (``grad_clip``; ``None`` disables);
* loss-spike counter: a step whose loss exceeds ``spike_factor`` × the running median of
  the previous 50 losses counts as a spike (Chowdhery et al. 2022, PaLM, Sec. 5.1);
* throughput: tokens/s when ``tokens_per_batch`` is given (else samples/s are not guessed);
* an eval hook ``eval_fn(model, step) -> dict`` every ``eval_every`` steps and at the end
  (run under ``torch.no_grad`` in eval mode);
* a progress bar through a passed callable (e.g. ``run.progress``); the loop never prints.

``loss_fn(model, batch)`` returns a scalar loss tensor, or ``(loss, extras: dict)``;
``batches`` is an iterable of batches or a callable ``batches(step) -> batch``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = ["History", "fit", "lr_factor", "make_optimizer", "SCHEDULES"]

SCHEDULES = ("cosine", "constant")


@dataclass
class History:
    """Per-step training curves and run totals returned by :func:`fit`."""

    loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    evals: list[dict[str, Any]] = field(default_factory=list)
    n_spikes: int = 0
    wall_s: float = 0.0
    step_s: list[float] = field(default_factory=list)
    tokens_per_s: float = float("nan")

    @property
    def final_loss(self) -> float:
        """Mean training loss over the last 10% of steps (at least one)."""
        k = max(1, len(self.loss) // 10)
        return float(np.mean(self.loss[-k:]))

    @property
    def median_step_s(self) -> float:
        """Median wall time per optimiser step (robust to the first, slower steps)."""
        return float(np.median(self.step_s)) if self.step_s else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def lr_factor(step: int, *, steps: int, warmup_steps: int = 0, schedule: str = "cosine",
              min_lr_ratio: float = 0.1) -> float:
    """Multiplier of the peak lr at ``step`` (0-based): linear warm-up, then the schedule."""
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    if warmup_steps > 0 and step < warmup_steps:
        return (step + 1) / warmup_steps
    if schedule == "constant":
        return 1.0
    s = (step - warmup_steps) / max(1, steps - warmup_steps)
    s = min(max(s, 0.0), 1.0)
    return min_lr_ratio + (1 - min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * s))


def make_optimizer(model: nn.Module, *, lr: float, weight_decay: float = 0.01,
                   betas: tuple[float, float] = (0.9, 0.95)) -> torch.optim.Optimizer:
    """AdamW with weight decay on matrices only (biases, norms, gains are not decayed)."""
    decay, no_decay = [], []
    for p in model.parameters():
        if p.requires_grad:
            (decay if p.dim() >= 2 else no_decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=betas)


def fit(model: nn.Module, loss_fn: Callable, batches: Iterable | Callable[[int], Any], *,
        steps: int, lr: float = 3e-4, weight_decay: float = 0.01,
        betas: tuple[float, float] = (0.9, 0.95), warmup_steps: int = 0,
        schedule: str = "cosine", min_lr_ratio: float = 0.1, grad_clip: float | None = 1.0,
        optimizer: torch.optim.Optimizer | None = None, spike_factor: float = 2.0,
        tokens_per_batch: int | None = None,
        eval_fn: Callable[[nn.Module, int], dict] | None = None, eval_every: int | None = None,
        progress: Callable[[Iterable], Iterable] | None = None) -> History:
    """Train ``model`` for ``steps`` optimiser steps; returns the :class:`History`."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if lr <= 0:
        raise ValueError(f"lr must be > 0, got {lr}")
    if warmup_steps < 0 or warmup_steps > steps:
        raise ValueError(f"warmup_steps must be in [0, steps={steps}], got {warmup_steps}")
    lr_factor(0, steps=steps, schedule=schedule)  # validates schedule
    opt = optimizer or make_optimizer(model, lr=lr, weight_decay=weight_decay, betas=betas)
    base = [g["lr"] for g in opt.param_groups]
    it = None if callable(batches) else iter(batches)
    hist = History()
    model.train()
    rng = range(steps) if progress is None else progress(range(steps))
    t0 = time.perf_counter()
    for step in rng:
        ts = time.perf_counter()
        f = lr_factor(step, steps=steps, warmup_steps=warmup_steps, schedule=schedule,
                      min_lr_ratio=min_lr_ratio)
        for g, b in zip(opt.param_groups, base):
            g["lr"] = b * f
        batch = batches(step) if it is None else next(it)
        out = loss_fn(model, batch)
        loss = out[0] if isinstance(out, tuple) else out
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip is not None:
            gn = float(torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip))
        else:
            gn = float(torch.sqrt(sum((p.grad.float() ** 2).sum() for p in model.parameters()
                                      if p.grad is not None)))
        opt.step()
        lv = float(loss.detach())
        if len(hist.loss) >= 10 and lv > spike_factor * float(np.median(hist.loss[-50:])):
            hist.n_spikes += 1
        hist.loss.append(lv)
        hist.lr.append(base[0] * f)
        hist.grad_norm.append(gn)
        hist.step_s.append(time.perf_counter() - ts)
        if hasattr(rng, "set_postfix") and step % 20 == 0:
            rng.set_postfix(loss=f"{lv:.3f}", refresh=False)
        if eval_fn is not None and eval_every and (step + 1) % eval_every == 0 \
                and step + 1 < steps:
            hist.evals.append({"step": step + 1, **_run_eval(eval_fn, model, step + 1)})
    hist.wall_s = time.perf_counter() - t0
    if tokens_per_batch is not None:
        hist.tokens_per_s = tokens_per_batch * steps / max(hist.wall_s, 1e-12)
    if eval_fn is not None:
        hist.evals.append({"step": steps, **_run_eval(eval_fn, model, steps)})
    return hist


def _run_eval(eval_fn, model: nn.Module, step: int) -> dict:
    """The eval hook under ``torch.no_grad`` in eval mode; training mode is restored."""
    model.eval()
    with torch.no_grad():
        out = dict(eval_fn(model, step))
    model.train()
    return out
