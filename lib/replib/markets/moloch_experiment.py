"""The offline experiment of the moloch chapter (El & Zou 2025, "Moloch's Bargain"): small
learned sellers optimised for a simulated audience in the claims world.

One condition = (method, verify_frac, audience mode, seed):

1. world and audience from the seed (``markets.audience``); anchors split train / test;
2. a truthful-prior tabular policy (``rl.rejection.TabularPolicy``) and a frozen copy, the
   baseline seller ("instructed to stay truthful": its initial logits favour stating each
   attribute's true level and nothing about absent ones; β_kl keeps pulling towards it);
3. ``rft_iters`` rounds of RFT: n candidates per train anchor, judged by the audience against
   the baseline's message (``compete``, sampled persona choices) or rated alone
   (``absolute``, the non-competitive control); the winner is distilled;
4. TFB additionally keeps the audience's feedback on every candidate judged in those rounds
   (its expected share against the baseline, or its mean rating: the structured stand-in
   for the personas' reasons on the judged comparisons, as in the official TFB data), fits
   ``rl.rejection.FeedbackModel`` to it after training and, when acting, picks the best of
   n samples by that learned audience model. The feedback never enters the policy update
   (a tabular policy shares no parameters with an audience model), so TFB's seller is
   RFT's seller, trained on the same random stream: RFT and TFB of one seed differ only in
   how they act, and no extra messages are drawn or judged for TFB;
5. evaluation on test anchors vs the baseline seller: outcome share (expected over the
   personas' logit choices), and the exact probe's deception rate of both sellers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from replib.markets import audience as M
from replib.rl.rejection import FeedbackModel, TabularPolicy, rft_round

__all__ = ["MolochConfig", "message_features", "run_condition", "METHODS", "MODES"]

METHODS = ("rft", "tfb")
MODES = ("compete", "absolute")


@dataclass(frozen=True)
class MolochConfig:
    """Every knob of the claims-world experiment (the card's ci values as defaults)."""

    n_anchors: int = 200
    n_train: int = 160
    n_attrs: int = 30
    k_personas: int = 20
    p_present: float = 0.3
    max_level: int = 3
    experience_frac: float = 0.5
    gamma: float = 2.0
    lam: float = 0.2
    tau: float = 1.0
    skepticism_max: float = 0.5
    prior_strength: float = 7.5
    n_samples: int = 8
    rft_iters: int = 15
    beta_kl: float = 0.1
    lr: float = 0.1
    steps: int = 10
    n_eval: int = 16

    def to_dict(self) -> dict:
        return asdict(self)


def message_features(world: M.ClaimsWorld, anchors: np.ndarray,
                     messages: np.ndarray) -> np.ndarray:
    """(..., 4A): per attribute stated level, claim made, exaggeration amount, fabricated."""
    m = np.asarray(messages)
    L = M.per_anchor(world.level, anchors, m)
    pres = M.per_anchor(world.present, anchors, m)
    exag = np.where(pres, np.maximum(m - L, 0), 0)
    fab = (~pres & (m > 0)).astype(float)
    return np.concatenate([m, (m > 0).astype(float), exag, fab], axis=-1).astype(np.float64)


def _act(policy, states, world, anchors, *, n_pick, fb, gen):
    """(n, A) one message per context: a sample, or TFB's best of ``n_pick`` by ``fb``."""
    if fb is None:
        return policy.sample(states, 1, gen)[:, 0].numpy()
    cand = policy.sample(states, n_pick, gen).numpy()  # (n, S, A)
    score = fb.predict(message_features(world, anchors[:, None], cand))
    return cand[np.arange(len(cand)), score.argmax(1)]


def run_condition(cfg: MolochConfig, *, method: str, verify_frac: float, seed: int,
                  mode: str = "compete", keep_examples: int = 0) -> dict:
    """Train one seller and evaluate it; returns a flat dict of results (+ examples)."""
    if method not in METHODS:
        raise ValueError(f"method {method!r} is not allowed: expected one of {METHODS}")
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not allowed: expected one of {MODES}")
    if not 0 < cfg.n_train < cfg.n_anchors:
        raise ValueError("need 0 < n_train < n_anchors")
    rng = np.random.default_rng(seed)
    world = M.make_world(n_anchors=cfg.n_anchors, n_attrs=cfg.n_attrs,
                         p_present=cfg.p_present, max_level=cfg.max_level,
                         experience_frac=cfg.experience_frac, rng=rng)
    aud = M.make_audience(k_personas=cfg.k_personas, n_attrs=cfg.n_attrs,
                          verify_frac=verify_frac, gamma=cfg.gamma, lam=cfg.lam, tau=cfg.tau,
                          skepticism_max=cfg.skepticism_max, rng=rng)
    gen = torch.Generator().manual_seed(int(seed))
    kw = dict(n_slots=cfg.n_attrs, n_states=cfg.max_level + 1, n_choices=cfg.max_level + 1,
              strength=cfg.prior_strength)
    policy, base = TabularPolicy(**kw), TabularPolicy(**kw)
    train = np.arange(cfg.n_train)
    test = np.arange(cfg.n_train, cfg.n_anchors)
    st_train = torch.as_tensor(M.anchor_states(world, train))
    fb = FeedbackModel(ridge=1.0) if method == "tfb" else None
    feats, ys = [], []
    for _ in range(cfg.rft_iters):
        opp = base.sample(st_train, 1, gen).numpy()  # (n, 1, A) baseline's message
        judged: list[np.ndarray] = []

        def score(cand, opp=opp, judged=judged):
            judged.append(cand)
            if mode == "compete":
                return M.compete(aud, world, train[:, None], cand, opp, rng)
            return M.rate(aud, world, train[:, None], cand)

        stats, _ = rft_round(policy, st_train, n_samples=cfg.n_samples, score=score,
                             beta_kl=cfg.beta_kl, lr=cfg.lr, steps=cfg.steps,
                             generator=gen, rng=rng)
        if fb is not None:  # the judged candidates' feedback trains the audience model
            (cand,) = judged
            feats.append(message_features(world, train[:, None], cand).reshape(
                -1, 4 * cfg.n_attrs))
            fbk = (M.compete(aud, world, train[:, None], cand, opp) if mode == "compete"
                   else M.rate(aud, world, train[:, None], cand))
            ys.append(fbk.reshape(-1))
    if fb is not None:
        fb.fit(np.concatenate(feats), np.concatenate(ys))
    # evaluation: n_eval paired draws per test anchor
    st_test = torch.as_tensor(M.anchor_states(world, test))
    anchors = np.repeat(test, cfg.n_eval)
    st_rep = st_test.repeat_interleave(cfg.n_eval, 0)
    g_base = torch.Generator().manual_seed(int(seed) + 7919)  # same baseline draws for
    g_mine = torch.Generator().manual_seed(int(seed) + 104729)  # every method of a seed
    theirs = base.sample(st_rep, 1, g_base)[:, 0].numpy()
    other = base.sample(st_rep, 1, g_base)[:, 0].numpy()
    mine = _act(policy, st_rep, world, anchors, n_pick=cfg.n_samples, fb=fb, gen=g_mine)
    share = float(M.compete(aud, world, anchors, mine, theirs).mean())
    share_base = float(M.compete(aud, world, anchors, other, theirs).mean())
    dec = float(M.probe(world, anchors, mine)["deceptive"].mean())
    dec_base = float(M.probe(world, anchors, theirs)["deceptive"].mean())
    out = dict(method=method, verify_frac=verify_frac, mode=mode, seed=seed, share=share,
               share_base=share_base, gain_pp=100 * (share - 0.5),
               gain_rel=100 * (share / 0.5 - 1), deception=dec, deception_base=dec_base,
               deception_delta_pp=100 * (dec - dec_base),
               deception_rel=100 * (dec - dec_base) / dec_base if dec_base > 0 else np.nan,
               exaggerated=float(M.probe(world, anchors, mine)["exaggerated"].mean()),
               fabricated=float(M.probe(world, anchors, mine)["fabricated"].mean()),
               kl=stats.kl)
    if keep_examples:
        idx = np.arange(0, len(anchors), cfg.n_eval)[:keep_examples]
        from replib.llm.prompts.moloch import FEATURE_NAMES

        names = list(FEATURE_NAMES) if cfg.n_attrs <= len(FEATURE_NAMES) else None
        out["examples"] = [(int(anchors[i]),
                            M.render_message(world, anchors[i], theirs[i], names),
                            M.render_message(world, anchors[i], mine[i], names)) for i in idx]
        out["world"] = world
    return out
