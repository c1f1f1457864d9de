import importlib.util
import math

import pytest
import torch

from replib.attention.gla import GLA, memory_horizon
from replib.attention.linear import gated_linear_attention


@pytest.mark.parametrize("gate", ["diag", "scalar", "fixed", "none"])
def test_shapes_causality_and_mode_agreement(gate):
    torch.manual_seed(0)
    m = GLA(d_model=32, n_heads=4, gate=gate, chunk=16, subchunk=8)
    x = torch.randn(2, 40, 32)
    y, d = m(x)
    assert y.shape == x.shape
    assert (d.log_alpha is None) == (gate == "none")
    x2 = x.clone()
    x2[:, 25:] += 1.0
    assert torch.allclose(m(x2)[0][:, :25], y[:, :25], atol=1e-5)
    m.mode = "recurrent"
    assert torch.allclose(m(x)[0], y, atol=1e-4)


def test_gate_is_low_rank_and_tempered():
    m = GLA(d_model=32, n_heads=2, gate="diag", tau=16.0)
    assert m.gate_down.weight.shape == (16, 32) and m.gate_up.weight.shape == (16, 16)
    la = m.log_alpha(torch.randn(1, 5, 32)).detach()
    assert la.shape == (1, 2, 5, 8) and bool((la <= 0).all())
    assert float(la.min()) > math.log(1e-3) / 16 * 10  # logsigmoid / tau: slow forgetting


def test_memory_horizon_closed_form():
    la = torch.log(torch.tensor([0.5, 0.9]))[None, :, None, None].expand(1, 2, 3, 4)
    h = memory_horizon(la)
    assert torch.allclose(h, 1 / -torch.log(torch.tensor([0.5, 0.9])), rtol=1e-5)


def test_layer_matches_the_kernel():
    torch.manual_seed(1)
    m = GLA(d_model=16, n_heads=2, gate="fixed")
    x = torch.randn(1, 10, 16)
    q = m.q(x).view(1, 10, 2, 4).transpose(1, 2)
    k = m.k(x).view(1, 10, 2, 4).transpose(1, 2)
    v = m.v(x).view(1, 10, 2, 8).transpose(1, 2)
    o = gated_linear_attention(q, k, v, m.log_alpha(x), mode="recurrent")
    o = m.head_norm(o.transpose(1, 2)).reshape(1, 10, 16)
    ref = m.o(torch.nn.functional.silu(m.r(x)) * o)
    assert torch.allclose(m(x)[0], ref, atol=1e-5)


def test_bad_parameters():
    with pytest.raises(ValueError, match="gate must be one of"):
        GLA(d_model=16, gate="sigmoid")
    with pytest.raises(ValueError, match="n_heads"):
        GLA(d_model=16, n_heads=3)
    with pytest.raises(ValueError, match="backend"):
        GLA(d_model=16, backend="triton")
    with pytest.raises(ValueError, match="d_model"):
        GLA(d_model=16, n_heads=2)(torch.randn(1, 4, 8))


def test_fla_backend_message_without_gpu():
    m = GLA(d_model=16, n_heads=2, backend="fla")
    with pytest.raises((ImportError, RuntimeError), match="flash-linear-attention|CUDA"):
        m(torch.randn(1, 4, 16))


_FLA = torch.cuda.is_available() and importlib.util.find_spec("fla") is not None


@pytest.mark.skipif(not _FLA, reason="needs CUDA and flash-linear-attention")
def test_chunkwise_matches_fla_kernel_forward_and_backward():
    """The issue's GPU check: the project's chunkwise form equals fla's chunk_gla kernel."""
    from replib.attention.linear import fla_chunk_gla

    g = torch.Generator(device="cuda").manual_seed(0)
    shape = (2, 4, 200, 64)  # T not a multiple of the chunk
    q, k, v = (torch.randn(shape, generator=g, device="cuda") for _ in range(3))
    la = torch.nn.functional.logsigmoid(torch.randn(shape, generator=g, device="cuda") * 2) / 16
    outs, grads = [], []
    for fn in (lambda *x: gated_linear_attention(*x, mode="chunk", chunk=64), fla_chunk_gla):
        xs = [t.clone().requires_grad_() for t in (q, k, v, la)]
        o = fn(*xs)
        o.float().pow(2).sum().backward()
        outs.append(o.detach().float())
        grads.append([x.grad.float() for x in xs])
    rel = lambda a, b: float((a - b).abs().max() / b.abs().max())
    assert rel(outs[0], outs[1]) < 5e-3
    for mine, ref in zip(*grads):
        assert rel(mine, ref) < 1e-2


@pytest.mark.skipif(not _FLA, reason="needs CUDA and flash-linear-attention")
@pytest.mark.parametrize("gate", ["diag", "scalar", "fixed", "none"])
def test_layer_fla_backend_equals_torch_backend(gate):
    torch.manual_seed(0)
    m = GLA(d_model=128, n_heads=2, gate=gate).cuda()
    x = torch.randn(2, 96, 128, device="cuda")
    y_torch = m(x)[0]
    m.backend = "fla"
    y_fla = m(x)[0]
    assert float((y_torch - y_fla).abs().max() / y_torch.abs().max()) < 5e-3
