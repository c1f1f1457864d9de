"""Synthetic token tasks with known answers and answer masks.

* ``mqar``: multi-query associative recall (Arora et al. 2023, "Zoology", Sec. 3.1; the
  recall test of GLA, Yang et al. 2024, Fig. 4): ``n_pairs`` key–value pairs
  (keys from [1, V/2), values from [V/2, V)) at the start, then each of ``n_queries`` keys
  appears again; the target at a query position is its value. Blank positions are token 0.
  ``placement``: "uniform" (query slots drawn at random after the pairs, as in Zoology),
  "near" (queries right after the pairs), "far" (queries at the end of the sequence).
* ``associative_recall``: one query after ``n_pairs`` pairs (GAM chapter, E3); the queried
  pair is the last one ("near"), one whose key is more than ``far_gap`` tokens before the
  query ("far"), or a 50/50 mix ("mix"). ``extra`` holds ``far`` and ``distance``.
* ``selective_copy``: ``n_tokens`` data tokens scattered among noise, then a delimiter;
  the model must emit them in order (Gu & Dao 2023, "Mamba", Sec. 3.1).
* ``bigram_backcopy``: BOS, then a random sparse bigram chain; after a trigger token the
  next token copies the token before the trigger (Guo et al. 2024, "Active-Dormant
  Attention Heads", Sec. 2). The mask marks the copy positions.

Every generator returns a ``SeqTask(inputs, targets, mask, extra)``: inputs (n, T) int64,
targets (n, T) with -1 where nothing is scored, mask (n, T) bool = targets >= 0; it is
deterministic given the ``torch.Generator``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

__all__ = ["SeqTask", "mqar", "associative_recall", "selective_copy", "bigram_backcopy",
           "PLACEMENTS", "RECALL_MODES"]

PLACEMENTS = ("uniform", "near", "far")
RECALL_MODES = ("near", "far", "mix")


@dataclass(frozen=True)
class SeqTask:
    """A batch of task sequences: inputs, next-token targets (-1 = unscored), mask."""

    inputs: torch.Tensor
    targets: torch.Tensor
    mask: torch.Tensor
    extra: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return self.inputs.shape[0]


def _distinct(n: int, k: int, lo: int, hi: int, g) -> torch.Tensor:
    """(n, k) distinct integers per row from [lo, hi)."""
    return torch.rand(n, hi - lo, generator=g).argsort(dim=1)[:, :k] + lo


def mqar(*, n_samples: int, vocab_size: int, seq_len: int, n_pairs: int,
         n_queries: int | None = None, placement: str = "uniform",
         generator: torch.Generator | None = None) -> SeqTask:
    """Multi-query associative recall batch (Zoology's MQAR, ``associative_recall._mqar``).

    ``k1 v1 … kP vP`` then queries at even slots: the query key, followed by a blank (0).
    The answer is only the target at the key's position, never an input token: written into
    the input, every pair being queried once would let the last answers follow by
    elimination (3 pairs: 0.61 accuracy with no recall at all)."""
    if placement not in PLACEMENTS:
        raise ValueError(f"placement must be one of {PLACEMENTS}, got {placement!r}")
    nq = n_pairs if n_queries is None else n_queries
    if not 1 <= nq <= n_pairs:
        raise ValueError(f"n_queries must be in [1, n_pairs={n_pairs}], got {nq}")
    if n_pairs > vocab_size // 2 - 1:
        raise ValueError(f"n_pairs must be <= vocab_size//2 - 1 = {vocab_size // 2 - 1}, "
                         f"got {n_pairs}")
    n_slots = (seq_len - 2 * n_pairs) // 2
    if n_slots < nq:
        raise ValueError(f"seq_len={seq_len} too short: needs >= {2 * n_pairs + 2 * nq} for "
                         f"{n_pairs} pairs and {nq} queries")
    g, n, half = generator, n_samples, vocab_size // 2
    keys = _distinct(n, n_pairs, 1, half, g)
    vals = torch.randint(half, vocab_size, (n, n_pairs), generator=g)
    x = torch.zeros(n, seq_len, dtype=torch.long)
    y = torch.full((n, seq_len), -1, dtype=torch.long)
    x[:, 0:2 * n_pairs:2], x[:, 1:2 * n_pairs:2] = keys, vals
    which = torch.rand(n, n_pairs, generator=g).argsort(dim=1)[:, :nq]   # queried pairs
    if placement == "uniform":
        slots = torch.rand(n, n_slots, generator=g).argsort(dim=1)[:, :nq].sort(dim=1).values
    elif placement == "near":
        slots = torch.arange(nq).expand(n, nq)
    else:
        slots = torch.arange(n_slots - nq, n_slots).expand(n, nq)
    pos = 2 * n_pairs + 2 * slots                                          # (n, nq)
    rows = torch.arange(n)[:, None]
    qk, qv = keys.gather(1, which), vals.gather(1, which)
    x[rows, pos] = qk                     # x[rows, pos + 1] stays blank: the answer is a label
    y[rows, pos] = qv
    dist = pos - 2 * which
    return SeqTask(x, y, y >= 0, {"distance": dist})


def associative_recall(*, n_samples: int, n_keys: int, n_values: int, n_pairs: int,
                       mode: str = "mix", far_gap: int | None = None,
                       generator: torch.Generator | None = None) -> SeqTask:
    """k1 v1 … kP vP q a: one query; target at the query position is its value.

    Tokens: keys [0, n_keys), values [n_keys, n_keys + n_values). Sequence length 2P + 2.
    "far" picks a pair whose key is more than ``far_gap`` positions before the query.
    """
    if mode not in RECALL_MODES:
        raise ValueError(f"mode must be one of {RECALL_MODES}, got {mode!r}")
    if n_pairs > n_keys:
        raise ValueError(f"n_pairs must be <= n_keys={n_keys}, got {n_pairs}")
    g, n, P = generator, n_samples, n_pairs
    qpos = 2 * P
    dist_of = qpos - 2 * torch.arange(P)                  # distance query -> key i
    if mode != "near":
        if far_gap is None:
            raise ValueError("far_gap is required for mode 'far' or 'mix' (e.g. the "
                             "receptive field n_layers*(kernel-1)+1)")
        far_ok = torch.nonzero(dist_of > far_gap).flatten()
        if far_ok.numel() == 0:
            raise ValueError(f"far_gap={far_gap} leaves no far pair: needs far_gap < {2 * P}")
    keys = _distinct(n, P, 0, n_keys, g)
    vals = torch.randint(n_keys, n_keys + n_values, (n, P), generator=g)
    far = torch.zeros(n, dtype=torch.bool) if mode == "near" else (
        torch.ones(n, dtype=torch.bool) if mode == "far" else
        torch.rand(n, generator=g) < 0.5)
    which = torch.full((n,), P - 1, dtype=torch.long)
    if mode != "near":
        pick = far_ok[torch.randint(0, far_ok.numel(), (n,), generator=g)]
        which = torch.where(far, pick, which)
    x = torch.zeros(n, 2 * P + 2, dtype=torch.long)
    x[:, 0:2 * P:2], x[:, 1:2 * P:2] = keys, vals
    rows = torch.arange(n)
    x[:, qpos] = keys[rows, which]
    x[:, qpos + 1] = vals[rows, which]
    y = torch.full_like(x, -1)
    y[:, qpos] = vals[rows, which]
    return SeqTask(x, y, y >= 0, {"far": far, "distance": dist_of[which]})


def selective_copy(*, n_samples: int, vocab_size: int, n_tokens: int, seq_len: int,
                   generator: torch.Generator | None = None) -> SeqTask:
    """Noise token 0, data tokens [1, V-1), delimiter V-1; length seq_len + n_tokens."""
    if n_tokens > seq_len:
        raise ValueError(f"n_tokens must be <= seq_len={seq_len}, got {n_tokens}")
    if vocab_size < 3:
        raise ValueError(f"vocab_size must be >= 3, got {vocab_size}")
    g, n = generator, n_samples
    data = torch.randint(1, vocab_size - 1, (n, n_tokens), generator=g)
    pos = torch.rand(n, seq_len, generator=g).argsort(dim=1)[:, :n_tokens].sort(dim=1).values
    ctx = torch.zeros(n, seq_len, dtype=torch.long)
    ctx.scatter_(1, pos, data)
    delim = torch.full((n, 1), vocab_size - 1, dtype=torch.long)
    x = torch.cat([ctx, delim, data[:, :-1]], dim=1)
    y = torch.full_like(x, -1)
    y[:, seq_len:] = data
    return SeqTask(x, y, y >= 0, {})


def bigram_backcopy(*, n_samples: int, vocab_size: int, seq_len: int, n_triggers: int = 3,
                    n_successors: int = 4, generator: torch.Generator | None = None,
                    transition: torch.Tensor | None = None) -> SeqTask:
    """BOS = token 0; tokens 1..n_triggers are triggers; other tokens follow a sparse bigram.

    ``transition`` (V, V) row-stochastic may be passed so that train and test share it;
    otherwise one is drawn (each token gets ``n_successors`` random non-BOS successors).
    ``extra["transition"]`` returns it. Targets: every next token; mask: the copy positions.
    """
    if n_triggers < 1 or n_triggers + 2 > vocab_size:
        raise ValueError(f"n_triggers must be in [1, vocab_size-2], got {n_triggers}")
    g, n, V = generator, n_samples, vocab_size
    if transition is None:
        transition = torch.zeros(V, V)
        for a in range(V):
            succ = torch.randperm(V - 1, generator=g)[:n_successors] + 1
            transition[a, succ] = 1.0 / n_successors
    elif transition.shape != (V, V):
        raise ValueError(f"transition must be ({V}, {V}), got {tuple(transition.shape)}")
    x = torch.zeros(n, seq_len + 1, dtype=torch.long)
    copy = torch.zeros(n, seq_len + 1, dtype=torch.bool)
    x[:, 1] = torch.multinomial(transition[0], n, replacement=True, generator=g)
    for t in range(2, seq_len + 1):
        nxt = torch.multinomial(transition[x[:, t - 1]], 1, generator=g).squeeze(1)
        trig = (x[:, t - 1] >= 1) & (x[:, t - 1] <= n_triggers) & (t >= 3)
        x[:, t] = torch.where(trig, x[:, t - 2], nxt)
        copy[:, t] = trig
    inputs, targets = x[:, :-1], x[:, 1:].clone()
    mask = copy[:, 1:]
    return SeqTask(inputs, targets, mask, {"transition": transition})
