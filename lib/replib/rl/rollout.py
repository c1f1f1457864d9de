"""On-policy rollouts over a ``BatchedEnv``: storage over (time, env, agent), GAE, returns.

Generalised advantage estimation (Schulman et al., 2016, Eq. 16):
    δ_t = r_t + γ V(s_{t+1}) (1 − d_t) − V(s_t),   A_t = δ_t + γ λ (1 − d_t) A_{t+1},
    R_t = A_t + V(s_t)  (the value target).
A truncated episode (time limit) is bootstrapped with the value of its final observation
(r_t ← r_t + γ V(s_final)), as in stable-baselines3, so time limits do not look terminal.

The policy protocol used here and by ``rl.ppo``::

    out = policy(obs, state=None, hidden=None)  # -> PolicyOut(logits, value, hidden)

``obs`` has the env's shape ``(B, [n_agents,] *obs_shape)`` (all agents of an env together,
so a policy may communicate between agents); ``logits`` is ``(B, [n_agents,] n_actions)``
or a tuple of such tensors (one per action head); ``value`` is ``(B, [n_agents])``;
``aux_loss`` (optional scalar) is added to the PPO loss. The collector puts the policy in
``eval()`` mode and PPO's update in ``train()`` mode, so a policy may act differently when
acting and when being trained (CommFormer: exact top-k graph vs Gumbel top-k).
``state`` is the env's global state ``(B, *state_shape)`` when a centralised critic asks
for it. A recurrent policy takes and returns ``hidden`` (a tensor, or a tuple of tensors,
with leading axis B) and defines ``initial_hidden(n: int)``; hidden states are zeroed where
an episode starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import torch

from replib.envs.api import BatchedEnv

__all__ = ["PolicyOut", "Rollout", "Collector", "gae", "masked_logits", "sample_actions",
           "log_prob_entropy", "reset_hidden", "RunningNorm"]


class PolicyOut(NamedTuple):
    logits: Any  # tensor (..., n_actions) or tuple of tensors (one per action head)
    value: torch.Tensor  # (...,)
    hidden: Any = None
    aux_loss: Any = None  # scalar tensor added to the PPO loss (e.g. a communication cost)


def masked_logits(logits: torch.Tensor, action_mask: torch.Tensor | None) -> torch.Tensor:
    """Illegal actions (mask False) get a logit of -1e9 (finite, so no NaN in the entropy)."""
    if action_mask is None:
        return logits
    return logits.masked_fill(~action_mask, -1e9)


def _heads(logits: Any) -> tuple[torch.Tensor, ...]:
    return tuple(logits) if isinstance(logits, (tuple, list)) else (logits,)


def sample_actions(logits: Any, *, generator: torch.Generator | None = None,
                   greedy: bool = False) -> torch.Tensor:
    """One categorical sample per head; shape (...) for one head, (..., n_heads) for several."""
    acts = []
    for lg in _heads(logits):
        if greedy:
            acts.append(lg.argmax(-1))
            continue
        flat = torch.softmax(lg.reshape(-1, lg.shape[-1]).float(), -1)
        acts.append(torch.multinomial(flat, 1, generator=generator).reshape(lg.shape[:-1]))
    return acts[0] if len(acts) == 1 else torch.stack(acts, -1)


def log_prob_entropy(logits: Any, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Summed over heads: log π(a) and entropy, both shaped like one head's batch axes."""
    heads = _heads(logits)
    logp, ent = 0.0, 0.0
    for h, lg in enumerate(heads):
        a = actions if len(heads) == 1 else actions[..., h]
        lsm = torch.log_softmax(lg, -1)
        logp = logp + lsm.gather(-1, a.long().unsqueeze(-1)).squeeze(-1)
        ent = ent - (lsm.exp() * lsm).sum(-1)
    return logp, ent


