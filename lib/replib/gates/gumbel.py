"""Gumbel gates with straight-through gradients: one-hot, binary and row-wise top-k masks.

* Gumbel-softmax (Jang et al., 2017; Maddison et al., 2017): y = softmax((ℓ + g)/τ),
  g_i = −log(−log U_i). The hard forward is the one-hot argmax (Gumbel-max: P(i) =
  softmax(ℓ)_i exactly); ``backward="relaxed"`` passes the gradient of the soft y.
* Gumbel-sigmoid (binary Concrete): y = σ((ℓ + log U − log(1 − U))/τ); the hard gate is
  1[y > 1/2], whose probability is σ(ℓ) for any τ. ``backward="relaxed"`` uses ∂y/∂ℓ,
  ``"identity"`` passes the upstream gradient to ℓ unchanged, ``"sigmoid"`` uses σ′(ℓ/τ)/τ
  of the noise-free gate (design.md §4 item 7 names the three variants).
* Gumbel top-k (CommFormer, Hu et al. ICLR 2024, official ``cformer.py``): per row, the k
  largest of (ℓ + g) give the hard 0/1 mask (a Plackett–Luce sample without replacement);
  the backward is that of y = softmax((ℓ + g)/τ): A = A_hard − y.detach() + y.

Every function returns a tensor shaped like ``logits`` whose forward value is exactly the
hard mask (when ``hard=True``), and whose gradient is the chosen surrogate. The
deterministic forms (``onehot_st``, ``sigmoid_gate_st``, ``topk_mask_st``) drop the noise:
they are the evaluation/execution versions with the same straight-through backward.
Randomness comes only from the optional ``generator``.
"""

from __future__ import annotations

import torch

__all__ = ["gumbel_noise", "logistic_noise", "gumbel_softmax", "gumbel_sigmoid", "gumbel_topk",
           "onehot_st", "sigmoid_gate_st", "topk_mask_st", "BACKWARDS", "k_from_sparsity"]

BACKWARDS = ("relaxed", "identity", "sigmoid")


def _uniform(like: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    u = torch.rand(like.shape, generator=generator, device=like.device, dtype=like.dtype)
    return u.clamp(torch.finfo(like.dtype).tiny, 1.0 - torch.finfo(like.dtype).eps)


def gumbel_noise(like: torch.Tensor, *, generator: torch.Generator | None = None) -> torch.Tensor:
    """Standard Gumbel samples g = −log(−log U), shaped like ``like``."""
    return -torch.log(-torch.log(_uniform(like, generator)))


def logistic_noise(like: torch.Tensor, *,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """Standard logistic samples log U − log(1 − U) (difference of two Gumbels)."""
    u = _uniform(like, generator)
    return torch.log(u) - torch.log1p(-u)


def _st(hard: torch.Tensor, soft: torch.Tensor) -> torch.Tensor:
    """Forward ``hard``, backward ``soft``: hard − soft.detach() + soft."""
    return hard - soft.detach() + soft


def _check(temperature: float, backward: str | None = None) -> None:
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    if backward is not None and backward not in BACKWARDS:
        raise ValueError(f"backward must be one of {BACKWARDS}, got {backward!r}")


def onehot_st(logits: torch.Tensor, *, temperature: float = 1.0, dim: int = -1) -> torch.Tensor:
    """Deterministic one-hot argmax with the softmax(ℓ/τ) straight-through gradient."""
    _check(temperature)
    soft = torch.softmax(logits / temperature, dim)
    hard = torch.zeros_like(soft).scatter_(dim, soft.argmax(dim, keepdim=True), 1.0)
    return _st(hard, soft)


def gumbel_softmax(logits: torch.Tensor, *, temperature: float = 1.0, hard: bool = True,
                   dim: int = -1, generator: torch.Generator | None = None) -> torch.Tensor:
    """Gumbel-softmax sample; one-hot forward when ``hard`` (relaxed backward)."""
    _check(temperature)
    y = torch.softmax((logits + gumbel_noise(logits, generator=generator)) / temperature, dim)
    if not hard:
        return y
    one = torch.zeros_like(y).scatter_(dim, y.argmax(dim, keepdim=True), 1.0)
    return _st(one, y)


def _binary(logits: torch.Tensor, pre: torch.Tensor, temperature: float, hard: bool,
            backward: str) -> torch.Tensor:
    soft = torch.sigmoid(pre / temperature)
    if not hard:
        return soft
    h = (pre > 0).to(logits.dtype)  # = 1[soft > 1/2]
    if backward == "relaxed":
        return _st(h, soft)
    if backward == "identity":
        return _st(h, logits)
    return _st(h, torch.sigmoid(logits / temperature))  # "sigmoid": σ′ of the noise-free gate


def gumbel_sigmoid(logits: torch.Tensor, *, temperature: float = 1.0, hard: bool = True,
                   backward: str = "relaxed",
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """Binary Gumbel-sigmoid gate; P(gate = 1) = σ(ℓ). Forward 0/1 when ``hard``."""
    _check(temperature, backward)
    return _binary(logits, logits + logistic_noise(logits, generator=generator), temperature,
                   hard, backward)


def sigmoid_gate_st(logits: torch.Tensor, *, temperature: float = 1.0,
                    backward: str = "relaxed") -> torch.Tensor:
    """Deterministic binary gate 1[ℓ > 0] with a straight-through backward."""
    _check(temperature, backward)
    return _binary(logits, logits, temperature, True, backward)


def _topk_hard(scores: torch.Tensor, k: int, dim: int) -> torch.Tensor:
    n = scores.shape[dim]
    if not 1 <= k <= n:
        raise ValueError(f"k must be in [1, {n}] for this dimension, got {k}")
    idx = scores.topk(k, dim=dim).indices
    return torch.zeros_like(scores).scatter_(dim, idx, 1.0)


def gumbel_topk(logits: torch.Tensor, *, k: int, temperature: float = 1.0, hard: bool = True,
                dim: int = -1, generator: torch.Generator | None = None) -> torch.Tensor:
    """Row-wise Gumbel top-k mask (k ones per row along ``dim``), softmax straight-through."""
    _check(temperature)
    pert = (logits + gumbel_noise(logits, generator=generator)) / temperature
    y = torch.softmax(pert, dim)
    if not hard:
        return y
    return _st(_topk_hard(pert, k, dim), y)


def topk_mask_st(logits: torch.Tensor, *, k: int, temperature: float = 1.0,
                 dim: int = -1) -> torch.Tensor:
    """Deterministic top-k mask of ``logits`` with the softmax(ℓ/τ) straight-through gradient
    (CommFormer's execution-time graph)."""
    _check(temperature)
    return _st(_topk_hard(logits, k, dim), torch.softmax(logits / temperature, dim))


def k_from_sparsity(n: int, sparsity: float) -> int:
    """CommFormer's k = max(1, ⌊n·S⌋) edges per row for sparsity S in (0, 1]."""
    if not 0 < sparsity <= 1:
        raise ValueError(f"sparsity must be in (0, 1], got {sparsity}")
    return max(1, int(n * sparsity + 1e-9))
