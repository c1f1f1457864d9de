"""Predictive policy improvement (PPI), Weis et al. 2026 (arXiv:2602.16301), Sec. 3.2, App. A.

A sequence model p_φ is trained by next-token prediction on every trajectory gathered so far
(own observations, own actions, the co-player's actions, rewards); the agent then acts with
    π(a | x_≤t) ∝ p_φ(a | x_≤t) · exp(β · Q̂(x_≤t, a)),
where Q̂ is a Monte-Carlo estimate from ``n_samples`` rollouts of ``rollout_len`` future rounds
*inside* p_φ: the co-player's reply b ~ p_φ(b | x_≤t, a), the reward r̂ of the sampled joint
action (a, b) from p_φ's reward head, later own actions a' ~ p_φ(a' | ·); Q̂ = mean over
samples of Σ r̂. Each phase re-initialises p_φ, trains it on all data (AdamW), collects new
trajectories with the improved policy and adds them to the data set.

Model, per round t (time-major tensors, T rounds, B episodes):
    h_t = GRU(h_{t-1}, E_o[o_t] + w_r r_{t-1})         o_t: the 5-token observation (envs.ipd)
    p(a_t | h_t)         = softmax(W_a h_t)              own action (the prior policy)
    p(b_t | h_t, a_t)    = softmax(W_b silu(h_t + E_a[a_t]))            co-player's action
    r̂_t                  = w_q · silu(h_t + E_a[a_t] + E_b[b_t])        reward (MSE loss)
The next observation is o_{t+1} = 1 + 2 a_t + b_t, so predicting b_t predicts it. The reward is
predicted *after* the observation that reveals b_t, as the paper's factorisation
p(r_t | x_<t, a_{t-1}, o_t) (App. A.3.1): a rollout then feeds back the reward of the joint
action it sampled, the same kind of input r_{t-1} the model was trained on (not E_b[r | a]).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from replib.envs.ipd import N_TOKENS, CoplayerFactory, SeatedRepeatedGame, random_tabular
from replib.games.strategies import Mixture, by_name, random_memory1

__all__ = ["SeqWorldModel", "Trajectories", "fit_world_model", "q_estimate",
           "improved_policy", "tabular_trajectories", "collect_ppi", "PPIConfig", "train_ppi",
           "evaluate_ppi"]


@dataclass
class Trajectories:
    """Whole episodes from one agent's side, time-major (T, B)."""

    own: torch.Tensor  # int64 own actions (0 = C)
    other: torch.Tensor  # int64 co-player actions
    reward: torch.Tensor  # float32 own rewards

    def tokens(self) -> torch.Tensor:
        """Observation tokens o_t (T, B): s0 = 0 first, then 1 + 2 own + other."""
        o = 1 + 2 * self.own + self.other
        return torch.cat([torch.zeros_like(o[:1]), o[:-1]])

    def to(self, device) -> Trajectories:
        return Trajectories(self.own.to(device), self.other.to(device), self.reward.to(device))

    def cat(self, other: Trajectories) -> Trajectories:
        return Trajectories(*(torch.cat([a, b], 1) for a, b in
                              ((self.own, other.own), (self.other, other.other),
                               (self.reward, other.reward))))


