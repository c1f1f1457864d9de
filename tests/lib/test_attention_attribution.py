"""attention.attribution: IG completeness, zero heads, circuits, churn, interventions."""

import numpy as np
import pytest
import torch

from replib.attention.attribution import (
    attention_modules,
    churn,
    circuit,
    emergent,
    head_attribution,
    head_scales,
    jaccard,
)
from replib.attention.mha import MultiHeadAttention
from replib.nets.lm import TinyLM


def _model():
    torch.manual_seed(0)
    return TinyLM(vocab_size=12, d_model=16, n_layers=2, pos="learned", max_len=8,
                  mixer=lambda i: MultiHeadAttention(16, 2))


def test_completeness_and_silenced_head():
    m = _model()
    g = torch.Generator().manual_seed(1)
    clean = torch.randint(0, 12, (6, 8), generator=g)
    corr = torch.randint(0, 12, (6, 8), generator=g)
    mask = torch.zeros(6, 8, dtype=torch.bool)
    mask[:, -1] = True
    att = head_attribution(m, clean, corr, mask=mask, ig_steps=40)
    assert att.scores.shape == (2, 2) and att.kl > 0
    assert abs(att.completeness - 1) < 0.1
    with head_scales(m, {(1, 0): 0.0}):
        att0 = head_attribution(m, clean, corr, mask=mask, ig_steps=2)
    assert att0.scores[1, 0] == 0.0
    assert all(float(x.head_scale.min()) == 1.0 for x in attention_modules(m))
    assert all(p.requires_grad for p in m.parameters())


def test_circuit_sets_and_churn():
    s = np.array([[0.5, -0.3], [0.1, 0.1]])
    assert circuit(s, mass=0.8) == {(0, 0), (0, 1)}
    assert circuit(s, mass=1.0) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert jaccard({(0, 0)}, {(0, 0), (1, 1)}) == 0.5 and jaccard([], []) == 1.0
    assert emergent({(0, 0), (1, 1)}, {(0, 0)}) == {(1, 1)}
    seq = [{(0, 0)}, {(0, 0), (1, 1)}, {(0, 0)}, {(1, 1)}]
    # (1,1) added then removed once; (0,0) was in the first set, never counts
    assert churn(seq) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="mass"):
        circuit(s, mass=0.0)


def test_head_scales_checks_and_restores():
    m = _model()
    with pytest.raises(ValueError, match="head"):
        with head_scales(m, {(5, 0): 0.0}):
            pass
    with head_scales(m, {(0, 1): 1.5}):
        assert float(attention_modules(m)[0].head_scale[1]) == 1.5
    assert float(attention_modules(m)[0].head_scale[1]) == 1.0
