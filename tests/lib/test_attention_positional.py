import math

import pytest
import torch

from replib.attention.positional import (
    AbsolutePositional,
    Rotary,
    apply_rope,
    rope_angles,
    sinusoidal_table,
)


def test_sinusoidal_closed_form():
    pe = sinusoidal_table(5, 4)
    assert torch.allclose(pe[3, 0], torch.tensor(math.sin(3.0)))
    assert torch.allclose(pe[3, 1], torch.tensor(math.cos(3.0)))
    assert torch.allclose(pe[2, 2], torch.tensor(math.sin(2 / 100.0)))


def test_absolute_kinds_and_errors():
    x = torch.zeros(2, 6, 8)
    assert torch.equal(AbsolutePositional(kind="none", d_model=8)(x), x)
    assert AbsolutePositional(kind="learned", d_model=8, max_len=6)(x).shape == x.shape
    with pytest.raises(ValueError, match="max_len"):
        AbsolutePositional(kind="learned", d_model=8, max_len=4)(x)
    with pytest.raises(ValueError, match="pos must be one of"):
        AbsolutePositional(kind="alibi", d_model=8)


def test_rope_relative_and_norm_preserving():
    torch.manual_seed(0)
    q, k = torch.randn(1, 1, 1, 8), torch.randn(1, 1, 1, 8)
    rot = Rotary(d_head=8)
    dots = []
    for off in (0, 7):
        c, s = rope_angles(20, 8, offset=off)
        qr = apply_rope(q.expand(1, 1, 20, 8), c, s)
        kr = apply_rope(k.expand(1, 1, 20, 8), c, s)
        dots.append((qr[0, 0, 10] * kr[0, 0, 4]).sum())  # depends on 10-4 only
        assert torch.allclose(qr.norm(dim=-1), q.norm(dim=-1).expand(1, 1, 20), atol=1e-5)
    assert torch.allclose(dots[0], dots[1], atol=1e-5)
    q2, k2 = rot(torch.randn(2, 3, 5, 8), torch.randn(2, 3, 5, 8))
    assert q2.shape == (2, 3, 5, 8)
    with pytest.raises(ValueError, match="d_head"):
        rot(torch.randn(1, 1, 2, 6), torch.randn(1, 1, 2, 6))
