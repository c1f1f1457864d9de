"""CLAM's experiment: PPO for the ego with and without an agent model, and the probes.

Ma, Chang, Yang, Wang and Lin (2024), "Contrastive learning-based agent modeling for deep
reinforcement learning", Sec. "Method" (co-training: the policy acts on ``[o_t, z_t]``,
``z_t`` from the momentum encoder of the ego's prefix ``tau_{1:t}``, no RL gradient into
the encoder; the encoder is trained on the stored episodes between policy updates).

* :class:`AgentModelView` wraps a ``envs.particle`` env as a ``BatchedEnv`` whose observation
  is ``[o_t, extra_t]``: nothing (NAM), ``z_t`` of an agent model (CLAM, LIAM), or the
  one-hot co-player type (Oracle). It stores finished episodes in an :class:`EpisodeBuffer`
  and counts which fields each learner reads (claim 3: CLAM reads ego data only).
* :func:`run_method` trains one method on one task and seed with ``rl.ppo.PPO`` and returns
  its learning curve, linear-probe accuracies of the co-player type from ``z_t`` on held-out
  random-walk episodes, within-episode consistency ``cos(z_t, z_T)`` and embeddings of a
  fixed probe set at training checkpoints (for the chapter's widget).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import gymnasium
import numpy as np
import torch
import torch.nn.functional as F

from replib.envs.api import BatchedEnv, EnvSpec
from replib.envs.particle import PartnerTarget, PredatorPrey
from replib.rl.agent_model import CLAM, LIAM, ego_steps
from replib.rl.ppo import PPO, MLPPolicy

__all__ = ["METHODS", "TASKS", "EpisodeBuffer", "AgentModelView", "make_task", "RunResult",
           "run_method", "run_grid", "random_episodes", "probe_accuracy", "embed_prefixes"]

METHODS = ("NAM", "LIAM", "CLAM", "Oracle")
TASKS = ("predator_prey", "partner_target")
PRIVILEGED = ("type", "modeled_obs", "modeled_actions")


def make_task(task: str, *, n_envs: int, horizon: int, n_types: int, n_agents: int):
    """The competitive (``predator_prey``) or cooperative (``partner_target``) env.

    ``n_agents`` counts every agent (ego included): predators = ``n_agents - 1``; the
    cooperative task has exactly one partner and ``n_agents`` must be 2.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    if task == "predator_prey":
        return PredatorPrey(n_envs=n_envs, n_predators=n_agents - 1, n_types=n_types,
                            horizon=horizon)
    return PartnerTarget(n_envs=n_envs, n_types=n_types, horizon=horizon)


@dataclass
class EpisodeBuffer:
    """FIFO of finished episodes: ego steps ``x (C, T, F)`` plus privileged fields."""

    capacity: int
    data: dict = field(default_factory=dict)
    size: int = 0
    reads: dict = field(default_factory=dict)  # learner -> set of fields it sampled

    def add(self, **fields) -> None:
        n = len(fields["x"])
        for k, v in fields.items():
            old = self.data.get(k)
            v = np.asarray(v)
            self.data[k] = v[-self.capacity:] if old is None else np.concatenate(
                [old, v])[-self.capacity:]
        self.size = min(self.capacity, self.size + n)

    def sample(self, learner: str, fields: tuple[str, ...], batch_size: int,
               rng: np.random.Generator) -> list[np.ndarray]:
        """A random batch of ``fields``; the read is recorded under ``learner``."""
        self.reads.setdefault(learner, set()).update(fields)
        idx = rng.integers(0, self.size, batch_size)
        return [self.data[f][idx] for f in fields]


