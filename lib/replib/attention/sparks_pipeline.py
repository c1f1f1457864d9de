"""The whole thinking-sparks analogue for one seed (Park et al. 2025, Secs. 4-6 in miniature).

Base (direct answers, k ≤ easy_k) → three post-training branches from the same base:
SFT on think traces (checkpoints), GRPO after a short think-format warm start (checkpoints),
and a think on/off model (mode tokens, 50/50 mix). At every checkpoint: node-level EAP-IG on
the same hard problems, the circuit at ``circuit_mass``, and hard-set accuracy. Then the
emergent sets E = circuit(post) − circuit(base), zero-ablation of E against random
non-circuit heads of the same size, amplification of E on easy vs hard problems, and the
on/off model's circuits for ``<think>`` and ``<nothink>`` prompts. Returns plain picklable
data; :func:`run_seeds` spreads seeds over spawned worker processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import torch

from replib.attention import sparks_study as S
from replib.attention.attribution import circuit, emergent, head_scales
from replib.data.arithmetic import sample_chains

__all__ = ["run_seed", "run_seeds"]


def run_seed(*, seed: int, modulus: int, d_model: int, n_layers: int, n_heads: int,
             easy_k: int, hard_k: int, base_steps: int, sft_steps: int, sft_every: int,
             warm_steps: int, grpo_steps: int, grpo_every: int, grpo_group: int,
             grpo_prompts: int, grpo_lr: float, kl_coef: float, clip_eps: float,
             onoff_steps: int, lr: float, batch_size: int, circuit_mass: float,
             ig_steps: int, amplify: float, n_attr: int, n_eval: int, n_random: int,
             device: str = "cpu") -> dict:
    """Run the pipeline for one seed; see the module docstring for what is returned."""
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    ga = torch.Generator().manual_seed(10_000 + seed)  # analysis data, fixed per seed
    post_ks = list(range(easy_k, hard_k + 1))
    attr_set = sample_chains(n_attr, k=hard_k, generator=ga, modulus=modulus)
    easy = sample_chains(n_eval, k=easy_k, generator=ga, modulus=modulus)
    hard = sample_chains(n_eval, k=hard_k, generator=ga, modulus=modulus)
    common = dict(lr=lr, batch_size=batch_size, generator=g, modulus=modulus, device=device)

    model = S.build_model(d_model=d_model, n_layers=n_layers, n_heads=n_heads).to(device)
    S.sft(model, steps=base_steps, ks=list(range(1, easy_k + 1)), fmt="direct", **common)
    base = S.snapshot(model)

    def analyse(state, **kw):
        model.load_state_dict(state)
        att = S.attribute(model, attr_set, generator=torch.Generator().manual_seed(seed + 7),
                          ig_steps=ig_steps, **kw)
        return att, circuit(att.scores, mass=circuit_mass)

    att_base, c_base = analyse(base)
    acc_base = (S.accuracy(model, easy), S.accuracy(model, hard))

    # SFT branch
    model.load_state_dict(base)
    sft_ck = S.sft(model, steps=sft_steps, ks=post_ks, fmt="think", checkpoint_every=sft_every,
                   **common)
    def track(ckpts):
        scores, circs, accs = [], [], []
        for st in ckpts:
            a, c = analyse(st)
            scores.append(a.scores)
            circs.append(sorted(c))
            accs.append(S.accuracy(model, hard))
        return np.stack(scores), circs, np.array(accs)

    sft_scores, sft_circ, sft_acc = track(sft_ck)
    model.load_state_dict(sft_ck[-1])
    acc_sft = (S.accuracy(model, easy), S.accuracy(model, hard))
    e_sft = sorted(emergent(sft_circ[-1], c_base))
    with head_scales(model, {h: 0.0 for h in e_sft}):
        ablated_hard = S.accuracy(model, hard)
    all_heads = [(i, j) for i in range(n_layers) for j in range(n_heads)]
    outside = [h for h in all_heads if h not in set(sft_circ[-1])]
    rng = np.random.default_rng(seed)
    random_drops = []
    if e_sft and len(outside) >= len(e_sft):
        for _ in range(n_random):
            pick = [outside[i] for i in rng.choice(len(outside), len(e_sft), replace=False)]
            with head_scales(model, {h: 0.0 for h in pick}):
                random_drops.append(acc_sft[1] - S.accuracy(model, hard))
    with head_scales(model, {h: amplify for h in e_sft}):
        amp = (S.accuracy(model, easy), S.accuracy(model, hard))

    # GRPO branch (after a short think-format warm start)
    model.load_state_dict(base)
    S.sft(model, steps=warm_steps, ks=post_ks, fmt="think", **common)
    warm = S.snapshot(model)
    grpo_ck, rewards = S.grpo_train(
        model, steps=grpo_steps, ks=post_ks, group=grpo_group, prompts=grpo_prompts,
        lr=grpo_lr, clip_eps=clip_eps, kl_coef=kl_coef, temperature=1.0, generator=g,
        checkpoint_every=grpo_every, modulus=modulus)  # device: the model's
    grpo_scores, grpo_circ, grpo_acc = track(grpo_ck)
    model.load_state_dict(grpo_ck[-1])
    acc_grpo = (S.accuracy(model, easy), S.accuracy(model, hard))
    model.load_state_dict(warm)
    acc_warm = (S.accuracy(model, easy), S.accuracy(model, hard))
    _, c_warm = analyse(warm)
    e_grpo = sorted(emergent(grpo_circ[-1], c_base))

    # think on/off model
    model.load_state_dict(base)
    S.sft(model, steps=onoff_steps, ks=post_ks, fmt="think", mix=True, **common)
    onoff = S.snapshot(model)
    _, c_on = analyse(onoff, fmt="think", mode_token=True)
    _, c_off = analyse(onoff, fmt="direct", mode_token=True)
    model.load_state_dict(onoff)
    acc_on = S.accuracy(model, hard, mode="think")
    acc_off = S.accuracy(model, hard, mode="direct")

    return dict(
        seed=seed, acc_base=acc_base, acc_sft=acc_sft, acc_grpo=acc_grpo, acc_warm=acc_warm,
        c_base=sorted(c_base), base_scores=att_base.scores, completeness=att_base.completeness,
        sft_scores=sft_scores, sft_circ=sft_circ, sft_acc=sft_acc,
        grpo_scores=grpo_scores, grpo_circ=grpo_circ, grpo_acc=grpo_acc,
        c_warm=sorted(c_warm), rewards=rewards, e_sft=e_sft, e_grpo=e_grpo,
        ablated_hard=ablated_hard, random_drops=np.array(random_drops), amplified=amp,
        c_on=sorted(c_on), c_off=sorted(c_off), acc_on=acc_on, acc_off=acc_off)


def run_seeds(configs: list[dict], *, workers: int = 1,
              progress: Callable[[Iterable], Iterable] | None = None) -> list[dict]:
    """:func:`run_seed` for every config, in order; ``workers > 1`` spawns processes."""
    from replib.book.parallel import map_runs

    return map_runs(_run, configs, workers=workers, progress=progress)


def _run(c: dict) -> dict:
    return run_seed(**c)