def reset_hidden(hidden: Any, starts: torch.Tensor) -> Any:
    """Zero the hidden state of envs where an episode starts (``starts``: bool (B,))."""
    if hidden is None:
        return None
    if isinstance(hidden, (tuple, list)):
        return type(hidden)(reset_hidden(h, starts) for h in hidden)
    keep = (~starts).to(hidden.dtype).reshape(-1, *([1] * (hidden.dim() - 1)))
    return hidden * keep


def gae(rewards: torch.Tensor, values: torch.Tensor, dones: torch.Tensor,
        last_value: torch.Tensor, *, gamma: float, gae_lambda: float
        ) -> tuple[torch.Tensor, torch.Tensor]:
    """GAE over time axis 0. ``rewards``/``values``: (T, n_envs, [n_agents]); ``dones``:
    (T, n_envs), True when the episode ended at step t; ``last_value``: V(s_T).
    Returns (advantages, returns) shaped like ``rewards``."""
    T = rewards.shape[0]
    notdone = (~dones).to(rewards.dtype).reshape(*dones.shape, *([1] * (rewards.dim() - 2)))
    adv = torch.zeros_like(rewards)
    last = torch.zeros_like(rewards[0])
    for t in reversed(range(T)):
        nxt = last_value if t == T - 1 else values[t + 1]
        delta = rewards[t] + gamma * nxt * notdone[t] - values[t]  # δ_t
        last = delta + gamma * gae_lambda * notdone[t] * last  # A_t
        adv[t] = last
    return adv, adv + values


class RunningNorm:
    """Running mean/variance (parallel Welford) for value normalisation (as MAPPO's ValueNorm)."""

    def __init__(self, *, eps: float = 1e-5):
        self.mean, self.var, self.count, self.eps = 0.0, 1.0, eps, eps

    def update(self, x: torch.Tensor) -> None:
        m, v, n = float(x.mean()), float(x.var(unbiased=False)), x.numel()
        delta, tot = m - self.mean, self.count + n
        self.mean += delta * n / tot
        self.var = (self.var * self.count + v * n + delta**2 * self.count * n / tot) / tot
        self.count = tot

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / (self.var + self.eps) ** 0.5

    def denormalize(self, x: torch.Tensor) -> torch.Tensor:
        return x * (self.var + self.eps) ** 0.5 + self.mean


@dataclass
class Rollout:
    """One batch of experience; tensors are (T, n_envs, [n_agents], ...) on the learner device.

    ``values`` are in the value head's units (normalised when value normalisation is on);
    ``advantages``/``returns`` are filled by ``Collector.collect``."""

    obs: torch.Tensor
    actions: torch.Tensor
    logp: torch.Tensor
    values: torch.Tensor
    rewards: torch.Tensor
    dones: torch.Tensor  # (T, n_envs) bool
    starts: torch.Tensor  # (T, n_envs) bool: an episode starts at step t (reset hidden)
    action_mask: torch.Tensor | None
    state: torch.Tensor | None
    hidden0: Any  # recurrent state before step 0, or None
    advantages: torch.Tensor | None = None
    returns: torch.Tensor | None = None
    episode_returns: np.ndarray | None = None  # (n_finished, [n_agents]) finished this batch
    episode_lengths: np.ndarray | None = None

    @property
    def n_steps(self) -> int:
        """Env steps in the batch (time × instances)."""
        return int(self.dones.numel())


