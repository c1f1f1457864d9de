"""Agent models: trajectory encoders that embed *who the co-players are* from the ego's view.

* **CLAM** -- Ma, Chang, Yang, Wang and Lin (2024), "Contrastive learning-based agent
  modeling for deep reinforcement learning" (arXiv 2401.00132). The ego's local trajectory
  ``tau_{1:t}`` (its observations and previous actions, with sinusoidal positional
  encodings) is a *set of time steps*: Set Attention Blocks + PMA pooling
  (``attention.sets``) give an embedding ``z``. Two augmented views of each stored episode
  (random crops, one with a fraction of its steps zeroed) are pulled together by an
  NT-Xent / SupCon loss against the other episodes of the batch, through a projection head
  (Linear-BN-ReLU-Linear). A momentum (EMA) copy of encoder + pooling produces the real-time
  embedding ``z_t`` from the prefix ``tau_{1:t}`` while acting. No labels and no co-player
  data are used.
* **LIAM** -- Papoudakis, Christianos and Albrecht (2021), "Agent Modelling under Partial
  Observability for Deep Reinforcement Learning", NeurIPS: a recurrent (GRU) encoder of the
  same ego trajectory whose ``z_t`` must *reconstruct the modeled agents' observations and
  actions* at step ``t`` (an MSE + cross-entropy decoder loss). Training reads the modeled
  agents' data; execution does not.

Losses: NT-Xent (Chen et al. 2020, SimCLR eq. 1) and SupCon (Khosla et al. 2020, eq. 2;
without labels it is NT-Xent). EMA target (He et al. 2020, MoCo eq. 2):
``theta_target <- m theta_target + (1 - m) theta``.

Shapes: trajectories ``x (B, T, F)``, ``mask (B, T)`` (True = step present), integer
``positions (B, T)`` (time index within the episode); embeddings ``(B, embed_dim)``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from replib.attention.positional import sinusoidal_table
from replib.attention.sets import PMA, SAB

__all__ = ["SetTrajectoryEncoder", "projection_head", "crop_views", "mask_steps",
           "nt_xent", "supcon", "make_target", "ema_update", "CLAM", "LIAM", "AgentModelStats",
           "ego_steps"]


def ego_steps(obs: torch.Tensor, prev_actions: torch.Tensor, n_actions: int) -> torch.Tensor:
    """Per-step ego vector ``[o_t, onehot(a_{t-1})]``; ``prev_actions < 0`` means none yet."""
    onehot = F.one_hot(prev_actions.clamp(min=0), n_actions).to(obs.dtype)
    onehot = onehot * (prev_actions >= 0).unsqueeze(-1).to(obs.dtype)
    return torch.cat([obs, onehot], -1)


class SetTrajectoryEncoder(nn.Module):
    """``z = W PMA(SAB^L(W_in x + PE(positions)))`` over the present steps (CLAM encoder)."""

    def __init__(self, *, in_features: int, d_model: int = 128, n_heads: int = 4,
                 n_layers: int = 2, embed_dim: int = 20, max_len: int = 512):
        super().__init__()
        self.inp = nn.Linear(in_features, d_model)
        self.register_buffer("pe", sinusoidal_table(max_len, d_model), persistent=False)
        self.blocks = nn.ModuleList(SAB(d_model=d_model, n_heads=n_heads)
                                    for _ in range(n_layers))
        self.pool = PMA(d_model=d_model, n_heads=n_heads, n_seeds=1)
        self.out = nn.Linear(d_model, embed_dim)
        self.embed_dim = embed_dim

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None,
                positions: torch.Tensor | None = None) -> torch.Tensor:
        if positions is None:
            positions = torch.arange(x.shape[1], device=x.device).expand(x.shape[0], -1)
        h = self.inp(x) + self.pe[positions]
        for blk in self.blocks:
            h = blk(h, mask)
        pooled, _ = self.pool(h, mask)
        return self.out(pooled[:, 0])

    def prefixes(self, x: torch.Tensor, ts: list[int]) -> torch.Tensor:
        """Embeddings of the prefixes ``x[:, :t]`` for each ``t`` in ``ts``: ``(len(ts), B, d)``."""
        return torch.stack([self(x[:, :t]) for t in ts])


def projection_head(*, embed_dim: int, d_hidden: int, out_dim: int = 64) -> nn.Sequential:
    """Linear-BN-ReLU-Linear projector used only by the contrastive loss."""
    return nn.Sequential(nn.Linear(embed_dim, d_hidden), nn.BatchNorm1d(d_hidden), nn.ReLU(),
                         nn.Linear(d_hidden, out_dim))


def crop_views(x: torch.Tensor, *, min_len: int, max_len: int, generator: torch.Generator):
    """Random contiguous crops, one per row: ``(view (B, Lmax, F), mask, positions)``.

    Crop length ``L ~ U{min_len..max_len}`` (capped at T), start ``s ~ U{0..T-L}``; the view is
    left-aligned and padded, and ``positions = s + arange(L)`` keeps episode time.
    """
    B, T, _ = x.shape
    hi = min(max_len, T)
    lo = min(min_len, hi)
    lengths = torch.randint(lo, hi + 1, (B,), generator=generator)
    starts = (torch.rand(B, generator=generator) * (T - lengths + 1)).long()
    L = int(lengths.max())
    offs = torch.arange(L)
    mask = offs[None] < lengths[:, None]  # (B, L)
    positions = (starts[:, None] + offs[None]).clamp(max=T - 1)  # (B, L)
    view = torch.gather(x, 1, positions.to(x.device)[..., None].expand(-1, -1, x.shape[-1]))
    mask = mask.to(x.device)
    return view * mask[..., None], mask, positions.to(x.device)


def mask_steps(x: torch.Tensor, mask: torch.Tensor, *, ratio: float,
               generator: torch.Generator) -> torch.Tensor:
    """Zero a fraction ``ratio`` of each row's present steps (the mask view), keeping >= 1."""
    drop = (torch.rand(mask.shape, generator=generator) < ratio).to(mask.device) & mask
    first = mask.float().argmax(1)
    drop[torch.arange(mask.shape[0], device=mask.device), first] = False
    return x * (~drop)[..., None]


