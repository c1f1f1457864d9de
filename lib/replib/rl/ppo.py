"""PPO for single- and multi-agent batched envs (A2C as its one-epoch special case).

Schulman et al. (2017), "Proximal Policy Optimization Algorithms", Eq. 7 and 9:
    L = E[min(ρ A, clip(ρ, 1 ± ε) A)] − c_v L_V + c_e H[π],   ρ = π(a|o) / π_old(a|o),
with GAE advantages (``rl.rollout.gae``), normalised per batch. The value loss is plain
squared error, the PPO2 clipped form max((V − R)², (V_old + clip(V − V_old, ±ε_v) − R)²),
or Huber (MAPPO, Yu et al. 2022), optionally with value normalisation.

Multi-agent: the policy sees all agents of an env at once (``(B, n_agents, obs)``), so one
module gives shared-parameter agents (an MLP over the last axis), communicating agents
(CommFormer's graph attention) or a centralised critic (``use_state=True`` passes the env's
global state). Losses average over agents. Discrete actions, masked (first head) or several
independent heads. A recurrent policy (``initial_hidden``) is trained on whole rollouts per
env (minibatches over envs, hidden states replayed with resets at episode starts).

A2C: ``n_epochs=1, n_minibatches=1`` makes ρ ≡ 1 at the single gradient step, where the
clipped surrogate's gradient equals A·∇log π (the A2C/REINFORCE-with-baseline gradient).

Extra parameter groups (CommFormer's bi-level update, Hu et al. 2024, ``mat_trainer.py``):
``AuxOptimizer(optimizer, every=5)`` steps its own optimiser on the PPO loss on every
``every``-th epoch (counted within an update, from ``start_update`` on); with
``exclusive=True`` the main optimiser skips those epochs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from replib.envs.api import BatchedEnv
from replib.rl.rollout import (
    Collector,
    PolicyOut,
    Rollout,
    RunningNorm,
    log_prob_entropy,
    masked_logits,
    reset_hidden,
)

__all__ = ["PPO", "PPOStats", "AuxOptimizer", "MLPPolicy", "VALUE_LOSSES"]

VALUE_LOSSES = ("mse", "clipped", "huber", "huber_clipped")


@dataclass(frozen=True)
class PPOStats:
    """Per-update statistics (means over the update's minibatches)."""

    update: int
    env_steps: int
    policy_loss: float
    value_loss: float
    entropy: float
    approx_kl: float
    clip_frac: float
    explained_var: float
    grad_norm: float
    mean_reward: float  # per env step and agent, over the rollout
    episode_return: float  # mean over episodes finished in this rollout (nan if none)
    episodes: int
    aux_steps: int  # optimiser steps taken by the extra parameter groups

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class AuxOptimizer:
    """An extra optimiser for its own parameters, stepping every ``every``-th epoch of the
    updates ``start_update <= update < stop_update`` (``None``: no end). ``exclusive``: the
    main optimiser skips the epochs this one steps in."""

    optimizer: torch.optim.Optimizer
    every: int = 5
    start_update: int = 0
    exclusive: bool = True
    stop_update: int | None = None

    def active(self, update: int, epoch: int) -> bool:
        in_window = self.start_update <= update and (self.stop_update is None
                                                     or update < self.stop_update)
        return in_window and (epoch + 1) % self.every == 0

    def params(self) -> list[torch.Tensor]:
        return [p for g in self.optimizer.param_groups for p in g["params"]]


class MLPPolicy(nn.Module):
    """Actor-critic MLP over the last axis (shared parameters across agents), tanh units;
    orthogonal init as in stable-baselines3 (gain √2, policy head 0.01, value head 1)."""

    def __init__(self, *, obs_dim: int, n_actions: int | Sequence[int],
                 hidden_sizes: Sequence[int] = (64, 64), shared: bool = False):
        super().__init__()
        heads = [n_actions] if isinstance(n_actions, int) else list(n_actions)

        def trunk() -> nn.Sequential:
            layers, d = [], obs_dim
            for h in hidden_sizes:
                layers += [nn.Linear(d, h), nn.Tanh()]
                d = h
            return nn.Sequential(*layers)

        self.pi_body = trunk()
        self.v_body = self.pi_body if shared else trunk()
        d = hidden_sizes[-1] if hidden_sizes else obs_dim
        self.pi_heads = nn.ModuleList(nn.Linear(d, n) for n in heads)
        self.v_head = nn.Linear(d, 1)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.orthogonal_(m.weight, 2**0.5)
                nn.init.zeros_(m.bias)
        for h in self.pi_heads:
            nn.init.orthogonal_(h.weight, 0.01)
        nn.init.orthogonal_(self.v_head.weight, 1.0)

    def forward(self, obs: torch.Tensor, *, state: Any = None, hidden: Any = None) -> PolicyOut:
        z = self.pi_body(obs)
        logits = [h(z) for h in self.pi_heads]
        value = self.v_head(self.v_body(obs)).squeeze(-1)
        return PolicyOut(logits[0] if len(logits) == 1 else tuple(logits), value, None)


class PPO:
    """Clipped-surrogate PPO; ``learn(env, updates=...)`` returns a list of ``PPOStats``."""

    def __init__(self, policy: nn.Module, *, lr: float = 3e-4, gamma: float = 0.99,
                 gae_lambda: float = 0.95, clip_eps: float = 0.2, ent_coef: float = 0.0,
                 vf_coef: float = 0.5, n_epochs: int = 10, n_minibatches: int = 4,
                 rollout_len: int = 128, grad_clip: float | None = 0.5,
                 value_loss: str = "mse", value_clip_eps: float | None = None,
                 huber_delta: float = 10.0, value_norm: bool = False, norm_adv: bool = True,
                 use_state: bool = False, target_kl: float | None = None,
                 aux_optimizers: Sequence[AuxOptimizer] = (), lr_anneal: bool = False,
                 device: str | torch.device = "cpu", params: Iterable | None = None,
                 adam_eps: float = 1e-5):
        if value_loss not in VALUE_LOSSES:
            raise ValueError(f"value_loss must be one of {VALUE_LOSSES}, got {value_loss!r}")
        if n_epochs < 1 or n_minibatches < 1 or rollout_len < 1:
            raise ValueError("n_epochs, n_minibatches and rollout_len must be >= 1")
        self.policy = policy.to(device)
        self.device = torch.device(device)
        self.gamma, self.gae_lambda, self.clip_eps = gamma, gae_lambda, clip_eps
        self.ent_coef, self.vf_coef, self.grad_clip = ent_coef, vf_coef, grad_clip
        self.n_epochs, self.n_minibatches, self.rollout_len = n_epochs, n_minibatches, rollout_len
        self.value_loss = value_loss
        self.value_clip_eps = clip_eps if value_clip_eps is None else value_clip_eps
        self.huber_delta, self.norm_adv, self.use_state = huber_delta, norm_adv, use_state
        self.target_kl, self.lr, self.lr_anneal = target_kl, lr, lr_anneal
        self.value_norm = RunningNorm() if value_norm else None
        self.aux = list(aux_optimizers)
        aux_ids = {id(p) for a in self.aux for p in a.params()}
        main = [p for p in (policy.parameters() if params is None else params)
                if id(p) not in aux_ids and p.requires_grad]
        self.optimizer = torch.optim.Adam(main, lr=lr, eps=adam_eps)
        self.update_idx = 0
        self.env_steps = 0
        self.collector: Collector | None = None

    # ---------------------------------------------------------------------------------------
    def _value_loss(self, v: torch.Tensor, v_old: torch.Tensor, ret: torch.Tensor):
        if self.value_norm is not None:
            ret = self.value_norm.normalize(ret)
        if self.value_loss.startswith("huber"):
            def err(x):
                return nn.functional.huber_loss(x, ret, reduction="none", delta=self.huber_delta)
        else:
            def err(x):
                return 0.5 * (x - ret) ** 2
        loss = err(v)
        if self.value_loss.endswith("clipped"):
            v_clip = v_old + (v - v_old).clamp(-self.value_clip_eps, self.value_clip_eps)
            loss = torch.maximum(loss, err(v_clip))
        return loss.mean()

    def _forward(self, ro: Rollout, idx: torch.Tensor | None, env_idx: torch.Tensor | None):
        """(logits, values) for a flat minibatch ``idx`` over (T·n_envs), or, for recurrent
        policies, for whole sequences of envs ``env_idx`` (returned as (T, |env_idx|, ...))."""
        if env_idx is None:
            flat = lambda x: None if x is None else x.flatten(0, 1)[idx]  # noqa: E731
            out = self.policy(flat(ro.obs), state=flat(ro.state), hidden=None)
            mask = flat(ro.action_mask)
            sel = lambda x: x.flatten(0, 1)[idx]  # noqa: E731
        else:
            h = _select(ro.hidden0, env_idx)
            logits, values, auxes = [], [], []
            for t in range(ro.obs.shape[0]):
                h = reset_hidden(h, ro.starts[t, env_idx])
                st = None if ro.state is None else ro.state[t, env_idx]
                o = self.policy(ro.obs[t, env_idx], state=st, hidden=h)
                logits.append(o.logits)
                values.append(o.value)
                auxes.append(o.aux_loss)
                h = o.hidden
            stack = (lambda xs: tuple(torch.stack(z) for z in zip(*xs))) if isinstance(
                logits[0], tuple) else torch.stack
            aux = None if auxes[0] is None else torch.stack(auxes).mean()
            out = PolicyOut(stack(logits), torch.stack(values), None, aux)
            mask = None if ro.action_mask is None else ro.action_mask[:, env_idx]
            sel = lambda x: x[:, env_idx]  # noqa: E731
        if isinstance(out.logits, tuple):
            logits = (masked_logits(out.logits[0], mask), *out.logits[1:])
        else:
            logits = masked_logits(out.logits, mask)
        return logits, out.value, sel, out.aux_loss

    def update(self, ro: Rollout) -> PPOStats:
        """``n_epochs`` passes over the rollout in ``n_minibatches`` minibatches."""
        if self.lr_anneal and self._total_updates:
            frac = 1.0 - self.update_idx / self._total_updates
            for g in self.optimizer.param_groups:
                g["lr"] = self.lr * frac
        adv = ro.advantages
        if self.norm_adv:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        if self.value_norm is not None:
            self.value_norm.update(ro.returns)
        self.policy.train()
        recurrent = ro.hidden0 is not None
        T, n_envs = ro.dones.shape
        n = n_envs if recurrent else T * n_envs
        mb = max(1, n // self.n_minibatches)
        logs: dict[str, list[float]] = {k: [] for k in (
            "pl", "vl", "ent", "kl", "cf", "gn")}
        aux_steps = 0
        stop = False
        for epoch in range(self.n_epochs):
            aux_now = [a for a in self.aux if a.active(self.update_idx, epoch)]
            main_now = not any(a.exclusive for a in aux_now)
            perm = torch.randperm(n, device=self.device)
            for start in range(0, n - mb + 1, mb):
                idx = perm[start:start + mb]
                logits, value, sel, aux = self._forward(ro, None if recurrent else idx,
                                                   idx if recurrent else None)
                logp, ent = log_prob_entropy(logits, sel(ro.actions))
                ratio = torch.exp(logp - sel(ro.logp))  # ρ
                a = sel(adv)
                if self.clip_eps is None:
                    pl = -(ratio * a).mean()
                else:  # Eq. 7
                    pl = -torch.min(ratio * a, ratio.clamp(1 - self.clip_eps,
                                                           1 + self.clip_eps) * a).mean()
                vl = self._value_loss(value, sel(ro.values), sel(ro.returns))
                loss = pl + self.vf_coef * vl - self.ent_coef * ent.mean()  # Eq. 9
                if aux is not None:
                    loss = loss + aux
                self.optimizer.zero_grad(set_to_none=True)
                for ax in self.aux:
                    ax.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                gn = 0.0
                if main_now:
                    ps = [p for g in self.optimizer.param_groups for p in g["params"]]
                    if self.grad_clip is not None:
                        gn = float(nn.utils.clip_grad_norm_(ps, self.grad_clip))
                    self.optimizer.step()
                for ax in aux_now:
                    ax.optimizer.step()
                    aux_steps += 1
                with torch.no_grad():
                    log_ratio = logp - sel(ro.logp)
                    kl = float(((ratio - 1) - log_ratio).mean())  # k3 estimator
                    cf = float(((ratio - 1).abs() > (self.clip_eps or 0.0)).float().mean())
                for k, v in (("pl", pl.item()), ("vl", vl.item()), ("ent", ent.mean().item()),
                             ("kl", kl), ("cf", cf), ("gn", gn)):
                    logs[k].append(v)
                if self.target_kl is not None and kl > 1.5 * self.target_kl:
                    stop = True
                    break
            if stop:
                break
        v_pred = ro.values if self.value_norm is None else self.value_norm.denormalize(ro.values)
        var = float(ro.returns.var())
        ev = float("nan") if var == 0 else 1.0 - float((ro.returns - v_pred).var()) / var
        self.env_steps += ro.n_steps
        er = ro.episode_returns
        stats = PPOStats(
            update=self.update_idx, env_steps=self.env_steps,
            policy_loss=float(np.mean(logs["pl"])), value_loss=float(np.mean(logs["vl"])),
            entropy=float(np.mean(logs["ent"])), approx_kl=float(np.mean(logs["kl"])),
            clip_frac=float(np.mean(logs["cf"])), explained_var=ev,
            grad_norm=float(np.mean(logs["gn"])), mean_reward=float(ro.rewards.mean()),
            episode_return=float(er.mean()) if len(er) else float("nan"), episodes=len(er),
            aux_steps=aux_steps)
        self.update_idx += 1
        return stats

    def learn(self, env: BatchedEnv, *, updates: int, seed: int,
              progress: Callable[[Iterable], Iterable] | None = None,
              callback: Callable[[PPOStats], Any] | None = None) -> list[PPOStats]:
        """Collect ``rollout_len`` steps from every env instance and update, ``updates`` times.
        ``progress`` wraps the update loop (e.g. ``run.progress``); ``callback(stats)`` after
        each update (return ``False`` to stop early). Calling again continues training."""
        if self.collector is None or self.collector.env is not env:
            self.collector = Collector(env, self.policy, rollout_len=self.rollout_len,
                                       gamma=self.gamma, gae_lambda=self.gae_lambda, seed=seed,
                                       device=self.device, use_state=self.use_state,
                                       value_norm=self.value_norm)
        self._total_updates = updates
        out = []
        loop = range(updates) if progress is None else progress(range(updates))
        for _ in loop:
            stats = self.update(self.collector.collect())
            out.append(stats)
            if callback is not None and callback(stats) is False:
                break
        return out

    _total_updates = 0


def _select(hidden: Any, idx: torch.Tensor) -> Any:
    if hidden is None:
        return None
    if isinstance(hidden, (tuple, list)):
        return type(hidden)(_select(h, idx) for h in hidden)
    return hidden[idx]
