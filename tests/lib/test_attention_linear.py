"""The three forms of gated linear attention compute the same function (GLA Sec. 4.2-4.3)."""

import math

import pytest
import torch

from replib.attention.linear import gated_linear_attention, retnet_log_decay


def _inputs(T, dtype, gate="diag", seed=0, B=2, H=2, dk=16, dv=32):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(B, H, T, dk, generator=g, dtype=dtype)
    k = torch.randn(B, H, T, dk, generator=g, dtype=dtype)
    v = torch.randn(B, H, T, dv, generator=g, dtype=dtype)
    if gate == "diag":     # GLA: per-channel logsigmoid(.)/tau, tau = 16 -> slow forgetting
        la = torch.nn.functional.logsigmoid(torch.randn(B, H, T, dk, generator=g,
                                                        dtype=dtype) * 2) / 4
    elif gate == "scalar":
        la = torch.nn.functional.logsigmoid(torch.randn(B, H, T, 1, generator=g, dtype=dtype))
    elif gate == "fixed":
        la = retnet_log_decay(H, dtype=dtype).view(1, H, 1, 1)
    else:
        la = None
    return q, k, v, la


FORMS = [dict(mode="parallel"), dict(mode="chunk", chunk=16), dict(mode="chunk", chunk=32),
         dict(mode="chunk", chunk=32, subchunk=8), dict(mode="chunk", chunk=16, subchunk=8),
         dict(mode="chunk", chunk=16, subchunk=16)]


@pytest.mark.parametrize("T", [128, 100])
@pytest.mark.parametrize("gate", ["diag", "scalar", "fixed", "none"])
def test_forward_agrees_fp64(T, gate):
    q, k, v, la = _inputs(T, torch.float64, gate)
    ref = gated_linear_attention(q, k, v, la, mode="recurrent")
    assert ref.shape == v.shape
    for f in FORMS:
        out = gated_linear_attention(q, k, v, la, **f)
        assert (out - ref).abs().max() < 1e-10, f


@pytest.mark.parametrize("T", [128, 100])
def test_forward_and_backward_agree_fp32(T):
    q, k, v, la = _inputs(T, torch.float32, "diag")
    grads = []
    outs = []
    for f in [dict(mode="recurrent")] + FORMS:
        leaves = [t.clone().requires_grad_(True) for t in (q, k, v, la)]
        o = gated_linear_attention(*leaves, **f)
        (o * torch.cos(torch.arange(o.numel()).view_as(o) * 0.1)).sum().backward()
        outs.append(o.detach())
        grads.append([t.grad for t in leaves])
    scale = outs[0].abs().max()
    for o, gr in zip(outs[1:], grads[1:]):
        assert (o - outs[0]).abs().max() / scale < 1e-4
        for a, b in zip(gr, grads[0]):
            assert (a - b).abs().max() / b.abs().max() < 1e-4


def test_strong_gates_take_the_logspace_fallback():
    q, k, v, _ = _inputs(64, torch.float32)
    la = torch.full((2, 2, 64, 16), -6.0)          # range 6*16 = 96 nats per sub-chunk
    la[..., ::3, :] = -0.01
    ref = gated_linear_attention(q, k, v, la, mode="recurrent")
    for f in FORMS[1:]:
        out = gated_linear_attention(q, k, v, la, **f)
        assert torch.isfinite(out).all() and (out - ref).abs().max() < 1e-4, f


def test_closed_forms():
    # no gate, one step: o = scale * q k^T v; fixed decay gamma: o_t = sum gamma^(t-i) ...
    q = torch.ones(1, 1, 3, 1, dtype=torch.float64)
    k = torch.ones(1, 1, 3, 1, dtype=torch.float64)
    v = torch.ones(1, 1, 3, 1, dtype=torch.float64)
    o = gated_linear_attention(q, k, v, None, mode="chunk", chunk=2, scale=1.0)
    assert torch.allclose(o.flatten(), torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
    la = torch.full((1, 1, 3, 1), math.log(0.5), dtype=torch.float64)
    o = gated_linear_attention(q, k, v, la, mode="parallel", scale=1.0)
    assert torch.allclose(o.flatten(), torch.tensor([1.0, 1.5, 1.75], dtype=torch.float64))
    g = retnet_log_decay(4).exp()
    assert torch.allclose(g, 1 - 2.0 ** (-5 - torch.arange(4.0)))


def test_state_carry_equals_one_pass():
    q, k, v, la = _inputs(64, torch.float64, "diag")
    full = gated_linear_attention(q, k, v, la, mode="chunk", chunk=16)
    o1, s1 = gated_linear_attention(q[:, :, :40], k[:, :, :40], v[:, :, :40], la[:, :, :40],
                                    mode="chunk", chunk=16, return_state=True)
    o2 = gated_linear_attention(q[:, :, 40:], k[:, :, 40:], v[:, :, 40:], la[:, :, 40:],
                                mode="recurrent", initial_state=s1)
    assert (torch.cat([o1, o2], 2) - full).abs().max() < 1e-10


def test_bad_parameters():
    q, k, v, la = _inputs(32, torch.float32)
    with pytest.raises(ValueError, match="mode must be one of"):
        gated_linear_attention(q, k, v, la, mode="fast")
    with pytest.raises(ValueError, match="subchunk"):
        gated_linear_attention(q, k, v, la, mode="chunk", chunk=16, subchunk=5)
    with pytest.raises(ValueError, match="d_k"):
        gated_linear_attention(q, k[..., :8], v, la)
    with pytest.raises(ValueError, match="log_alpha"):
        gated_linear_attention(q, k, v, la[..., :3])
