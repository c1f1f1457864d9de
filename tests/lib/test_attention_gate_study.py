"""attention.gate_study: every named variant builds and runs; probes and drivers."""

import numpy as np
import pytest
import torch

from replib.attention.gate_study import VARIANTS, build_lm, probe, train_backcopy
from replib.data.synthetic_seq import bigram_backcopy


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_variant_builds_and_probes(variant):
    torch.manual_seed(0)
    m = build_lm(variant, vocab_size=16, d_model=16, n_layers=2, n_heads=2, max_len=8)
    x = torch.randint(0, 16, (3, 8))
    logits, diags = m(x)
    assert logits.shape == (3, 8, 16) and len(diags) == 2
    p = probe(m, x)
    assert p["f_attn"].shape == (2,) and p["f_attn_heads"].shape == (2, 2)
    assert p["maps"].shape == (2, 2, 8, 8) and p["m_act"].shape == (2,)
    has_gate = VARIANTS[variant].get("gate_pos", "none") != "none"
    assert np.isfinite(p["gate_score"]) == has_gate


def test_unknown_variant():
    with pytest.raises(ValueError, match="variant"):
        build_lm("G7", vocab_size=8, d_model=8, n_layers=1, n_heads=2, max_len=4)


def test_train_backcopy_smoke():
    g = torch.Generator().manual_seed(0)
    tr = bigram_backcopy(n_samples=64, vocab_size=16, seq_len=12, generator=g)
    te = bigram_backcopy(n_samples=16, vocab_size=16, seq_len=12, generator=g,
                         transition=tr.extra["transition"])
    r = train_backcopy("G1-elementwise", seed=0, train=tr, test=te, d_model=16, n_layers=1,
                       n_heads=2, steps=3, lr=1e-3, batch_size=8)
    assert 0 <= r["copy_acc"] <= 1 and r["f_attn_masked"].shape == (1,)
    assert len(r["loss_curve"]) == 3


def test_run_job_dict_interface():
    from replib.attention.gate_study import run_job, run_jobs
    job = dict(exp="bb", variant="baseline", seed=0, lr=1e-3, steps=2, batch_size=4,
               bb_vocab=16, bb_len=8, bb_triggers=2, bb_train=16, bb_test=8, d_model=8,
               n_layers=1, n_heads=2)
    r = run_jobs([job], workers=1)[0]
    assert r["exp"] == "bb" and r["variant"] == "baseline"
    with pytest.raises(ValueError, match="exp"):
        run_job(dict(job, exp="vision"))
