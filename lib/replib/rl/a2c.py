"""Recurrent advantage actor-critic over whole episodes, for populations of independent learners.

Weis et al. 2026 (arXiv:2602.16301), Sec. 3 and App. A (Table 2): each learning agent is a GRU
sequence policy (per-modality projections summed, GRU, Swish, policy and value heads; see
``nets.rnn``) trained by A2C on batches of complete episodes:
    A_t = GAE(γ, λ) of the scaled rewards c_r·r_t with V detached (λ = 1: Monte-Carlo),
    L_m = −mean(log π(a_t|x_≤t) Â_t) + c_v·mean((V(x_≤t) − (A_t + V_t))²) − c_H·mean(H[π]),
with Â the per-learner batch-normalised advantage, Adam(ε) and gradient-norm clipping.
The observation vector is one modality here: a linear map of a concatenation equals the sum of
per-modality linear maps, so this is the paper's "project each input and sum".

Populations: P learners (seeds x conditions x agents) are one ``PopActorCritic``. The loss
is Σ_m L_m, so learner m's gradient is that of its own loss; clipping is per learner, Adam is
elementwise; a learner with ``trainable[m] = False`` (e.g. the frozen "Fixed-ICL" agent) gets
no gradient and never moves.

Device: tensors live on the network's device (CPU or CUDA; ``collect`` needs a
``torch.Generator`` on that device); the environment stays in numpy.

Shapes, time-major: obs (T, P, B, d_obs); actions, rewards, probs (T, P, B). ``collect`` plays
one batch of whole episodes on an ``envs.ipd.SeatedRepeatedGame`` with n_envs = P * B seats
(seat = m * B + b); every episode lasts ``env.spec.horizon`` steps. Actions are sampled step
by step without a graph; ``update`` re-runs the GRU over the stored episodes (same outputs).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from replib.nets.rnn import GRUCore
from replib.rl.rollout import gae

__all__ = ["PopActorCritic", "A2CConfig", "A2CStats", "Episodes", "A2C", "collect",
           "select_members"]


class PopActorCritic(nn.Module):
    """P GRU actor-critics: obs (T, P, B, d_obs) -> logits (T, P, B, A), value (T, P, B), h.

    Member m is a ``nets.rnn.GRUCore`` (torch's fused GRU) with its own heads, initialised
    (PyTorch defaults) under ``torch.manual_seed(init_seeds[m])`` in a forked RNG, so its
    weights depend only on its own seed. ``hidden`` is a list of P (1, B, H) tensors."""

    def __init__(self, *, n_members: int, d_obs: int, d_embed: int, d_hidden: int,
                 n_actions: int = 2, init_seeds: list[int] | None = None):
        super().__init__()
        self.sizes = dict(n_members=n_members, d_obs=d_obs, d_embed=d_embed,
                          d_hidden=d_hidden, n_actions=n_actions)
        if init_seeds is not None and len(init_seeds) != n_members:
            raise ValueError(f"init_seeds needs {n_members} entries, got {len(init_seeds)}")
        self.members = nn.ModuleList()
        for k in range(n_members):
            with torch.random.fork_rng():
                if init_seeds is not None:
                    torch.manual_seed(int(init_seeds[k]))
                m = nn.ModuleDict(dict(core=GRUCore(d_inputs=(d_obs,), d_embed=d_embed,
                                                    d_hidden=d_hidden),
                                       pi=nn.Linear(d_hidden, n_actions),
                                       v=nn.Linear(d_hidden, 1)))
            self.members.append(m)

    @property
    def n_members(self) -> int:
        return self.sizes["n_members"]

    def forward(self, obs: torch.Tensor, hidden: list | None = None):
        logits, values, hs = [], [], []
        for m, net in enumerate(self.members):
            f, h = net["core"](obs[:, m], hidden=None if hidden is None else hidden[m])
            logits.append(net["pi"](f))
            values.append(net["v"](f).squeeze(-1))
            hs.append(h)
        return torch.stack(logits, 1), torch.stack(values, 1), hs

    def step(self, obs: torch.Tensor, hidden: list | None = None):
        """One step: obs (P, B, d_obs) -> (logits (P, B, A), hidden list); no value."""
        logits, hs = [], []
        for m, net in enumerate(self.members):
            f, h = net["core"].step(obs[m], hidden=None if hidden is None else hidden[m])
            logits.append(net["pi"](f))
            hs.append(h)
        return torch.stack(logits), hs


def select_members(net: PopActorCritic, idx) -> PopActorCritic:
    """A new population made of copies of members ``idx`` of ``net`` (in that order)."""
    out = PopActorCritic(**{**net.sizes, "n_members": len(idx)})
    out.to(next(net.parameters()).device)
    for j, i in enumerate(idx):
        out.members[j].load_state_dict(net.members[int(i)].state_dict())
    return out


@dataclass(frozen=True)
class A2CConfig:
    """A2C hyper-parameters (names as design.md 5.1; paper values in Table 2 of Weis et al.)."""

    lr: float
    gamma: float
    gae_lambda: float
    ent_coef: float
    vf_coef: float
    reward_scale: float
    norm_adv: bool
    grad_clip: float
    adam_eps: float = 1e-5


@dataclass(frozen=True)
class A2CStats:
    """Per-learner statistics of one update, each (P,) numpy."""

    loss: np.ndarray
    entropy: np.ndarray
    mean_reward: np.ndarray  # unscaled, per step
    coop: np.ndarray  # fraction of action 0 in the batch

    def to_dict(self) -> dict:
        return {k: v.tolist() for k, v in asdict(self).items()}


@dataclass
class Episodes:
    """A batch of whole episodes, per learner (time-major, T = horizon)."""

    obs: torch.Tensor  # (T, P, B, d_obs) float32
    actions: torch.Tensor  # (T, P, B) int64, 0 = C
    rewards: torch.Tensor  # (T, P, B) float32, unscaled
    probs: torch.Tensor  # (T, P, B) float32, π(action 0) at the time of acting
    joint: np.ndarray  # (T, P, B, 2) executed [own, other] actions


class A2C:
    """Independent A2C learners sharing one batched network (see the module docstring)."""

    def __init__(self, *, net: PopActorCritic, config: A2CConfig, trainable=None):
        self.net, self.config = net, config
        self.device = next(net.parameters()).device
        P = net.n_members
        t = torch.ones(P, dtype=torch.bool) if trainable is None else torch.as_tensor(trainable)
        self.trainable = t.to(torch.bool).to(self.device)
        self.opt = torch.optim.Adam(net.parameters(), lr=config.lr, eps=config.adam_eps)

    @torch.no_grad()
    def act(self, obs: torch.Tensor, hidden, generator: torch.Generator):
        """obs (P, B, d_obs) -> (actions (P, B) int64, P(action 0) (P, B), hidden)."""
        logits, hidden = self.net.step(obs, hidden)
        p = torch.softmax(logits, -1)
        a = torch.multinomial(p.reshape(-1, p.shape[-1]), 1, generator=generator)
        return a.reshape(p.shape[:-1]), p[..., 0], hidden

    def update(self, ep: Episodes) -> A2CStats:
        c = self.config
        logits, values, _ = self.net(ep.obs)
        r = ep.rewards * c.reward_scale
        dones = torch.zeros(r.shape[:1] + (r.shape[1] * r.shape[2],), dtype=torch.bool,
                            device=r.device)
        dones[-1] = True
        flat = (r.shape[0], -1)
        adv, ret = gae(r.reshape(flat), values.detach().reshape(flat), dones,
                       torch.zeros(dones.shape[1], device=r.device), gamma=c.gamma,
                       gae_lambda=c.gae_lambda)
        adv, ret = adv.reshape(r.shape), ret.reshape(r.shape)
        if c.norm_adv:  # per learner
            mu = adv.mean((0, 2), keepdim=True)
            sd = adv.std((0, 2), keepdim=True)
            adv = (adv - mu) / (sd + 1e-8)
        lsm = torch.log_softmax(logits, -1)
        logp = lsm.gather(-1, ep.actions[..., None]).squeeze(-1)
        ent = -(lsm.exp() * lsm).sum(-1).mean((0, 2))  # (P,)
        pg = -(logp * adv).mean((0, 2))
        vl = ((values - ret) ** 2).mean((0, 2))
        loss_m = pg + c.vf_coef * vl - c.ent_coef * ent
        loss = (loss_m * self.trainable.to(loss_m.dtype)).sum()
        self.opt.zero_grad(set_to_none=False)
        loss.backward()
        for m in self.net.members:  # per-learner gradient-norm clipping
            nn.utils.clip_grad_norm_(m.parameters(), c.grad_clip)
        self.opt.step()
        return A2CStats(loss=loss_m.detach().cpu().numpy(), entropy=ent.detach().cpu().numpy(),
                        mean_reward=ep.rewards.mean((0, 2)).cpu().numpy(),
                        coop=(ep.actions == 0).float().mean((0, 2)).cpu().numpy())


def collect(env, learner: A2C, obs: np.ndarray, generator: torch.Generator
            ) -> tuple[Episodes, np.ndarray]:
    """Play one batch of whole episodes from ``obs`` (n_envs = P * B seats, the first
    observation of new episodes). Returns (``Episodes``, the next episodes' first obs)."""
    P = learner.net.n_members
    if env.n_envs % P:
        raise ValueError(f"env has {env.n_envs} seats, not a multiple of {P} learners")
    B = env.n_envs // P
    hid = None
    buf: dict[str, list] = {k: [] for k in ("obs", "actions", "rewards", "probs", "joint")}
    for _ in range(env.spec.horizon):
        x = torch.as_tensor(obs, dtype=torch.float32, device=learner.device).reshape(P, B, -1)
        a, p, hid = learner.act(x, hid, generator)
        obs, r, term, trunc, info = env.step(a.reshape(-1).cpu().numpy())
        buf["obs"].append(x)
        buf["actions"].append(a)
        buf["probs"].append(p)
        buf["rewards"].append(torch.as_tensor(r, dtype=torch.float32,
                                              device=learner.device).reshape(P, B))
        buf["joint"].append(info["joint"].reshape(P, B, 2))
    ep = Episodes(obs=torch.stack(buf["obs"]), actions=torch.stack(buf["actions"]),
                  rewards=torch.stack(buf["rewards"]), probs=torch.stack(buf["probs"]),
                  joint=np.stack(buf["joint"]))
    return ep, obs