class AgentModelView(BatchedEnv):
    """``[o_t, extra_t]`` observations over a particle env (module docstring).

    ``mode``: ``"none"`` (NAM), ``"model"`` (``model`` is a CLAM or LIAM), ``"oracle"``.
    All instances start together and episodes have a fixed length (auto-reset in lockstep).
    """

    def __init__(self, env: BatchedEnv, *, mode: str, model=None, capacity: int = 1024,
                 device: str = "cpu"):
        self.env, self.mode, self.model, self.device = env, mode, model, torch.device(device)
        self.base_dim = env.spec.observation_space.shape[0]
        self.T = env.spec.horizon
        self.n_actions = int(env.spec.action_space.n)
        extra = {"none": 0, "oracle": env.n_types,
                 "model": 0 if model is None else _embed_dim(model)}[mode]
        self.spec = EnvSpec(n_envs=env.n_envs, n_agents=1, horizon=self.T,
                            observation_space=gymnasium.spaces.Box(
                                -10.0, 10.0, (self.base_dim + extra,), np.float32),
                            action_space=env.spec.action_space, agent_ids=env.spec.agent_ids,
                            name=env.spec.name)
        self.config = {}
        self.in_features = self.base_dim + self.n_actions
        self.buffer = EpisodeBuffer(capacity=capacity)

    def _begin(self, obs: np.ndarray) -> None:
        n = self.n_envs
        self.t = 0
        self.x = torch.zeros(n, self.T + 1, self.in_features, device=self.device)
        self.priv = {"modeled_obs": [], "modeled_actions": []}
        self.h = None
        self.x[:, 0] = ego_steps(torch.as_tensor(obs[:, 0], device=self.device),
                                 torch.full((n,), -1, device=self.device), self.n_actions)

    def _extra(self, types: np.ndarray) -> np.ndarray | None:
        if self.mode == "none":
            return None
        if self.mode == "oracle":
            return np.eye(self.env.n_types, dtype=np.float32)[types]
        t = self.t
        if isinstance(self.model, LIAM):  # recurrent: one GRU step per env step
            with torch.no_grad():
                z, self.h = self.model.embed_seq(self.x[:, t: t + 1], self.h)
            return z[:, 0].cpu().numpy()
        return self.model.embed(self.x[:, : t + 1]).cpu().numpy()  # prefix tau_{1:t}

    def _scaled(self, extra: np.ndarray) -> np.ndarray:
        if self.mode != "model":
            return extra
        n = np.linalg.norm(extra, axis=-1, keepdims=True)  # the policy sees z_t / |z_t|
        return extra / np.maximum(n, 1e-6)

    def _aug(self, obs: np.ndarray, types: np.ndarray) -> np.ndarray:
        extra = self._extra(types)
        if extra is None:
            return obs
        extra = self._scaled(extra)
        return np.concatenate([obs, extra[:, None].astype(np.float32)], -1)

    def reset(self, seed: int | None = None) -> np.ndarray:
        obs = self.env.reset(seed=seed)
        self.rng = self.env.rng
        self._begin(obs)
        return self._aug(obs, self.env.types)

    def step(self, actions):
        a = np.asarray(actions).reshape(self.n_envs)
        obs, r, term, trunc, info = self.env.step(actions)
        self.priv["modeled_obs"].append(info["modeled_obs"])
        self.priv["modeled_actions"].append(info["modeled_actions"])
        done = term | trunc
        if done.any() and not done.all():
            raise RuntimeError("AgentModelView needs fixed-length episodes in lockstep")
        src = info["final_obs"] if done.all() else obs
        self.x[:, self.t + 1] = ego_steps(torch.as_tensor(src[:, 0], device=self.device),
                                          torch.as_tensor(a, device=self.device),
                                          self.n_actions)
        self.t += 1
        info = dict(info)
        if done.all():
            self.t_final = self.t
            info["final_obs"] = self._aug(info["final_obs"], info["type"])
            self.buffer.add(x=self.x[:, : self.T].cpu().numpy().copy(), type=info["type"],
                            modeled_obs=np.stack(self.priv["modeled_obs"], 1),
                            modeled_actions=np.stack(self.priv["modeled_actions"], 1))
            self._begin(obs)
            out = self._aug(obs, self.env.types)
        else:
            out = self._aug(obs, self.env.types)
            info["final_obs"] = out
        return out, r, term, trunc, info

    def action_mask(self):
        return None


def _embed_dim(model) -> int:
    return model.encoder.embed_dim if isinstance(model, CLAM) else model.to_z.out_features


def random_episodes(env: BatchedEnv, *, seed: int) -> dict:
    """One batch of episodes with a uniformly random ego: ego steps ``x (n, T, F)``, the raw
    observations ``obs (n, T, obs_dim)`` and the co-player ``type (n,)``.

    The ego's actions come from a child of ``seed``'s ``SeedSequence``, independent of the
    env's stream (seeded with ``seed``) that draws the types."""
    view = AgentModelView(env, mode="none", capacity=env.n_envs)  # keep every episode
    obs = view.reset(seed=seed)
    # The ego's stream must be independent of the env's: ``default_rng(seed)`` twice gives
    # the same bits, and the ego's 17th action batch then *equals* the co-player types.
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    raw = [obs[:, 0]]
    for _ in range(view.T):
        obs, *_ = view.step(rng.integers(0, view.n_actions, (env.n_envs, 1)))
        raw.append(obs[:, 0])
    d = view.buffer.data
    return {"x": d["x"], "obs": np.stack(raw[:-1], 1), "type": d["type"]}