class SeqWorldModel(nn.Module):
    """p_φ over the joint stream of one agent (module docstring).

    The recurrence is one ``nn.GRU`` layer: teacher-forced training (:meth:`forward`) runs it
    over the whole sequence in one call (cuDNN on a GPU), acting and rollouts (:meth:`step`)
    advance it one round with the same weights through ``torch.gru_cell``."""

    def __init__(self, *, d_hidden: int):
        super().__init__()
        self.emb_o = nn.Embedding(N_TOKENS, d_hidden)
        self.w_r = nn.Linear(1, d_hidden)
        self.gru = nn.GRU(d_hidden, d_hidden)
        self.emb_a = nn.Embedding(2, d_hidden)
        self.emb_b = nn.Embedding(2, d_hidden)
        self.head_a = nn.Linear(d_hidden, 2)
        self.head_b = nn.Linear(d_hidden, 2)
        self.head_r = nn.Linear(d_hidden, 1)
        self.d_hidden = d_hidden

    def _input(self, token, prev_r):
        return self.emb_o(token) + self.w_r(prev_r[..., None])

    def step(self, h, token, prev_r):
        """h (N, H), token (N,), prev_r (N,) -> (new h, logits of own action (N, 2))."""
        g = self.gru
        h = torch.gru_cell(self._input(token, prev_r), h, g.weight_ih_l0, g.weight_hh_l0,
                           g.bias_ih_l0, g.bias_hh_l0)
        return h, self.head_a(h)

    def reply(self, h, a):
        """-> logits of the co-player's action (N, 2) after own action ``a``."""
        return self.head_b(nn.functional.silu(h + self.emb_a(a)))

    def reward(self, h, a, b):
        """-> predicted own reward (N,) of the joint action (a, b): p(r_t | x_<t, a, o_t)."""
        return self.head_r(nn.functional.silu(h + self.emb_a(a) + self.emb_b(b))).squeeze(-1)

    def forward(self, tr: Trajectories):
        """Teacher-forced logits: own (T, B, 2), other (T, B, 2), reward (T, B)."""
        tok = tr.tokens()
        prev_r = torch.cat([torch.zeros_like(tr.reward[:1]), tr.reward[:-1]])
        hs, _ = self.gru(self._input(tok, prev_r))  # (T, B, H), h_0 = 0
        return self.head_a(hs), self.reply(hs, tr.own), self.reward(hs, tr.own, tr.other)

    def forward_stepwise(self, tr: Trajectories):
        """:meth:`forward` by :meth:`step` round by round (the reference for the fast path)."""
        tok = tr.tokens()
        prev_r = torch.cat([torch.zeros_like(tr.reward[:1]), tr.reward[:-1]])
        h = tr.reward.new_zeros(tok.shape[1], self.d_hidden)
        la, lb, rr = [], [], []
        for t in range(tok.shape[0]):
            h, a_log = self.step(h, tok[t], prev_r[t])
            la.append(a_log)
            lb.append(self.reply(h, tr.own[t]))
            rr.append(self.reward(h, tr.own[t], tr.other[t]))
        return torch.stack(la), torch.stack(lb), torch.stack(rr)

    def loss(self, tr: Trajectories) -> torch.Tensor:
        la, lb, rr = self(tr)
        ce = nn.functional.cross_entropy
        return (ce(la.reshape(-1, 2), tr.own.reshape(-1))
                + ce(lb.reshape(-1, 2), tr.other.reshape(-1))
                + ((rr - tr.reward) ** 2).mean())


def fit_world_model(data: Trajectories, *, d_hidden: int, epochs: int, batch_size: int,
                    lr: float, weight_decay: float, grad_clip: float,
                    generator: torch.Generator, betas=(0.9, 0.98),
                    device: str | torch.device = "cpu") -> tuple[SeqWorldModel, list]:
    """Fresh p_φ trained on ``data`` (AdamW, shuffled minibatches of episodes; the data stay
    where they are, minibatches move to ``device``). ``generator`` is a CPU generator
    (initialisation and shuffling). Returns (model, per-epoch mean loss)."""
    with torch.random.fork_rng():
        torch.manual_seed(int(torch.randint(2**31, (1,), generator=generator)))
        model = SeqWorldModel(d_hidden=d_hidden).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay, betas=betas)
    B = data.own.shape[1]
    hist = []
    for _ in range(epochs):
        perm = torch.randperm(B, generator=generator)
        tot = 0.0
        for i in range(0, B, batch_size):
            idx = perm[i: i + batch_size]
            sub = Trajectories(data.own[:, idx], data.other[:, idx],
                               data.reward[:, idx]).to(device)
            loss = model.loss(sub)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            opt.step()
            tot += float(loss.detach()) * len(idx)
        hist.append(tot / B)
    return model, hist


