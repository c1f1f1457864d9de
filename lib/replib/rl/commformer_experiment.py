"""The commformer chapter's experiment: train one method on a who-needs-whom task, evaluate it.

CommFormer (Hu et al., ICLR 2024) bi-level optimisation, as in the official
``mat_trainer.py``: network weights θ and graph logits α have their own Adam optimisers; in
every PPO update of ``n_epochs`` epochs, every 5th epoch steps only α on the PPO loss, the
others only θ (``rl.ppo.AuxOptimizer``). Methods (the paper's baselines):

* ``commformer``: learned graph at sparsity S (k = max(1, ⌊nS⌋) senders per receiver);
* ``full``: every agent hears every agent (S = 1); ``nocomm``: nobody (A = 0, self only);
* ``random``: a fixed random graph with the same k per receiver (RandomFixed);
* ``attention``: full graph, plain attention without relation embeddings (TarMAC-style);
* ``oracle``: the true dependency graph (an upper reference, not a paper baseline).

``gate=True`` adds the temporal gate (extended version) with cost ``gate_lambda``.
``task`` picks the environment: ``"who_needs_whom"`` (the reference game, default) or
``"predator_prey"`` (IC3Net's grid Predator–Prey, ``envs.gridpp``; ``full`` profile), where
``accuracy`` is the success rate (all predators on the prey within ``max_steps``) and
``mean_steps`` the mean episode length. Evaluation is greedy (the execution policy: exact
top-k graph, deterministic gate) on fresh episodes; returned numbers are plain
floats/arrays in a ``RunResult``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import torch

from replib.envs.comm_games import WhoNeedsWhom
from replib.envs.gridpp import GridPredatorPrey
from replib.gates.gumbel import k_from_sparsity
from replib.rl.commformer import CommFormerPolicy, random_graph
from replib.rl.ppo import PPO, AuxOptimizer

__all__ = ["METHODS", "TASKS", "RunResult", "train_run", "evaluate", "evaluate_pp",
           "edge_recovery", "check_method", "check_task", "run_grid"]

METHODS = ("commformer", "full", "nocomm", "random", "attention", "oracle")
TASKS = ("who_needs_whom", "predator_prey")


def check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def check_task(task: str, method: str = "commformer") -> None:
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    if task == "predator_prey" and method == "oracle":
        raise ValueError("method 'oracle' needs task 'who_needs_whom' (Predator-Prey has no "
                         f"known graph); allowed methods there: {METHODS[:-1]}")


@dataclass
class RunResult:
    method: str
    sparsity: float
    seed: int
    gate: bool
    curve: np.ndarray  # per update: mean reward per agent-step (Predator-Prey: episode return)
    accuracy: float  # greedy eval: mean correctness (task A) or on flagged steps (task B)
    recovery: float  # fraction of true edges present in the final graph
    adjacency: np.ndarray  # final execution graph (receiver × sender)
    snapshots: list = field(default_factory=list)  # (update, adjacency) during training
    comm_ratio: float = 1.0  # mean gate (share of agent-steps that receive messages)
    open_flagged: float = float("nan")  # P(gate open | f = 1)
    open_unflagged: float = float("nan")  # P(gate open | f = 0)
    env_steps: int = 0
    task: str = "who_needs_whom"
    mean_steps: float = float("nan")  # Predator-Prey: mean greedy episode length


def edge_recovery(adj: np.ndarray, true_adj: np.ndarray) -> float:
    """Fraction of true edges (receiver i needs sender j) present in ``adj``."""
    return float((adj[true_adj > 0] > 0.5).mean())


@torch.no_grad()
def evaluate(policy: CommFormerPolicy, env_kwargs: dict, *, n_envs: int, seed: int,
             steps: int) -> dict:
    env = WhoNeedsWhom(n_envs=n_envs, **env_kwargs)
    obs = env.reset(seed=seed)
    policy.eval()
    correct, flags, gates = [], [], []
    dev = next(policy.parameters()).device
    for _ in range(steps):
        out = policy(torch.as_tensor(obs, device=dev))
        g = policy.last_gate
        gates.append(np.ones(obs.shape[:2]) if g is None else g.cpu().numpy())
        obs, _, _, _, info = env.step(out.logits.argmax(-1).cpu().numpy())
        correct.append(info["correct"])
        flags.append(info["flag"])
    c, f, g = np.stack(correct), np.stack(flags), np.stack(gates)
    return dict(accuracy=float(c[f].mean()), comm_ratio=float(g.mean()),
                open_flagged=float(g[f].mean()) if f.any() else float("nan"),
                open_unflagged=float(g[~f].mean()) if (~f).any() else float("nan"))


@torch.no_grad()
def evaluate_pp(policy: CommFormerPolicy, env_kwargs: dict, *, n_envs: int, seed: int) -> dict:
    """Greedy Predator–Prey episodes, one per env: success rate and mean episode length."""
    env = GridPredatorPrey(n_envs=n_envs, **env_kwargs)
    obs = env.reset(seed=seed)
    policy.eval()
    dev = next(policy.parameters()).device
    done = np.zeros(n_envs, bool)
    success, length, gates = np.zeros(n_envs, bool), np.zeros(n_envs), []
    while not done.all():
        out = policy(torch.as_tensor(obs, device=dev))
        if policy.last_gate is not None:
            gates.append(policy.last_gate.cpu().numpy()[~done].ravel())
        obs, _, term, trunc, info = env.step(out.logits.argmax(-1).cpu().numpy())
        new = (term | trunc) & ~done
        success[new], length[new] = term[new], info["episode_length"][new]
        done |= new
    return dict(accuracy=float(success.mean()), mean_steps=float(length.mean()),
                comm_ratio=float(np.concatenate(gates).mean()) if gates else 1.0,
                open_flagged=float("nan"), open_unflagged=float("nan"))


def train_run(*, method: str, n_agents: int, n_tokens: int, sparsity: float, d_model: int,
              updates: int, batch: int, warmup: int, seed: int, gate: bool = False,
              gate_lambda: float = 0.0, horizon: int = 1, flag_prob: float | None = None,
              reward: str = "team", graph_seed: int = 0, lr: float = 5e-4,
              graph_lr: float | None = None, n_epochs: int = 5, n_minibatches: int = 1,
              clip_eps: float = 0.2, ent_coef: float = 0.01, n_heads: int = 1,
              graph_samples: str = "shared", graph_start: int = 0,
              post_ratio: float | None = None,
              snapshot_at: Iterable[int] = (), eval_envs: int = 1024,
              device: str = "cpu", progress: Callable | None = None,
              task: str = "who_needs_whom", grid: int = 10, vision: int = 0,
              max_steps: int = 40, moving_prey: bool = False) -> RunResult:
    """Train ``method`` with PPO on ``task`` and evaluate it greedily. ``batch`` is env steps
    per update (n_envs = batch // horizon, rollout_len = horizon; Predator–Prey uses
    horizon = ``max_steps``; ``n_tokens``, ``flag_prob``, ``graph_seed`` are unused there).

    ``post_ratio`` switches on CommFormer's post-stable phase (official ``--post_stable``,
    default ratio 0.5, used by every SMAC script of the official code): after update
    ``P = int(post_ratio * updates)`` the PPO update uses the exact top-k graph that acting
    uses instead of Gumbel samples, and the graph logits α are frozen (their optimiser stops;
    the network weights then step in every epoch). ``None`` samples until the end."""
    check_method(method)
    check_task(task, method)
    if post_ratio is not None and not 0 <= post_ratio <= 1:
        raise ValueError(f"post_ratio must be in [0, 1] or None, got {post_ratio!r}")
    post = None if post_ratio is None else int(post_ratio * updates)
    torch.manual_seed(seed)
    if task == "predator_prey":
        horizon = max_steps
        env_kwargs = dict(n_agents=n_agents, grid=grid, vision=vision, max_steps=max_steps,
                          moving_prey=moving_prey, reward=reward)
        env = GridPredatorPrey(n_envs=max(1, batch // horizon), **env_kwargs)
        true_adj, n_actions = None, 5
    else:
        env_kwargs = dict(n_agents=n_agents, n_tokens=n_tokens, horizon=horizon,
                          flag_prob=flag_prob, reward=reward, graph_seed=graph_seed)
        env = WhoNeedsWhom(n_envs=max(1, batch // horizon), **env_kwargs)
        true_adj, n_actions = env.true_adjacency(), n_tokens
    k = k_from_sparsity(n_agents, sparsity)
    graph = {"commformer": "learned", "full": "full", "attention": "full", "nocomm": "none",
             "random": "fixed", "oracle": "fixed"}[method]
    fixed = None
    if method == "random":
        g = torch.Generator().manual_seed(10_000 + seed)
        fixed = random_graph(n_agents, min(k, n_agents - 1), generator=g)
    elif method == "oracle":
        fixed = torch.as_tensor(true_adj)
    policy = CommFormerPolicy(n_agents=n_agents, obs_dim=env.obs_dim, n_actions=n_actions,
                              d_model=d_model, n_heads=n_heads, graph=graph, sparsity=sparsity,
                              warmup=warmup, post_stable_update=post, fixed_adj=fixed,
                              relation_embed=method != "attention", gate=gate,
                              gate_lambda=gate_lambda, graph_samples=graph_samples,
                              seed=seed).to(device)
    aux = []
    if policy.graph_parameters():
        opt = torch.optim.Adam(policy.graph_parameters(), lr=graph_lr or lr)
        aux = [AuxOptimizer(opt, every=5, start_update=graph_start, exclusive=True,
                            stop_update=None if post is None else post + 1)]
    ppo = PPO(policy, lr=lr, gamma=0.99, gae_lambda=0.95, clip_eps=clip_eps, ent_coef=ent_coef,
              vf_coef=1.0, n_epochs=n_epochs, n_minibatches=n_minibatches,
              rollout_len=horizon, value_loss="huber_clipped", value_norm=True,
              params=policy.model_parameters(), aux_optimizers=aux, device=device)
    snaps_at, snaps = set(snapshot_at), []

    def on_update(stats):
        policy.set_progress(stats.update + 1)
        if stats.update + 1 in snaps_at and policy.graph is not None:
            snaps.append((stats.update + 1, policy.graph.adjacency().cpu().numpy()))

    stats = ppo.learn(env, updates=updates, seed=seed, progress=progress, callback=on_update)
    if task == "predator_prey":
        ev = evaluate_pp(policy, env_kwargs, n_envs=eval_envs, seed=seed + 777)
    else:
        ev = evaluate(policy, env_kwargs, n_envs=eval_envs, seed=seed + 777, steps=horizon)
    policy.eval()
    adj = policy.adjacency().detach().cpu().numpy()
    recovery = float("nan") if true_adj is None else edge_recovery(adj, true_adj)
    return RunResult(method=method, sparsity=sparsity, seed=seed, gate=gate,
                     curve=np.array([s.episode_return if task == "predator_prey"
                                     else s.mean_reward for s in stats]),
                     accuracy=ev["accuracy"], recovery=recovery,
                     adjacency=adj, snapshots=snaps, comm_ratio=ev["comm_ratio"],
                     open_flagged=ev["open_flagged"], open_unflagged=ev["open_unflagged"],
                     env_steps=stats[-1].env_steps if stats else 0, task=task,
                     mean_steps=ev.get("mean_steps", float("nan")))


def _one(kw: dict) -> RunResult:
    torch.set_num_threads(1)
    return train_run(**kw)


def run_grid(configs: list[dict], *, workers: int = 1,
             progress: Callable[[Iterable], Iterable] | None = None) -> list[RunResult]:
    """``train_run(**c)`` for every config, in order; ``workers > 1`` uses that many spawned
    processes (each run is seeded on its own, so results do not depend on scheduling)."""
    from replib.book.parallel import map_runs

    return map_runs(_one, configs, workers=workers, progress=progress)
