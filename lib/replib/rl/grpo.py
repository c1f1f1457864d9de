"""Group Relative Policy Optimization (GRPO) on per-sample log-probabilities of any policy.

Shao et al. 2024 ("DeepSeekMath", Sec. 4.1, Eq. 3): for each prompt, sample a group of G
outputs with the behaviour policy π_old, score them with rewards r_1..r_G, and give every
step of output i the same advantage

    A_i = (r_i − mean(r)) / (std(r) + ε).

The policy maximises the clipped surrogate (PPO, Schulman et al. 2017) with a KL penalty to a
frozen reference policy,

    J = E[ min(ρ_t A_i, clip(ρ_t, 1 − ε_clip, 1 + ε_clip) A_i) − β · KL_t ],
    ρ_t = π(a_t) / π_old(a_t),   KL_t = π_ref/π − log(π_ref/π) − 1  (the unbiased "k3" estimator).

The functions work on ``(n_samples, n_steps)`` log-probabilities with a validity mask, so the
"steps" can be tokens of a language model (thinking-sparks) or construction steps of any
sequential policy (tourplanner). ``aggregation="sample"`` averages over each sample's steps
and then over samples (the paper's 1/|o_i| normalisation); ``"token"`` averages over all valid
steps of the batch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

__all__ = ["GRPOStats", "group_advantages", "token_logprobs", "kl_k3", "grpo_loss",
           "AGGREGATIONS"]

AGGREGATIONS = ("sample", "token")


@dataclass(frozen=True)
class GRPOStats:
    """Per-update statistics (floats) of :func:`grpo_loss`."""

    loss: float
    policy_loss: float
    kl: float
    clip_frac: float
    ratio_mean: float
    adv_abs_mean: float

    def to_dict(self) -> dict:
        return asdict(self)


def group_advantages(rewards: torch.Tensor, *, group_size: int | None = None,
                     eps: float = 1e-4, scale: bool = True) -> torch.Tensor:
    """Group-relative advantages ``(r − mean_group) / (std_group + eps)``.

    ``rewards`` is ``(n_groups, G)``, or flat ``(n_groups * G,)`` with ``group_size`` given;
    the result has the same shape. ``scale=False`` returns ``r − mean`` (Dr. GRPO's variant).
    The standard deviation is the population one (ddof 0). A group with equal rewards gets
    zero advantage.
    """
    r = torch.as_tensor(rewards, dtype=torch.float32)
    flat = r.dim() == 1
    if flat:
        if group_size is None or group_size < 1 or r.numel() % group_size:
            raise ValueError(f"group_size={group_size} is not allowed: expected a positive "
                             f"divisor of the number of rewards ({r.numel()})")
        r = r.view(-1, group_size)
    elif r.dim() != 2:
        raise ValueError(f"rewards shape {tuple(r.shape)} is not allowed: expected "
                         "(n_groups, group_size) or flat with group_size")
    a = r - r.mean(dim=1, keepdim=True)
    if scale:
        a = a / (r.std(dim=1, unbiased=False, keepdim=True) + eps)
    return a.reshape(-1) if flat else a


def token_logprobs(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """log π(tokens) from logits ``(n, L, V)`` and chosen ids ``(n, L)`` → ``(n, L)``."""
    if logits.shape[:-1] != tokens.shape:
        raise ValueError(f"logits {tuple(logits.shape)} and tokens {tuple(tokens.shape)} "
                         "must agree on (n, L)")
    return torch.log_softmax(logits.float(), dim=-1).gather(-1, tokens[..., None]).squeeze(-1)


def kl_k3(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """Per-step KL(π‖π_ref) estimate exp(d) − d − 1 with d = log π_ref − log π (≥ 0)."""
    d = ref_logp - logp
    return torch.exp(d) - d - 1.0


def _aggregate(x: torch.Tensor, mask: torch.Tensor, how: str) -> torch.Tensor:
    m = mask.to(x.dtype)
    if how == "token":
        return (x * m).sum() / m.sum().clamp_min(1.0)
    per = (x * m).sum(dim=1) / m.sum(dim=1).clamp_min(1.0)
    return per.mean()


def grpo_loss(logp: torch.Tensor, old_logp: torch.Tensor, advantages: torch.Tensor, *,
              mask: torch.Tensor | None = None, ref_logp: torch.Tensor | None = None,
              clip_eps: float = 0.2, kl_coef: float = 0.0,
              aggregation: str = "sample") -> tuple[torch.Tensor, GRPOStats]:
    """The GRPO loss (to minimise) and its statistics.

    Args:
        logp: ``(n, L)`` log-probs of the taken steps under the current policy (with grad).
        old_logp: same under the behaviour policy that sampled them (detached inside).
        advantages: ``(n,)`` one advantage per sample (broadcast over its steps) or ``(n, L)``.
        mask: ``(n, L)`` valid steps (default: all).
        ref_logp: log-probs under the frozen reference policy; required when ``kl_coef > 0``.
        clip_eps: PPO clip range ε.
        kl_coef: β of the KL penalty.
        aggregation: ``"sample"`` or ``"token"`` (module docstring).
    """
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"aggregation={aggregation!r} is not allowed: expected one of "
                         f"{list(AGGREGATIONS)}")
    if clip_eps <= 0:
        raise ValueError(f"clip_eps={clip_eps} is not allowed: expected a number > 0")
    if kl_coef < 0 or (kl_coef > 0 and ref_logp is None):
        raise ValueError(f"kl_coef={kl_coef} is not allowed: expected >= 0, and ref_logp "
                         "must be given when it is > 0")
    if old_logp.shape != logp.shape:
        raise ValueError(f"old_logp shape {tuple(old_logp.shape)} must equal logp shape "
                         f"{tuple(logp.shape)}")
    mask = torch.ones_like(logp, dtype=torch.bool) if mask is None else mask.bool()
    adv = advantages.to(logp.dtype)
    if adv.dim() == 1:
        adv = adv[:, None].expand_as(logp)
    ratio = torch.exp(logp - old_logp.detach())
    clipped = ratio.clamp(1.0 - clip_eps, 1.0 + clip_eps)
    surrogate = torch.minimum(ratio * adv, clipped * adv)
    per_step = -surrogate
    kl = torch.zeros_like(logp)
    if ref_logp is not None:
        kl = kl_k3(logp, ref_logp.detach())
        per_step = per_step + kl_coef * kl
    loss = _aggregate(per_step, mask, aggregation)
    with torch.no_grad():
        m = mask
        stats = GRPOStats(
            loss=float(loss), policy_loss=float(_aggregate(-surrogate, mask, aggregation)),
            kl=float(_aggregate(kl, mask, aggregation)),
            clip_frac=float(((ratio - clipped).abs() > 0)[m].float().mean()) if m.any() else 0.0,
            ratio_mean=float(ratio[m].mean()) if m.any() else 1.0,
            adv_abs_mean=float(adv[m].abs().mean()) if m.any() else 0.0)
    return loss, stats