class Collector:
    """Steps ``env`` with ``policy`` for ``rollout_len`` steps per call, keeping the current
    observation and recurrent state between calls (so episodes span rollouts)."""

    def __init__(self, env: BatchedEnv, policy: torch.nn.Module, *, rollout_len: int,
                 gamma: float, gae_lambda: float, seed: int, device: str | torch.device = "cpu",
                 use_state: bool = False, value_norm: RunningNorm | None = None):
        self.env, self.policy, self.rollout_len = env, policy, int(rollout_len)
        self.gamma, self.gae_lambda, self.device = gamma, gae_lambda, torch.device(device)
        self.use_state, self.value_norm = use_state, value_norm
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(int(seed))
        self.obs = env.reset(seed=int(seed))
        init = getattr(policy, "initial_hidden", None)
        self.hidden = init(env.n_envs) if init is not None else None
        self.start = torch.ones(env.n_envs, dtype=torch.bool, device=self.device)

    def _t(self, x: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(x), device=self.device)

    def _value_units(self, v: torch.Tensor) -> torch.Tensor:
        return v if self.value_norm is None else self.value_norm.denormalize(v)

    @torch.no_grad()
    def collect(self) -> Rollout:
        env, T = self.env, self.rollout_len
        buf: dict[str, list] = {k: [] for k in ("obs", "actions", "logp", "values", "rewards",
                                                 "dones", "starts", "mask", "state")}
        hidden0 = self.hidden
        was_training = self.policy.training
        self.policy.eval()
        ep_ret, ep_len = [], []
        for _ in range(T):
            obs = self._t(self.obs).float()
            mask = env.action_mask()
            mask = None if mask is None else self._t(mask)
            state = self._t(env.state()).float() if self.use_state else None
            out = self.policy(obs, state=state, hidden=self.hidden)
            logits = tuple(masked_logits(lg, mask) if i == 0 else lg
                           for i, lg in enumerate(_heads(out.logits)))
            act = sample_actions(logits if len(logits) > 1 else logits[0],
                                 generator=self.generator)
            logp, _ = log_prob_entropy(logits if len(logits) > 1 else logits[0], act)
            self.obs, r, term, trunc, info = env.step(act.cpu().numpy())
            r = self._t(r).float()
            trunc_only = trunc & ~term
            if trunc_only.any():  # bootstrap time limits with V(final obs)
                idx = np.flatnonzero(trunc_only)
                fin = self._t(info["final_obs"][idx]).float()
                st = self._t(info["final_state"][idx]).float() if (
                    self.use_state and "final_state" in info) else None
                h = _index_hidden(out.hidden, idx)
                v_fin = self._value_units(self.policy(fin, state=st, hidden=h).value)
                r[idx] += self.gamma * v_fin
            done = term | trunc
            for k, v in (("obs", obs), ("actions", act), ("logp", logp), ("values", out.value),
                         ("rewards", r), ("dones", self._t(done)), ("starts", self.start),
                         ("mask", mask), ("state", state)):
                buf[k].append(v)
            if done.any():
                ep_ret.append(info["episode_return"][done])
                ep_len.append(info["episode_length"][done])
            self.start = self._t(done)
            self.hidden = reset_hidden(out.hidden, self.start)
        last_obs = self._t(self.obs).float()
        last_state = self._t(env.state()).float() if self.use_state else None
        last_v = self.policy(last_obs, state=last_state, hidden=self.hidden).value
        ro = Rollout(obs=torch.stack(buf["obs"]), actions=torch.stack(buf["actions"]),
                     logp=torch.stack(buf["logp"]), values=torch.stack(buf["values"]),
                     rewards=torch.stack(buf["rewards"]), dones=torch.stack(buf["dones"]),
                     starts=torch.stack(buf["starts"]),
                     action_mask=None if buf["mask"][0] is None else torch.stack(buf["mask"]),
                     state=None if buf["state"][0] is None else torch.stack(buf["state"]),
                     hidden0=hidden0)
        values = self._value_units(ro.values)
        ro.advantages, ro.returns = gae(ro.rewards, values, ro.dones, self._value_units(last_v),
                                        gamma=self.gamma, gae_lambda=self.gae_lambda)
        shape = (0, *env.spec.lead_shape[1:])
        ro.episode_returns = np.concatenate(ep_ret) if ep_ret else np.zeros(shape, np.float32)
        ro.episode_lengths = np.concatenate(ep_len) if ep_len else np.zeros(0, np.int64)
        self.policy.train(was_training)
        return ro


def _index_hidden(hidden: Any, idx: np.ndarray) -> Any:
    if hidden is None:
        return None
    if isinstance(hidden, (tuple, list)):
        return type(hidden)(_index_hidden(h, idx) for h in hidden)
    return hidden[torch.as_tensor(idx, device=hidden.device)]
