import pytest
import torch

from replib.attention.ssm import Mamba, selective_scan


def _inputs(Bsz=2, T=13, d=3, n=4, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    u = torch.randn(Bsz, T, d, generator=g, dtype=dtype)
    delta = torch.nn.functional.softplus(torch.randn(Bsz, T, d, generator=g, dtype=dtype))
    A = -torch.rand(d, n, generator=g, dtype=dtype) * 2 - 0.1
    B = torch.randn(Bsz, T, n, generator=g, dtype=dtype)
    C = torch.randn(Bsz, T, n, generator=g, dtype=dtype)
    D = torch.randn(d, generator=g, dtype=dtype)
    return [t.requires_grad_() for t in (u, delta, A, B, C, D)]


@pytest.mark.parametrize("chunk", [1, 4, 5, 13, 32])
def test_chunked_equals_sequential_forward_and_backward(chunk):
    xs = _inputs()
    h0 = torch.randn(2, 3, 4, dtype=torch.float64)
    outs = {}
    for mode in ("sequential", "chunked"):
        y, h = selective_scan(*xs, mode=mode, chunk=chunk, h0=h0, return_state=True)
        grads = torch.autograd.grad((y ** 2).sum() + h.sum(), xs)
        outs[mode] = (y, h, grads)
    (y1, h1, g1), (y2, h2, g2) = outs["sequential"], outs["chunked"]
    assert torch.allclose(y1, y2, atol=1e-10) and torch.allclose(h1, h2, atol=1e-10)
    for a, b in zip(g1, g2):
        assert torch.allclose(a, b, atol=1e-9)


def test_known_case_one_state_is_an_exponential_moving_sum():
    # d = n = 1, B = C = 1, D = 0, constant delta: h_t = a h_{t-1} + delta u_t, a = exp(delta A)
    T, delta, A = 6, 0.5, -2.0
    u = torch.arange(1.0, T + 1).view(1, T, 1)
    ones = torch.ones(1, T, 1)
    y = selective_scan(u, torch.full_like(u, delta), torch.tensor([[A]]), ones, ones,
                       mode="chunked", chunk=4)
    a, h, ref = torch.exp(torch.tensor(delta * A)), 0.0, []
    for t in range(T):
        h = a * h + delta * u[0, t, 0]
        ref.append(h)
    assert torch.allclose(y.view(-1), torch.stack(ref), atol=1e-6)


def test_mamba_block_is_causal_and_reports_decay():
    torch.manual_seed(0)
    m = Mamba(d_model=8, d_state=4, d_conv=3, chunk=4)
    x = torch.randn(2, 10, 8)
    x2 = x.clone()
    x2[:, 6:] = torch.randn(2, 4, 8)
    y, diag = m(x)
    assert y.shape == x.shape
    assert torch.allclose(y[:, :6], m(x2)[0][:, :6], atol=1e-6)
    assert 0 < float(diag.mean_decay) < 1 and float(diag.mean_delta) > 0
    y.sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in m.parameters())


def test_bad_input_names_the_parameter():
    xs = [t.detach() for t in _inputs()]
    with pytest.raises(ValueError, match="mode must be one of"):
        selective_scan(*xs, mode="parallel")
    with pytest.raises(ValueError, match="chunk must be"):
        selective_scan(*xs, chunk=0)
    with pytest.raises(ValueError, match="A must be"):
        selective_scan(xs[0], xs[1], xs[2][:2], *xs[3:])
    with pytest.raises(ValueError, match="CUDA"):
        selective_scan(*xs, mode="mamba_ssm")
    with pytest.raises(ValueError, match="backend must be"):
        Mamba(d_model=8, backend="triton")
