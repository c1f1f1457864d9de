"""The LLM half of the moloch chapter (El & Zou 2025): one round of the paper's RFT data
selection with a real language model, on anchors of the claims world (full profile only).

For each anchor (a product card rendered from ``markets.audience``), the LLM seller
(``llm.prompts.moloch``, told to stay truthful) writes a baseline message and ``n_samples``
candidates; each of the k personas — the same persona parameters as the offline audience,
written out as persona cards and played by the LLM (``llm.judges.PairwiseJudge``, both
presentation orders) — chooses between a candidate and the baseline; the candidate with
the highest share is the RFT winner. The exact probe checks the structured claims against
the truth, and an LLM probe reads the prose. What this measures is the *selection pressure*
of RFT: how much more deceptive the audience-chosen winners are than the average candidate
and than the baseline. The LoRA fine-tuning step is not run here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from replib.llm.agents import TextAgent
from replib.llm.backend import Backend
from replib.llm.judges import FlagJudge, PairwiseJudge
from replib.llm.prompts import moloch as MP
from replib.markets import audience as M

__all__ = ["llm_selection_round"]


def llm_selection_round(backend: Backend, world: M.ClaimsWorld, aud: M.Audience,
                        anchors, *, n_samples: int, temperature: float = 0.8,
                        llm_probe: bool = True,
                        progress: Callable | None = None) -> pd.DataFrame:
    """One row per (anchor, message): role (baseline / candidate), share vs the baseline,
    winner flag, exact-probe counts, LLM-probe flag, parse failures."""
    names = list(MP.FEATURE_NAMES[:world.n_attrs])
    if len(names) < world.n_attrs:
        names += [f"feature {a}" for a in range(len(names), world.n_attrs)]
    seller = TextAgent(backend, MP.SELLER_SYSTEM, name="seller", max_tokens=300,
                       temperature=temperature)
    judge = PairwiseJudge(backend, debias=True)
    probe = FlagJudge(backend, MP.PROBE_SCHEMA, "deceptive") if llm_probe else None
    cards = [MP.persona_card(aud.weights[p], aud.skepticism[p], names=names,
                             verifies=bool(aud.verifies[p])) for p in range(len(aud.weights))]
    rows = []
    default = {"thinking": "", "message": "", "claims": []}
    for i in (progress(list(anchors)) if progress else anchors):
        product = M.render_product(world, int(i), names)
        user = MP.seller_prompt(product, max_level=world.max_level)
        msgs = []
        for s in range(n_samples + 1):  # sample 0 is the baseline
            obj, ok = seller.ask_json(user, MP.SELLER_SCHEMA, default, seed=1000 * int(i) + s)
            levels, bad = MP.parse_claims(obj.get("claims"), names=names,
                                          max_level=world.max_level)
            msgs.append((str(obj.get("message", "")), levels, ok, bad))
        base_text = msgs[0][0]
        shares = [0.5]
        for text, _, _, _ in msgs[1:]:
            prefs = [judge.prefer(lambda a, b, c=card: MP.persona_prompt(c, a, b), text,
                                  base_text, seed=int(i)) for card in cards]
            shares.append(float(np.mean(prefs)))
        win = 1 + int(np.argmax(shares[1:]))
        for s, (text, levels, ok, bad) in enumerate(msgs):
            pr = M.probe(world, np.array([int(i)]), levels[None])
            flag = probe.flag(MP.probe_prompt(product, text)) if probe and text else None
            rows.append(dict(anchor=int(i), sample=s, role="baseline" if s == 0 else
                             "candidate", share=shares[s], winner=s == win,
                             deceptive=bool(pr["deceptive"][0]),
                             exaggerated=int(pr["exaggerated"][0]),
                             fabricated=int(pr["fabricated"][0]), claims=int(pr["claims"][0]),
                             llm_probe=flag, parsed=ok, bad_claims=bad, message=text))
    return pd.DataFrame(rows)