def supcon(features: torch.Tensor, labels: torch.Tensor | None = None, *,
           temperature: float) -> torch.Tensor:
    """SupCon loss (Khosla et al. eq. 2) on ``features (B, V, d)`` (V views, L2-normalised here).

    Positives of an anchor: its other views and, with ``labels (B,)``, every view of a sample
    with the same label. Without labels it is SimCLR's NT-Xent.
    """
    B, V, _ = features.shape
    f = F.normalize(features, dim=-1).reshape(B * V, -1)
    ids = torch.arange(B, device=f.device).repeat_interleave(V)
    lab = ids if labels is None else labels.to(f.device).repeat_interleave(V)
    logits = f @ f.T / temperature
    self_mask = torch.eye(B * V, dtype=torch.bool, device=f.device)
    logits = logits.masked_fill(self_mask, float("-inf"))
    log_prob = logits - torch.logsumexp(logits, 1, keepdim=True)
    pos = (lab[:, None] == lab[None]) & ~self_mask
    # mean over positives p of -log softmax(z_i . z_p / temperature)
    return -(log_prob.masked_fill(~pos, 0).sum(1) / pos.sum(1)).mean()


def nt_xent(z1: torch.Tensor, z2: torch.Tensor, *, temperature: float) -> torch.Tensor:
    """NT-Xent (SimCLR eq. 1) over the 2B views; ``(z1[i], z2[i])`` are positives."""
    f = torch.cat([F.normalize(z1, dim=-1), F.normalize(z2, dim=-1)])
    B = z1.shape[0]
    sim = f @ f.T / temperature
    sim.fill_diagonal_(float("-inf"))
    target = torch.cat([torch.arange(B, 2 * B), torch.arange(B)]).to(f.device)
    return F.cross_entropy(sim, target)


def make_target(online: nn.Module) -> nn.Module:
    """A frozen copy of ``online`` to be tracked by :func:`ema_update`."""
    target = copy.deepcopy(online)
    for p in target.parameters():
        p.requires_grad_(False)
    return target


@torch.no_grad()
def ema_update(target: nn.Module, online: nn.Module, *, momentum: float) -> None:
    """theta_target <- momentum * theta_target + (1 - momentum) * theta_online (in place)."""
    for pt, po in zip(target.parameters(), online.parameters()):
        pt.mul_(momentum).add_(po.detach(), alpha=1 - momentum)


@dataclass(frozen=True)
class AgentModelStats:
    """One agent-model update: its loss (and, for LIAM, the two reconstruction parts)."""

    loss: float
    obs_loss: float = float("nan")
    action_loss: float = float("nan")


