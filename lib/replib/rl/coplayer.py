"""Experiment loops of in-context co-player inference (Weis et al. 2026, arXiv:2602.16301).

Step 1 (Sec. 4.1, Fig. 2A-B): one A2C sequence learner per seed trained against a pool of
  random memory-1 tabular co-players (q ~ U(0,1)^5, resampled per episode) -> in-context
  best response; evaluated against named strategies (``evaluate``).
Step 2 (Fig. 2C-D, App. B.2): the Step-1 learner is frozen ("Fixed-ICL") and a fresh learner
  is trained against it -> extortion (``train_exploiters``).
Step 3 (Fig. 2E-F, Fig. 4E-F): two copies of each seed's Step-2 extortioner trained against
  each other -> more cooperation within and across episodes (``train_mutual``).
Mixed pool vs ablations (Fig. 1): two learners per seed trained together; condition
  "mixed": each learner plays half its episodes against the other learner and half against
  the tabular pool, with no identity given; "no-pool": only against each other;
  "opponent-id": the mixed pool with the co-player's identity in the observation (the 5
  log-probabilities of a tabular co-player, a learner flag otherwise) (``train_pairs``).

All learners of one call are one ``rl.a2c`` population (seat = member * batch + b), so seeds
run side by side; member m's initial weights come from its own seed and role only
(``init_seeds`` = 1000 * seed + role); the environment stream of a call is seeded by its
first seed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch

from replib.envs.ipd import SeatedRepeatedGame, obs_dim, random_tabular
from replib.games.strategies import Mixture, by_name
from replib.rl.a2c import A2C, A2CConfig, PopActorCritic, collect, select_members

__all__ = ["CONDITIONS", "Curves", "train_pool", "evaluate", "train_exploiters",
           "train_pairs", "train_mutual", "pair_partner", "in_context_checks",
           "IN_CONTEXT_RULE"]

CONDITIONS = ("mixed", "no-pool", "opponent-id")


@dataclass(frozen=True)
class Curves:
    """Per-update training curves, (updates, P) each (P = members of the population)."""

    reward: np.ndarray
    coop: np.ndarray
    entropy: np.ndarray


def _gen(learner: A2C, seed) -> torch.Generator:
    return torch.Generator(device=learner.device).manual_seed(int(seed))


def _net(n, seeds, role, opponent_id, d_embed, d_hidden, device="cpu"):
    init = [1000 * int(s) + role for s in seeds]
    return PopActorCritic(n_members=n, d_obs=obs_dim(opponent_id), d_embed=d_embed,
                          d_hidden=d_hidden, init_seeds=init).to(device)


def _train(env, learner, *, updates, seed, progress):
    g = _gen(learner, seed)
    obs = env.reset(seed=int(seed))
    rows = []
    it = range(updates) if progress is None else progress(range(updates))
    for _ in it:
        ep, obs = collect(env, learner, obs, g)
        st = learner.update(ep)
        rows.append((st.mean_reward, st.coop, st.entropy))
    r, c, e = (np.array([x[i] for x in rows]) for i in range(3))
    return Curves(reward=r, coop=c, entropy=e), obs, g


def train_pool(*, seeds, payoff, horizon, batch, updates, config: A2CConfig, d_embed,
               d_hidden, device="cpu", progress=None) -> tuple[PopActorCritic, Curves]:
    """Step 1: one learner per seed against random tabular co-players."""
    P = len(seeds)
    net = _net(P, seeds, 1, False, d_embed, d_hidden, device)
    env = SeatedRepeatedGame(n_envs=P * batch, payoff=payoff, horizon=horizon,
                             coplayer=random_tabular)
    curves, _, _ = _train(env, A2C(net=net, config=config), updates=updates,
                          seed=seeds[0], progress=progress)
    return net, curves


def evaluate(net: PopActorCritic, *, opponents: list, payoff, horizon, n_episodes,
             seed) -> dict[str, np.ndarray]:
    """Play every member against every opponent: a ``games.strategies.by_name`` name or a
    ``Strategy`` instance with a single (shared) parameter set.

    Returns {'p_coop': π(C) (T, P, K), 'coop': executed C rate (T, P, K), 'co_coop': the
    co-player's C rate (T, P, K), 'reward':
    learner's mean reward (T, P, K), 'co_reward': the co-player's (T, P, K)}, averaged over
    ``n_episodes`` episodes per (member, opponent)."""
    P, K = net.n_members, len(opponents)
    idx = np.tile(np.repeat(np.arange(K), n_episodes), P)
    strategies = [by_name(o) if isinstance(o, str) else copy.deepcopy(o) for o in opponents]

    def factory(rng, n):
        return Mixture([s for s in strategies], idx)

    env = SeatedRepeatedGame(n_envs=P * K * n_episodes, payoff=payoff, horizon=horizon,
                             coplayer=factory)
    learner = A2C(net=net, config=A2CConfig(lr=0, gamma=1, gae_lambda=1, ent_coef=0,
                                            vf_coef=0, reward_scale=1, norm_adv=False,
                                            grad_clip=1))
    ep, _ = collect(env, learner, env.reset(seed=int(seed)), _gen(learner,
        int(seed)))
    T = horizon
    shape = (T, P, K, n_episodes)
    j = ep.joint.reshape(*shape, 2)
    a, b = j[..., 0], j[..., 1]
    co_r = payoff[1, a, b]  # the learner is the row player against a scripted co-player
    return {"p_coop": ep.probs.reshape(shape).mean(-1).cpu().numpy(),
            "coop": (a == 0).mean(-1), "co_coop": (b == 0).mean(-1),
            "reward": ep.rewards.reshape(shape).mean(-1).cpu().numpy(),
            "co_reward": co_r.mean(-1)}


IN_CONTEXT_RULE = ("last quarter: defect >= 0.8 vs AllC and AllD, cooperate >= 0.6 vs TFT "
                   "(final 2 rounds excluded); 2nd half: P(C|TFT) - P(C|AllC) >= 0.5")


def in_context_checks(p_coop: np.ndarray, names: list[str],
                      horizon: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Step-1 test of an in-context best response (Fig. 2A-B, Fig. 4A-B) on π(C) per round.

    ``p_coop`` is (T, seeds, K) over the co-players ``names`` (AllC, AllD and TFT among them).
    Returns the four per-seed statistics and whether all hold (``IN_CONTEXT_RULE``): defect
    against AllC and AllD late in the episode, cooperate with TFT (the final two rounds,
    where defecting is the finite-horizon best response, are left out), and treat TFT and
    AllC differently in the second half (an agent that ignores its co-player cannot)."""
    T = horizon
    late = slice(3 * T // 4, max(3 * T // 4 + 1, T - 2))
    half = slice(T // 2, T)
    k = {n: i for i, n in enumerate(names)}
    pc = np.asarray(p_coop)
    stats = {
        "defect vs AllC": 1 - pc[3 * T // 4:, :, k["AllC"]].mean(0),
        "defect vs AllD": 1 - pc[3 * T // 4:, :, k["AllD"]].mean(0),
        "coop vs TFT": pc[late, :, k["TFT"]].mean(0),
        "TFT - AllC (2nd half)": pc[half, :, k["TFT"]].mean(0) - pc[half, :, k["AllC"]].mean(0),
    }
    ok = ((stats["defect vs AllC"] >= 0.8) & (stats["defect vs AllD"] >= 0.8)
          & (stats["coop vs TFT"] >= 0.6) & (stats["TFT - AllC (2nd half)"] >= 0.5))
    return stats, ok


def pair_partner(n_pairs: int, batch: int, frac_paired: float) -> np.ndarray:
    """Seat pairing for populations ordered [A_0, B_0, A_1, B_1, ...]: the first
    round(frac_paired * batch) seats of A_i and B_i play each other, the rest get -1 (pool)."""
    k = int(round(frac_paired * batch))
    partner = np.full(2 * n_pairs * batch, -1)
    for i in range(n_pairs):
        a, b = 2 * i * batch, (2 * i + 1) * batch
        partner[a: a + k] = np.arange(b, b + k)
        partner[b: b + k] = np.arange(a, a + k)
    return partner


def train_exploiters(fixed: PopActorCritic, *, seeds, payoff, horizon, batch, updates,
                     config: A2CConfig, d_embed, d_hidden, n_eval, progress=None):
    """Step 2: a fresh learner per seed trained against that seed's frozen Step-1 learner.

    Returns (exploiters, curves, final {'exploiter': (P,), 'fixed': (P,), 'coop': (P, 2)}
    mean per-round rewards and cooperation rates over an evaluation batch of ``n_eval``
    episodes per seed)."""
    P = len(seeds)
    expl = _net(P, seeds, 2, False, d_embed, d_hidden, next(fixed.parameters()).device)
    frozen = select_members(fixed, list(range(P)))
    pop = PopActorCritic(n_members=2 * P, d_obs=obs_dim(False), d_embed=d_embed,
                         d_hidden=d_hidden)
    order = []  # [E_0, F_0, E_1, F_1, ...]
    for i in range(P):
        order += [expl.members[i], frozen.members[i]]
    pop.members = torch.nn.ModuleList(order)
    env = SeatedRepeatedGame(n_envs=2 * P * batch, payoff=payoff, horizon=horizon,
                             partner=pair_partner(P, batch, 1.0))
    learner = A2C(net=pop, config=config, trainable=[i % 2 == 0 for i in range(2 * P)])
    curves, _, _ = _train(env, learner, updates=updates, seed=seeds[0], progress=progress)
    ev = SeatedRepeatedGame(n_envs=2 * P * n_eval, payoff=payoff, horizon=horizon,
                            partner=pair_partner(P, n_eval, 1.0))
    ep, _ = collect(ev, learner, ev.reset(seed=int(seeds[0]) + 1),
                    _gen(learner, int(seeds[0]) + 1))
    r = ep.rewards.mean((0, 2)).cpu().numpy().reshape(P, 2)
    c = (ep.actions == 0).float().mean((0, 2)).cpu().numpy().reshape(P, 2)
    final = {"exploiter": r[:, 0], "fixed": r[:, 1], "coop": c}
    return select_members(pop, list(range(0, 2 * P, 2))), curves, final


def train_pairs(*, condition: str, seeds, payoff, horizon, batch, updates,
                config: A2CConfig, d_embed, d_hidden, n_eval, device="cpu", progress=None):
    """Two learners per seed under ``condition`` (one of CONDITIONS). Returns (curves,
    final learner-vs-learner cooperation rate per seed (P,) over ``n_eval`` episodes)."""
    if condition not in CONDITIONS:
        raise ValueError(f"condition must be one of {', '.join(CONDITIONS)}, got {condition!r}")
    P = len(seeds)
    ident = condition == "opponent-id"
    init = [s for s in seeds for _ in (0, 1)]
    net = PopActorCritic(n_members=2 * P, d_obs=obs_dim(ident), d_embed=d_embed,
                         d_hidden=d_hidden,
                         init_seeds=[1000 * int(s) + 3 + k % 2 for k, s in enumerate(init)]
                         ).to(device)
    frac = 1.0 if condition == "no-pool" else 0.5
    env = SeatedRepeatedGame(n_envs=2 * P * batch, payoff=payoff, horizon=horizon,
                             partner=pair_partner(P, batch, frac),
                             coplayer=None if frac == 1.0 else random_tabular,
                             opponent_id=ident)
    learner = A2C(net=net, config=config)
    curves, _, _ = _train(env, learner, updates=updates, seed=seeds[0], progress=progress)
    ev = SeatedRepeatedGame(n_envs=2 * P * n_eval, payoff=payoff, horizon=horizon,
                            partner=pair_partner(P, n_eval, 1.0), opponent_id=ident)
    ep, _ = collect(ev, learner, ev.reset(seed=int(seeds[0]) + 1),
                    _gen(learner, int(seeds[0]) + 1))
    coop = (ep.actions == 0).float().mean((0, 2)).cpu().numpy().reshape(P, 2).mean(1)
    return curves, coop


def _lvl_coop(learner, P, payoff, horizon, n_eval, seed):
    ev = SeatedRepeatedGame(n_envs=2 * P * n_eval, payoff=payoff, horizon=horizon,
                            partner=pair_partner(P, n_eval, 1.0))
    ep, _ = collect(ev, learner, ev.reset(seed=int(seed)), _gen(learner,
        int(seed)))
    return (ep.actions == 0).float().mean((0, 2)).cpu().numpy().reshape(P, 2).mean(1), ep


def train_mutual(extortioners: PopActorCritic, *, seeds, payoff, horizon, batch, updates,
                 config: A2CConfig, n_eval, progress=None):
    """Step 3: member i of ``extortioners`` (seed i) plays a copy of itself; both train.
    Returns (curves, cooperation before training (P,), after (P,), within-episode
    cooperation after training (T, P))."""
    P = len(seeds)
    pop = select_members(extortioners, [i for i in range(P) for _ in (0, 1)])
    learner = A2C(net=pop, config=config)
    before, _ = _lvl_coop(learner, P, payoff, horizon, n_eval, seeds[0] + 7)
    env = SeatedRepeatedGame(n_envs=2 * P * batch, payoff=payoff, horizon=horizon,
                             partner=pair_partner(P, batch, 1.0))
    curves, _, _ = _train(env, learner, updates=updates, seed=seeds[0] + 3, progress=progress)
    after, ep = _lvl_coop(learner, P, payoff, horizon, n_eval, seeds[0] + 7)
    within = (ep.actions == 0).float().mean(2).cpu().numpy().reshape(horizon, P, 2).mean(-1)
    return curves, before, after, within
