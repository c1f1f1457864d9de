import pytest
import torch
from torch import nn

from replib.nets.blocks import (
    GELUFFN,
    Block,
    RMSNorm,
    SwiGLU,
    count_params,
    make_ffn,
    make_norm,
    match_width,
    swiglu_hidden,
)


class _Id(nn.Module):
    def forward(self, h):
        return h * 0.5, {"ok": True}


def test_rmsnorm_closed_form():
    n = RMSNorm(4)
    x = torch.tensor([[3.0, 4.0, 0.0, 0.0]])
    rms = (25 / 4) ** 0.5
    assert torch.allclose(n(x), x / rms, atol=1e-5)


def test_swiglu_width_and_shapes():
    assert swiglu_hidden(64) == 176  # ceil(8*64/3)=171 -> 176
    f = SwiGLU(d_model=64)
    assert f(torch.randn(2, 5, 64)).shape == (2, 5, 64)
    assert {"up", "gate", "down"} <= {n for n, _ in f.named_children()}
    assert GELUFFN(d_model=8)(torch.randn(3, 8)).shape == (3, 8)


def test_block_residual_and_diag():
    torch.manual_seed(0)
    b = Block(d_model=8, mixer=_Id(), ffn=None)
    x = torch.randn(2, 3, 8)
    y, d = b(x)
    assert d == {"ok": True}
    assert torch.allclose(y, x + 0.5 * b.norm1(x))
    y2, _ = Block(d_model=8, mixer=_Id(), ffn="gelu", norm="layer")(x)
    assert y2.shape == x.shape


def test_block_rejects_bad_mixer_and_names():
    class Bad(nn.Module):
        def forward(self, h):
            return h
    with pytest.raises(TypeError, match=r"\(y, diag\)"):
        Block(d_model=4, mixer=Bad())(torch.randn(1, 2, 4))
    with pytest.raises(ValueError, match="norm must be one of"):
        make_norm("batch", 4)
    with pytest.raises(ValueError, match="ffn must be one of"):
        make_ffn("relu", d_model=4)


def test_count_and_match():
    lin = nn.Linear(3, 4)
    assert count_params(lin) == 16
    assert count_params(lin, exclude=("bias",)) == 12
    w, n = match_width(lambda w: nn.Linear(10, w), target=105, candidates=[5, 10, 20])
    assert (w, n) == (10, 110)