class CLAM(nn.Module):
    """Contrastive agent model: online encoder + projector, EMA target for acting.

    ``fit_step(x, generator=...)`` reads ego trajectories ``x (B, T, F)`` only.
    ``embed(x, lengths)`` is the target encoder's real-time embedding of prefixes.
    """

    def __init__(self, *, in_features: int, d_model: int = 128, n_heads: int = 4,
                 n_layers: int = 2, embed_dim: int = 20, proj_dim: int = 64,
                 temperature: float = 0.5, mask_ratio: float = 0.3, momentum: float = 0.99,
                 min_crop: int = 8, max_crop: int = 48, lr: float = 3e-3, max_len: int = 512):
        super().__init__()
        for name, v, ok in [("temperature", temperature, temperature > 0),
                            ("mask_ratio", mask_ratio, 0 <= mask_ratio < 1),
                            ("momentum", momentum, 0 <= momentum < 1)]:
            if not ok:
                raise ValueError(f"{name}={v} is outside its range")
        self.encoder = SetTrajectoryEncoder(in_features=in_features, d_model=d_model,
                                            n_heads=n_heads, n_layers=n_layers,
                                            embed_dim=embed_dim, max_len=max_len)
        self.projector = projection_head(embed_dim=embed_dim, d_hidden=d_model,
                                         out_dim=proj_dim)
        self.target = make_target(self.encoder)
        self.temperature, self.mask_ratio, self.momentum = temperature, mask_ratio, momentum
        self.min_crop, self.max_crop = min_crop, max_crop
        self.opt = torch.optim.Adam(list(self.encoder.parameters())
                                    + list(self.projector.parameters()), lr=lr)

    def loss(self, x: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        v1, m1, p1 = crop_views(x, min_len=self.min_crop, max_len=self.max_crop,
                                generator=generator)
        v2, m2, p2 = crop_views(x, min_len=self.min_crop, max_len=self.max_crop,
                                generator=generator)
        v2 = mask_steps(v2, m2, ratio=self.mask_ratio, generator=generator)
        z1 = self.projector(self.encoder(v1, m1, p1))
        z2 = self.projector(self.encoder(v2, m2, p2))
        return nt_xent(z1, z2, temperature=self.temperature)

    def fit_step(self, x: torch.Tensor, *, generator: torch.Generator) -> AgentModelStats:
        """One Adam step of the contrastive loss on ego trajectories, then the EMA update."""
        self.train()
        loss = self.loss(x, generator=generator)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        ema_update(self.target, self.encoder, momentum=self.momentum)
        return AgentModelStats(float(loss.detach()))

    @torch.inference_mode()
    def embed(self, x: torch.Tensor, lengths: torch.Tensor | None = None, *,
              online: bool = False) -> torch.Tensor:
        """Embedding of each row's prefix ``x[i, :lengths[i]]`` (target encoder by default)."""
        enc = self.encoder if online else self.target
        enc.eval()
        mask = None
        if lengths is not None:
            mask = torch.arange(x.shape[1], device=x.device)[None] < lengths[:, None]
        return enc(x, mask)


class LIAM(nn.Module):
    """Recurrent encoder with a reconstruction decoder of the modeled agents (LIAM).

    ``fit_step(x, modeled_obs, modeled_actions)`` with ``modeled_obs (B, T, M, D)`` and
    ``modeled_actions (B, T, M)`` long; ``embed_seq(x) -> (B, T, embed_dim)`` (z_t per step).
    """

    def __init__(self, *, in_features: int, n_modeled: int, modeled_obs_dim: int,
                 n_actions: int, d_hidden: int = 128, embed_dim: int = 20, lr: float = 3e-3):
        super().__init__()
        self.gru = nn.GRU(in_features, d_hidden, batch_first=True)
        self.to_z = nn.Linear(d_hidden, embed_dim)
        self.dec = nn.Sequential(nn.Linear(embed_dim, d_hidden), nn.ReLU())
        self.dec_obs = nn.Linear(d_hidden, n_modeled * modeled_obs_dim)
        self.dec_act = nn.Linear(d_hidden, n_modeled * n_actions)
        self.n_modeled, self.n_actions = n_modeled, n_actions
        self.opt = torch.optim.Adam(self.parameters(), lr=lr)

    def embed_seq(self, x: torch.Tensor, h0: torch.Tensor | None = None):
        """``z (B, T, embed_dim)`` and the last GRU state ``(1, B, d_hidden)``."""
        out, h = self.gru(x, h0)
        return self.to_z(out), h

    def losses(self, x, modeled_obs, modeled_actions):
        z, _ = self.embed_seq(x)
        d = self.dec(z)
        obs_hat = self.dec_obs(d).view(modeled_obs.shape)
        logits = self.dec_act(d).view(*modeled_actions.shape, self.n_actions)
        obs_loss = F.mse_loss(obs_hat, modeled_obs)
        act_loss = F.cross_entropy(logits.reshape(-1, self.n_actions),
                                   modeled_actions.reshape(-1))
        return obs_loss, act_loss

    def fit_step(self, x, modeled_obs, modeled_actions, **_) -> AgentModelStats:
        """One Adam step of the reconstruction loss (reads the modeled agents' data)."""
        self.train()
        obs_loss, act_loss = self.losses(x, modeled_obs, modeled_actions)
        loss = obs_loss + act_loss
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return AgentModelStats(float(loss.detach()), float(obs_loss.detach()),
                               float(act_loss.detach()))

    @torch.no_grad()
    def embed(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """``z`` at the last present step of each row's prefix."""
        z, _ = self.embed_seq(x)
        if lengths is None:
            return z[:, -1]
        return z[torch.arange(x.shape[0], device=x.device), lengths.to(x.device) - 1]
