"""Rejection-sampling fine-tuning (RFT, best-of-n distillation) for small policies, and a
learned feedback model for the "text feedback" (TFB) variant — El & Zou (2025), "Moloch's
Bargain", Sec. on training: sample n candidates per anchor from the current policy, let the
audience judge them, keep the winner, and fit the policy to the winners by maximum
likelihood (the official code: SFT next-token loss on (prompt -> winner), LoRA).

Policy: a factorised log-linear (tabular softmax) policy over per-slot choices,
    π_θ(m | x) = Π_a softmax(θ[a, x_a])[m_a],
with x_a ∈ {0..S-1} the context state of slot a and m_a ∈ {0..C-1} its choice (in the
moloch chapter: an attribute's true level and the stated level). One RFT update minimises

    L(θ) = - mean_i log π_θ(w_i | x_i) + β_kl · mean_i KL(π_θ(· | x_i) || π_0(· | x_i)),

with w_i the winner for anchor i and π_0 the initial ("instructed truthful") policy.
``FeedbackModel`` is ridge regression of the audience's per-message feedback on message
features; TFB ranks candidates by it (the paper's TFB trains the model to predict the
audience's written reasons as well; here the reasons are the personas' utilities).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["TabularPolicy", "RFTStats", "rft_update", "rft_round", "FeedbackModel"]


class TabularPolicy(torch.nn.Module):
    """θ of shape (n_slots, n_states, n_choices); ``truthful_prior`` puts ``strength`` on
    choice == state (state 0 -> choice 0: say nothing about an absent slot)."""

    def __init__(self, *, n_slots: int, n_states: int, n_choices: int, strength: float):
        super().__init__()
        eye = torch.zeros(n_states, n_choices)
        for s in range(min(n_states, n_choices)):
            eye[s, s] = 1.0
        init = strength * eye.expand(n_slots, n_states, n_choices).clone()
        self.theta = torch.nn.Parameter(init)
        self.register_buffer("theta0", init.clone())

    def logits(self, states: torch.Tensor, *, reference: bool = False) -> torch.Tensor:
        """(n, n_slots, n_choices) logits for contexts ``states`` (n, n_slots) long."""
        th = self.theta0 if reference else self.theta
        # one-hot contraction instead of th[slots, states]: the backward of advanced
        # indexing is an index_put with accumulation, very slow in deterministic mode
        onehot = torch.nn.functional.one_hot(states, th.shape[1]).to(th.dtype)  # (n, A, S)
        return torch.einsum("nas,asc->nac", onehot, th)

    def sample(self, states: torch.Tensor, n_samples: int,
               generator: torch.Generator) -> torch.Tensor:
        """(n, n_samples, n_slots) sampled messages."""
        with torch.no_grad():
            p = torch.softmax(self.logits(states), -1)  # (n, A, C)
            n, a, c = p.shape
            flat = p.reshape(n * a, c)
            draw = torch.multinomial(flat, n_samples, replacement=True, generator=generator)
            return draw.reshape(n, a, n_samples).permute(0, 2, 1)

    def log_prob(self, states: torch.Tensor, messages: torch.Tensor) -> torch.Tensor:
        """(n,) log π(message | states) for messages (n, n_slots)."""
        lp = torch.log_softmax(self.logits(states), -1)
        return lp.gather(-1, messages[..., None]).squeeze(-1).sum(-1)


@dataclass(frozen=True)
class RFTStats:
    """One RFT round: NLL of the winners before/after, KL to the reference after."""

    nll_before: float
    nll_after: float
    kl: float


def rft_update(policy: TabularPolicy, states: torch.Tensor, winners: torch.Tensor, *,
               beta_kl: float, lr: float, steps: int) -> RFTStats:
    """Maximum likelihood on winners with a KL pull to the initial policy (Adam, written
    out: ``torch.optim`` costs seconds of imports on first use, more than the whole fit).

    The policy is tabular, so the batch loss reduces exactly to sufficient statistics:
    N[a, s, c] = share of (slot a in state s, winner chose c) and M[a, s] = share of
    contexts with slot a in state s; NLL = -Σ N log π, KL = Σ M KL(π[a, s] || π0[a, s]).
    """
    th = policy.theta
    n, A = states.shape
    S, C = th.shape[1], th.shape[2]
    oh_s = torch.nn.functional.one_hot(states, S).to(th.dtype)  # (n, A, S)
    oh_w = torch.nn.functional.one_hot(winners, C).to(th.dtype)  # (n, A, C)
    N = torch.einsum("nas,nac->asc", oh_s, oh_w) / n
    Mctx = oh_s.sum(0) / n  # (A, S)
    ref = torch.log_softmax(policy.theta0, -1)
    m1, m2 = torch.zeros_like(th), torch.zeros_like(th)
    b1, b2, eps = 0.9, 0.999, 1e-8

    def losses():
        lp = torch.log_softmax(th, -1)
        return -(N * lp).sum(), (Mctx[..., None] * lp.exp() * (lp - ref)).sum()

    with torch.no_grad():
        nll0 = float(losses()[0])
    kl = torch.tensor(0.0)
    for t in range(1, steps + 1):
        nll, kl = losses()
        (g,) = torch.autograd.grad(nll + beta_kl * kl, th)
        with torch.no_grad():
            m1.mul_(b1).add_(g, alpha=1 - b1)
            m2.mul_(b2).addcmul_(g, g, value=1 - b2)
            th.sub_(lr * (m1 / (1 - b1 ** t)) / ((m2 / (1 - b2 ** t)).sqrt() + eps))
    with torch.no_grad():
        nll1 = float(losses()[0])
    return RFTStats(nll0, nll1, float(kl.detach()))


def rft_round(policy: TabularPolicy, states: torch.Tensor, *, n_samples: int,
              score: Callable[[np.ndarray], np.ndarray], beta_kl: float, lr: float,
              steps: int, generator: torch.Generator,
              rng: np.random.Generator) -> tuple[RFTStats, np.ndarray]:
    """Sample ``n_samples`` candidates per context, score them with ``score`` (candidates
    (n, n_samples, n_slots) -> (n, n_samples), higher is better), keep each context's best
    (ties at random) and update. Returns the stats and the winners (n, n_slots)."""
    cand = policy.sample(states, n_samples, generator)
    s = np.asarray(score(cand.numpy()), dtype=np.float64)
    s = s + 1e-9 * rng.random(s.shape)  # random tie-break
    best = s.argmax(1)
    winners = cand[torch.arange(cand.shape[0]), torch.as_tensor(best)]
    return rft_update(policy, states, winners, beta_kl=beta_kl, lr=lr, steps=steps), \
        winners.numpy()


class FeedbackModel:
    """Ridge regression y ≈ φ(m)·w + b of audience feedback on message features."""

    def __init__(self, *, ridge: float = 1.0):
        self.ridge = float(ridge)
        self.w: np.ndarray | None = None

    def fit(self, features: np.ndarray, feedback: np.ndarray) -> FeedbackModel:
        X = np.c_[features, np.ones(len(features))]
        reg = self.ridge * np.eye(X.shape[1])
        reg[-1, -1] = 0.0
        self.w = np.linalg.solve(X.T @ X + reg, X.T @ feedback)
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        if self.w is None:
            raise RuntimeError("FeedbackModel.predict before fit")
        return features @ self.w[:-1] + self.w[-1]