def embed_prefixes(model, x: np.ndarray, ts: list[int]) -> np.ndarray:
    """``z_t`` of every episode for each prefix length ``t`` in ``ts``: ``(len(ts), n, d)``."""
    xt = torch.as_tensor(x, device=next(model.parameters()).device)
    with torch.no_grad():
        if isinstance(model, LIAM):
            z, _ = model.embed_seq(xt)
            return z[:, [t - 1 for t in ts]].transpose(0, 1).cpu().numpy()
        return np.stack([model.embed(xt[:, :t]).cpu().numpy() for t in ts])


def probe_accuracy(train_x, train_y, test_x, test_y, *, seed: int = 0) -> float:
    """Held-out accuracy of a standardised multinomial logistic-regression probe."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300, random_state=seed))
    clf.fit(train_x, train_y)
    return float(clf.score(test_x, test_y))


@dataclass
class RunResult:
    """One (task, method, seed) run."""

    returns: np.ndarray  # (updates,) mean episodic ego return per update
    final_return: float  # mean over the last ``last_k`` updates
    probe: dict  # t -> held-out type accuracy from z_t (or from o_t for NAM/Oracle)
    consistency: float  # mean cos(z_t - m, z_T - m) over t >= 5, m = mean z (nan: no model)
    checkpoints: list  # [(update, (len(ts), n_probe, d) embeddings)]
    reads: dict  # learner -> privileged fields it read during training
    model_loss: np.ndarray  # (updates,) agent-model loss
    cpu_s: float = float("nan")  # CPU seconds of this run (training and probes)
    probe_types: np.ndarray | None = None  # co-player type of each probe episode


def run_method(*, task: str, method: str, seed: int, n_envs: int, horizon: int, n_types: int,
               n_agents: int, updates: int, embed_dim: int, enc_width: int, n_heads: int = 4,
               n_layers: int = 2, model_steps: int, model_batch: int, model_lr: float,
               temperature: float, mask_ratio: float, momentum: float, min_crop: int,
               max_crop: int, ppo_lr: float, n_epochs: int, n_minibatches: int,
               ent_coef: float, gamma: float = 0.99, hidden_sizes=(64, 64),
               probe_ts=(2, 5, 10), last_k: int = 10,
               n_checkpoints: int = 4, probe_episodes: int = 512,
               capacity: int = 1024, device: str = "cpu") -> RunResult:
    """Train ``method`` on ``task`` for ``updates`` PPO updates of ``n_envs`` episodes each."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    cpu0 = time.process_time()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    env = make_task(task, n_envs=n_envs, horizon=horizon, n_types=n_types, n_agents=n_agents)
    base = env.spec.observation_space.shape[0]
    in_features = base + int(env.spec.action_space.n)
    model = None
    if method == "CLAM":
        model = CLAM(in_features=in_features, d_model=enc_width, n_heads=n_heads,
                     n_layers=n_layers, embed_dim=embed_dim, temperature=temperature,
                     mask_ratio=mask_ratio, momentum=momentum, min_crop=min_crop,
                     max_crop=max_crop, lr=model_lr, max_len=horizon + 1)
    elif method == "LIAM":
        model = LIAM(in_features=in_features, n_modeled=env.n_modeled, modeled_obs_dim=4,
                     n_actions=int(env.spec.action_space.n), d_hidden=enc_width,
                     embed_dim=embed_dim, lr=model_lr)
    if model is not None:  # the agent model may sit on a GPU; env, policy and PPO stay on CPU
        model.to(device)
    mode = {"NAM": "none", "Oracle": "oracle"}.get(method, "model")
    view = AgentModelView(env, mode=mode, model=model, capacity=capacity, device=device)
    policy = MLPPolicy(obs_dim=view.spec.observation_space.shape[0],
                       n_actions=view.n_actions, hidden_sizes=list(hidden_sizes))
    ppo = PPO(policy, lr=ppo_lr, n_epochs=n_epochs, n_minibatches=n_minibatches,
              rollout_len=horizon, ent_coef=ent_coef, gamma=gamma, value_norm=True)
    probe_env = make_task(task, n_envs=probe_episodes, horizon=horizon, n_types=n_types,
                          n_agents=n_agents)
    probe = random_episodes(probe_env, seed=10_000 + seed)
    ts = sorted({*(t for t in probe_ts if t < horizon), horizon})
    ckpt_at = set(np.linspace(0, updates, n_checkpoints).round().astype(int).tolist())
    ckpt_at.add(updates)
    checkpoints, losses = [], []

    def embed_now(u):
        if model is not None and u in ckpt_at:
            checkpoints.append((u, embed_prefixes(model, probe["x"], ts)))

    def after_update(stats):
        loss = float("nan")
        for _ in range(model_steps if model is not None else 0):
            if method == "CLAM":  # ego trajectories only (claim 3)
                (x,) = view.buffer.sample("CLAM", ("x",), model_batch, rng)
                loss = model.fit_step(torch.as_tensor(x, device=device), generator=gen).loss
            else:
                x, mo, ma = view.buffer.sample("LIAM", ("x", "modeled_obs", "modeled_actions"),
                                               model_batch, rng)
                loss = model.fit_step(torch.as_tensor(x, device=device),
                                      torch.as_tensor(mo, device=device),
                                      torch.as_tensor(ma, dtype=torch.long, device=device)).loss
        losses.append(loss)
        embed_now(stats.update + 1)

    embed_now(0)
    stats = ppo.learn(view, updates=updates, seed=seed, callback=after_update)
    returns = np.array([s.episode_return for s in stats])
    half = len(probe["type"]) // 2
    y_tr, y_te = probe["type"][:half], probe["type"][half:]
    acc, consistency = {}, float("nan")
    if model is not None:
        z = checkpoints[-1][1]  # the final checkpoint is the trained model
        for i, t in enumerate(ts):
            acc[t] = probe_accuracy(z[i, :half], y_tr, z[i, half:], y_te, seed=seed)
        cons_ts = list(range(5, horizon, 5)) + [horizon]  # t >= 5, every 5th step, and T
        zt = torch.as_tensor(embed_prefixes(model, probe["x"], cons_ts))  # on the CPU
        zt = zt - zt.mean((0, 1))  # centred: a shared offset must not count as consistency
        consistency = float(F.cosine_similarity(zt[:-1], zt[-1:], dim=-1).mean())
    else:  # the memoryless baseline's information: the current observation only
        for t in ts:
            o = probe["obs"][:, t - 1]
            acc[t] = probe_accuracy(o[:half], y_tr, o[half:], y_te, seed=seed)
    reads = {k: sorted(set(v) & set(PRIVILEGED)) for k, v in view.buffer.reads.items()}
    return RunResult(returns=returns, final_return=float(np.nanmean(returns[-last_k:])),
                     probe=acc, consistency=consistency, checkpoints=checkpoints,
                     reads=reads, model_loss=np.array(losses),
                     cpu_s=time.process_time() - cpu0, probe_types=probe["type"])


