import pytest
import torch

from replib.attention.gam_experiment import (
    MODELS,
    block_sweep,
    build_lm,
    mixer,
    recall_probe,
    train_lm,
)
from replib.data.text import load_corpus

SIZE = dict(d_model=16, n_layers=1, n_heads=2, mem_slots=8, conv_kernel=3)


@pytest.mark.parametrize("kind", MODELS)
def test_every_model_is_causal(kind):
    m = build_lm(kind, vocab_size=11, max_len=12, seed=0, **SIZE)
    x = torch.randint(0, 11, (2, 12))
    x2 = x.clone()
    x2[:, 7:] = 0
    assert torch.allclose(m(x)[0][:, :7], m(x2)[0][:, :7], atol=1e-5)


def test_loops_run():
    c = load_corpus(max_chars_per_file=500)
    r = train_lm("gam", corpus=c, seed=0, steps=2, batch_size=2, seq_len=16, lr=1e-3,
                 val_windows=4, **SIZE)
    assert r["val_ppl"] > 1
    p = recall_probe("gam-local", seed=0, steps=2, batch_size=4, n_pairs=4, n_keys=8,
                     far_gap=3, lr=1e-3, n_eval=8, **SIZE)
    assert 0 <= p["near"] <= 1 and 0 <= p["far"] <= 1
    sw = block_sweep("gam", lengths=[16, 32], d_model=16, n_heads=2, mem_slots=8,
                     conv_kernel=3, batch_size=1, repeats=1)
    assert len(sw.times) == 2
    with pytest.raises(ValueError, match="model must be one of"):
        mixer("hyena", d_model=16, n_heads=2, mem_slots=8, conv_kernel=3)
