import pytest
import torch

from replib.attention.gla_experiment import (
    build_lm,
    exactness,
    extrapolation_buckets,
    mixer_factory,
    train_char_lm,
    train_mqar,
)
from replib.data.text import load_corpus


@pytest.mark.parametrize("kind", ["gla", "scalar", "retnet", "none", "softmax"])
def test_every_mixer_builds_a_causal_lm(kind):
    m = build_lm(kind, vocab_size=13, d_model=16, n_layers=1, n_heads=2, seed=0, chunk=8)
    x = torch.randint(0, 13, (2, 12))
    x2 = x.clone()
    x2[:, 8:] = 0
    assert torch.allclose(m(x)[0][:, :8], m(x2)[0][:, :8], atol=1e-5)


def test_loops_run_and_are_deterministic():
    c = load_corpus(max_chars_per_file=500)
    kw = dict(corpus=c, seed=0, steps=3, batch_size=2, seq_len=16, d_model=16, n_layers=1,
              n_heads=2, lr=1e-3, val_windows=4, chunk=8)
    a, b = train_char_lm("gla", **kw), train_char_lm("gla", **kw)
    assert a["val_loss"] == b["val_loss"] and a["val_ppl"] > 1
    r = train_mqar("retnet", seed=0, steps=2, batch_size=4, vocab_size=16, seq_len=16,
                   n_pairs=2, d_model=16, n_layers=1, n_heads=2, lr=1e-3, n_eval=8, chunk=8)
    assert 0 <= r["acc"] <= 1
    b = extrapolation_buckets(a["model"], c.val, seq_len=64, edges=[0, 16, 64], n_windows=2)
    assert len(b) == 2


def test_exactness_and_errors():
    out = exactness(dtype=torch.float64, T=20, forms=[dict(mode="chunk", chunk=8)])
    assert max(out.values()) < 1e-10
    with pytest.raises(ValueError, match="mixer must be one of"):
        mixer_factory("mamba", d_model=8, n_heads=2)


def test_validation_covers_the_whole_held_out_stream_by_default():
    # a 64-window default scored the chapters on the opening docstring of one held-out file
    from replib.data.text import eval_batches
    from replib.nets.lm import evaluate

    c = load_corpus(max_chars_per_file=400)
    assert (c.val.numel() - 1) // 4 > 64
    r = train_char_lm("gla", corpus=c, seed=0, steps=1, batch_size=2, seq_len=4, d_model=16,
                      n_layers=1, n_heads=2, lr=1e-3, chunk=4)
    full = evaluate(r["model"], eval_batches(c.val, seq_len=4, batch_size=32))
    assert r["val_loss"] == pytest.approx(full["loss"], rel=1e-6)