def _worker(job):
    torch.set_num_threads(1)
    task, method, seed, kw = job
    return (task, method, seed), run_method(task=task, method=method, seed=seed, **kw)


def run_grid(*, tasks, methods, seeds, n_workers: int = 2, progress=None, **kw) -> dict:
    """``run_method`` for every (task, method, seed): ``{(task, method, seed): RunResult}``.

    Runs are independent, so ``n_workers`` processes share them (small-tensor RL does not
    gain from intra-op threads; separate processes use both cores). ``progress`` wraps the
    iterator of finished runs (e.g. ``run.progress``). Results do not depend on ``n_workers``.
    """
    for name, vals, allowed in (("tasks", tasks, TASKS), ("methods", methods, METHODS)):
        bad = [v for v in vals if v not in allowed]
        if bad or not vals:
            raise ValueError(f"{name} must be a non-empty list from {allowed}, got {vals!r}")
    jobs = [(t, m, s, kw) for t in tasks for s in seeds for m in methods]
    import multiprocessing as mp

    from replib.book.parallel import map_runs

    fork = "fork" in mp.get_all_start_methods() and not str(kw.get("device", "cpu")).startswith(
        "cuda")  # CUDA cannot be used in forked children
    return dict(map_runs(_worker, jobs, workers=n_workers, progress=progress,
                         start_method="fork" if fork else "spawn"))