@torch.no_grad()
def q_estimate(model: SeqWorldModel, h: torch.Tensor, *, rollout_len: int, n_samples: int,
               generator: torch.Generator) -> torch.Tensor:
    """Q̂(x, a) for a in {C, D} from the state h (N, H) (after the current observation):
    mean over n_samples rollouts of the predicted rewards of this round and ``rollout_len - 1``
    later rounds; in every round the co-player's reply b is drawn from p_φ, the reward is
    p_φ's prediction for the sampled (a, b) and is fed back as the next round's r_{t-1};
    later own actions are drawn from p_φ. Returns (N, 2)."""
    N = h.shape[0]
    hh = h[:, None, None].expand(N, 2, n_samples, -1).reshape(-1, h.shape[-1])
    a = torch.arange(2, device=h.device)[None, :, None].expand(N, 2, n_samples).reshape(-1)
    total = h.new_zeros(hh.shape[0])
    for k in range(rollout_len):
        b_log = model.reply(hh, a)
        b = torch.multinomial(torch.softmax(b_log, -1), 1, generator=generator).squeeze(-1)
        r_hat = model.reward(hh, a, b)
        total += r_hat
        if k == rollout_len - 1:
            break
        hh, a_log = model.step(hh, 1 + 2 * a + b, r_hat)
        a = torch.multinomial(torch.softmax(a_log, -1), 1, generator=generator).squeeze(-1)
    return total.reshape(N, 2, n_samples).mean(-1)


@torch.no_grad()
def improved_policy(a_logits: torch.Tensor, q: torch.Tensor, *, beta: float) -> torch.Tensor:
    """π ∝ p_φ(a|x) exp(β Q̂(x, a)); a_logits, q (N, 2) -> probabilities (N, 2)."""
    return torch.softmax(torch.log_softmax(a_logits, -1) + beta * q, -1)


def tabular_trajectories(*, payoff, horizon: int, n: int, seed: int) -> Trajectories:
    """Pre-training data: n episodes of a random memory-1 agent (q ~ U(0,1)^5) against the
    random tabular pool, from the first agent's side."""
    env = SeatedRepeatedGame(n_envs=n, payoff=payoff, horizon=horizon, coplayer=random_tabular)
    env.reset(seed=seed)
    me = random_memory1(np.random.default_rng(seed + 1), n)
    me.reset(n)
    rng = np.random.default_rng(seed + 2)
    own, other, rew = [], [], []
    for _ in range(horizon):
        a = (rng.random(n) >= me.policy()).astype(np.int64)
        _, r, _, _, info = env.step(a)
        me.observe(info["joint"][:, 0], info["joint"][:, 1])
        own.append(info["joint"][:, 0])
        other.append(info["joint"][:, 1])
        rew.append(r)
    return Trajectories(torch.as_tensor(np.stack(own)), torch.as_tensor(np.stack(other)),
                        torch.as_tensor(np.stack(rew), dtype=torch.float32))


@torch.no_grad()
def collect_ppi(model: SeqWorldModel, env, *, beta: float, rollout_len: int, n_samples: int,
                seed: int, generator: torch.Generator) -> tuple[Trajectories, torch.Tensor]:
    """Play one batch of whole episodes on a pool env (``envs.ipd.SeatedRepeatedGame`` with a
    scripted co-player on every seat) with the improved policy, on the model's device
    (``generator`` lives there too). Returns (trajectories on the CPU, π(C) at every step
    (T, B))."""
    env.reset(seed=seed)
    n = env.n_envs
    dev = next(model.parameters()).device
    h = torch.zeros(n, model.d_hidden, device=dev)
    tok = torch.zeros(n, dtype=torch.long, device=dev)
    prev_r = torch.zeros(n, device=dev)
    own, other, rew, pc = [], [], [], []
    for _ in range(env.spec.horizon):
        h, a_log = model.step(h, tok, prev_r)
        q = q_estimate(model, h, rollout_len=rollout_len, n_samples=n_samples,
                       generator=generator)
        p = improved_policy(a_log, q, beta=beta)
        a = torch.multinomial(p, 1, generator=generator).squeeze(-1)
        _, r, _, _, info = env.step(a.cpu().numpy())
        j = torch.as_tensor(info["joint"])
        own.append(j[:, 0])
        other.append(j[:, 1])
        rew.append(torch.as_tensor(r, dtype=torch.float32))
        pc.append(p[:, 0].cpu())
        tok, prev_r = (1 + 2 * j[:, 0] + j[:, 1]).to(dev), rew[-1].to(dev)
    return Trajectories(torch.stack(own), torch.stack(other), torch.stack(rew)), torch.stack(pc)


