import torch

from replib.nets.rnn import GRUCore, gru_reference


def test_shapes_and_reference_equations():
    torch.manual_seed(0)
    core = GRUCore(d_inputs=(5, 1), d_embed=8, d_hidden=6)
    a, b = torch.randn(7, 3, 5), torch.randn(7, 3, 1)
    f, h = core(a, b)
    assert f.shape == (7, 3, 6) and h.shape == (1, 3, 6)
    x = core.proj[0](a) + core.proj[1](b)
    ref = gru_reference(core.gru, x, torch.zeros(3, 6))
    assert torch.allclose(f, torch.nn.functional.silu(ref), atol=1e-5)


def test_step_matches_sequence_and_hidden_carries():
    torch.manual_seed(1)
    core = GRUCore(d_inputs=(4,), d_embed=8, d_hidden=5)
    x = torch.randn(6, 2, 4)
    full, _ = core(x)
    h = None
    for t in range(6):
        f, h = core.step(x[t], hidden=h)
        assert torch.allclose(f, full[t], atol=1e-5)
    f2, _ = core(x[3:], hidden=core(x[:3])[1])
    assert torch.allclose(f2, full[3:], atol=1e-5)


def test_gradient_reaches_every_parameter():
    core = GRUCore(d_inputs=(3,), d_embed=4, d_hidden=4)
    core(torch.randn(5, 2, 3))[0].sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in core.parameters())
