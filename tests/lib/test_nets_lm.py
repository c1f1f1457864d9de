import math

import pytest
import torch
from torch import nn

from replib.nets.lm import TinyLM, evaluate, lm_loss, position_bucket_loss, sample


class CausalMean(nn.Module):
    """Causal running mean: a tiny mixer with the (y, diag) interface."""

    def __init__(self, i):
        super().__init__()
        self.i = i
        self.proj = nn.Linear(8, 8)

    def forward(self, h):
        c = h.cumsum(1) / torch.arange(1, h.shape[1] + 1)[None, :, None]
        return self.proj(c), {"layer": self.i}


def _model(**kw):
    torch.manual_seed(0)
    return TinyLM(vocab_size=11, d_model=8, n_layers=2, mixer=CausalMean, **kw)


def test_shapes_tied_and_diags():
    m = _model(pos="learned", max_len=16)
    logits, diags = m(torch.randint(0, 11, (3, 7)))
    assert logits.shape == (3, 7, 11)
    assert [d["layer"] for d in diags] == [0, 1]
    assert m.head.weight is m.embed.weight


def test_causality():
    m = _model()
    x = torch.randint(0, 11, (1, 9))
    x2 = x.clone()
    x2[0, 6:] = (x2[0, 6:] + 1) % 11
    assert torch.allclose(m(x)[0][0, :6], m(x2)[0][0, :6], atol=1e-6)


def test_loss_mask_and_uniform_ppl():
    logits = torch.zeros(2, 4, 11)
    y = torch.randint(0, 11, (2, 4))
    assert math.isclose(float(lm_loss(logits, y)), math.log(11), rel_tol=1e-6)
    mask = torch.zeros(2, 4, dtype=torch.bool)
    with pytest.raises(ValueError, match="no positions"):
        lm_loss(logits, y, mask)
    m = _model()
    out = evaluate(m, [(torch.randint(0, 11, (2, 5)), torch.randint(0, 11, (2, 5)))])
    assert out["tokens"] == 10 and math.isclose(out["ppl"], math.exp(out["loss"]))


def test_buckets_sample_and_errors():
    m = _model()
    x = torch.randint(0, 11, (2, 12))
    b = position_bucket_loss(m, x, x, [0, 4, 12])
    assert len(b) == 2
    g = torch.Generator().manual_seed(0)
    s1 = sample(m, x[:, :3], n_new=4, generator=g)
    s2 = sample(m, x[:, :3], n_new=4, generator=torch.Generator().manual_seed(0))
    assert s1.shape == (2, 7) and torch.equal(s1, s2)
    with pytest.raises(ValueError, match="edges"):
        position_bucket_loss(m, x, x, [0, 20])
    with pytest.raises(ValueError, match="n_layers"):
        TinyLM(vocab_size=5, d_model=8, n_layers=0, mixer=CausalMean)