@dataclass(frozen=True)
class PPIConfig:
    """PPI hyper-parameters; the defaults are the paper's (App. A, as the card reads it)."""

    d_hidden: int = 128
    epochs: int = 10
    batch_size: int = 256
    lr: float = 1e-4
    weight_decay: float = 1e-2
    grad_clip: float = 1.0
    beta: float = 0.01
    rollout_len: int = 15
    n_samples: int = 8

    def fit_kw(self) -> dict:
        return dict(d_hidden=self.d_hidden, epochs=self.epochs, batch_size=self.batch_size,
                    lr=self.lr, weight_decay=self.weight_decay, grad_clip=self.grad_clip)

    def act_kw(self) -> dict:
        return dict(beta=self.beta, rollout_len=self.rollout_len, n_samples=self.n_samples)


def train_ppi(*, payoff, horizon: int, phases: int, n_traj: int, pretrain_n: int,
              config: PPIConfig, seed: int, device: str | torch.device = "cpu",
              coplayer: CoplayerFactory = random_tabular,
              progress=None) -> tuple[SeqWorldModel, list[dict]]:
    """PPI against a pool of scripted co-players (paper Sec. 3.2; Step 1 uses the random
    tabular pool). Phase 0 is the pre-training data: ``pretrain_n`` episodes of random
    tabular agents against the pool. Each phase k = 1..phases re-initialises p_φ, fits it on
    all data so far, plays ``n_traj`` new episodes with the improved policy and adds them.

    Returns (the last phase's model, one row per phase: mean reward per round, own
    cooperation rate, mean π(C), final world-model loss)."""
    g_cpu = torch.Generator().manual_seed(int(seed))
    g_dev = torch.Generator(device=device).manual_seed(int(seed) + 1)
    data = tabular_trajectories(payoff=payoff, horizon=horizon, n=pretrain_n, seed=int(seed))
    curve = []
    phase_iter = range(1, phases + 1)
    for k in (progress(phase_iter) if progress else phase_iter):
        model, hist = fit_world_model(data, generator=g_cpu, device=device, **config.fit_kw())
        env = SeatedRepeatedGame(n_envs=n_traj, payoff=payoff, horizon=horizon,
                                 coplayer=coplayer)
        tr, pc = collect_ppi(model, env, seed=int(seed) * 1000 + k, generator=g_dev,
                             **config.act_kw())
        data = data.cat(tr)
        curve.append({"phase": k, "reward": float(tr.reward.mean()),
                      "coop": float((tr.own == 0).float().mean()), "p_coop": float(pc.mean()),
                      "wm_loss": hist[-1]})
    return model, curve


def evaluate_ppi(model: SeqWorldModel, *, opponents: list, payoff, horizon: int,
                 n_episodes: int, config: PPIConfig, seed: int) -> dict[str, np.ndarray]:
    """Play the improved policy of ``model`` against each opponent (a
    ``games.strategies.by_name`` name or a ``Strategy`` with one parameter set) for
    ``n_episodes`` episodes. Returns {'p_coop': π(C) (T, K), 'coop': executed C rate (T, K),
    'co_coop': the co-player's C rate (T, K)}, means over episodes."""
    K = len(opponents)
    idx = np.repeat(np.arange(K), n_episodes)
    strategies = [by_name(o) if isinstance(o, str) else copy.deepcopy(o) for o in opponents]
    env = SeatedRepeatedGame(n_envs=K * n_episodes, payoff=payoff, horizon=horizon,
                             coplayer=lambda rng, n: Mixture(strategies, idx))
    dev = next(model.parameters()).device
    g = torch.Generator(device=dev).manual_seed(int(seed))
    tr, pc = collect_ppi(model, env, seed=int(seed), generator=g, **config.act_kw())
    shape = (horizon, K, n_episodes)
    return {"p_coop": pc.reshape(shape).mean(-1).numpy(),
            "coop": (tr.own == 0).float().reshape(shape).mean(-1).numpy(),
            "co_coop": (tr.other == 0).float().reshape(shape).mean(-1).numpy()}
