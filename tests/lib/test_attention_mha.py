"""attention.mha: SDPA vs explicit equivalence, gate positions, exact cases, errors."""

import pytest
import torch

from replib.attention.mha import GATE_POSITIONS, MultiHeadAttention, gate_param_count


def _pair(**kw):
    torch.manual_seed(0)
    a = MultiHeadAttention(32, 4, backend="sdpa", **kw)
    b = MultiHeadAttention(32, 4, backend="explicit", **kw)
    b.load_state_dict(a.state_dict())
    return a, b


@pytest.mark.parametrize("gate_pos", GATE_POSITIONS)
@pytest.mark.parametrize("granularity", ["elementwise", "headwise", "shared"])
def test_sdpa_equals_explicit_forward_backward(gate_pos, granularity):
    if gate_pos == "G5" and granularity != "elementwise":
        pytest.skip("G5 is elementwise only")
    a, b = _pair(gate_pos=gate_pos, granularity=granularity)
    x = torch.randn(2, 7, 32, requires_grad=True)
    ya, da = a(x)
    yb, db = b(x)
    torch.testing.assert_close(ya, yb, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(da.first_token_attn, db.first_token_attn, atol=1e-5, rtol=1e-5)
    ga = torch.autograd.grad(ya.square().sum(), x)[0]
    gb = torch.autograd.grad(yb.square().sum(), x)[0]
    torch.testing.assert_close(ga, gb, atol=1e-4, rtol=1e-4)
    assert ya.shape == x.shape
    if gate_pos != "none":
        assert da.gate is not None and 0 < float(da.gate_score.detach()) < 1


def test_explicit_matches_manual_softmax_and_causality():
    torch.manual_seed(1)
    m = MultiHeadAttention(8, 2, backend="explicit")
    x = torch.randn(1, 5, 8)
    y, d = m(x, return_maps=True)
    p = d.maps
    assert p.shape == (1, 2, 5, 5)
    torch.testing.assert_close(p.sum(-1), torch.ones(1, 2, 5))
    assert float(p.detach().triu(1).abs().max()) == 0.0
    assert torch.allclose(d.first_token_attn[..., 0], torch.ones(1, 2))
    # future tokens do not change earlier outputs
    x2 = x.clone()
    x2[:, -1] += 10
    torch.testing.assert_close(m(x2)[0][:, :-1], y[:, :-1])


@pytest.mark.parametrize("gate_pos", ["G1", "G2", "G3", "G4", "G5"])
def test_all_ones_gate_equals_no_gate(gate_pos):
    torch.manual_seed(2)
    base = MultiHeadAttention(16, 4)
    gated = MultiHeadAttention(16, 4, gate_pos=gate_pos, gate_act="identity",
                               input_independent=True)
    gated.load_state_dict(base.state_dict(), strict=False)
    with torch.no_grad():
        gated.gate.theta.fill_(1.0)  # identity(1) = 1 everywhere
    x = torch.randn(3, 6, 16)
    torch.testing.assert_close(gated(x)[0], base(x)[0])


def test_additive_zero_gate_equals_no_gate():
    torch.manual_seed(3)
    base = MultiHeadAttention(16, 4)
    gated = MultiHeadAttention(16, 4, gate_pos="G1", gate_mode="additive", gate_act="silu",
                               input_independent=True)  # silu(0) = 0
    gated.load_state_dict(base.state_dict(), strict=False)
    x = torch.randn(2, 5, 16)
    torch.testing.assert_close(gated(x)[0], base(x)[0])


def test_parameter_counts_headwise_vs_elementwise():
    d, h = 64, 4

    def extra(**kw):
        n = sum(p.numel() for p in MultiHeadAttention(d, h, **kw).parameters())
        return n - 4 * d * d

    assert extra(gate_pos="G1", granularity="elementwise") == d * d
    assert extra(gate_pos="G1", granularity="headwise") == d * h
    assert extra(gate_pos="G1", granularity="shared") == d * (d // h)
    assert extra(gate_pos="G1", input_independent=True) == d
    assert extra(gate_pos="G5") == d * d
    for g in ["elementwise", "headwise", "shared"]:
        assert gate_param_count(d_model=d, n_heads=h, gate_pos="G1", granularity=g) == \
            extra(gate_pos="G1", granularity=g)


def test_gate_shapes_per_granularity():
    x = torch.randn(2, 5, 16)
    for g, shape in [("elementwise", (2, 4, 5, 4)), ("headwise", (2, 4, 5, 1)),
                     ("shared", (2, 1, 5, 4))]:
        _, d = MultiHeadAttention(16, 4, gate_pos="G2", granularity=g)(x)
        assert tuple(d.gate.shape) == shape
    _, d = MultiHeadAttention(16, 4, gate_pos="G5")(x)
    assert tuple(d.gate.shape) == (2, 5, 16)


def test_head_scale_and_patch_handles():
    torch.manual_seed(4)
    m = MultiHeadAttention(16, 4)
    x = torch.randn(2, 5, 16)
    _, d = m(x, return_heads=True)
    m.head_scale[:] = 0.0
    y0, d0 = m(x, return_heads=True)
    assert float(d0.heads.detach().abs().max()) == 0.0
    torch.testing.assert_close(y0, torch.zeros_like(y0))
    m.head_scale[:] = 1.0
    m.head_scale[1] = 2.0
    _, d2 = m(x, return_heads=True)
    torch.testing.assert_close(d2.heads[:, :, 1], 2 * d.heads[:, :, 1])
    m.head_scale[:] = 1.0
    m.head_patch = lambda h: torch.zeros_like(h)
    torch.testing.assert_close(m(x)[0], y0)


def test_g1_nonlinearity_controls_run():
    x = torch.randn(2, 5, 16)
    for nl in ["rmsnorm", "silu"]:
        y, d = MultiHeadAttention(16, 4, g1_nonlin=nl)(x)
        assert y.shape == x.shape and d.gate is None


def test_bad_parameters_name_themselves():
    with pytest.raises(ValueError, match="gate_pos"):
        MultiHeadAttention(16, 4, gate_pos="G9")
    with pytest.raises(ValueError, match="granularity"):
        MultiHeadAttention(16, 4, gate_pos="G5", granularity="headwise")
    with pytest.raises(ValueError, match="n_heads"):
        MultiHeadAttention(16, 3)
    with pytest.raises(ValueError, match="backend"):
        MultiHeadAttention(16, 4, backend="flash")
    with pytest.raises(ValueError, match="gate_act"):
        MultiHeadAttention(16, 4, gate_act="relu6")
    with pytest.raises(ValueError, match="d_model"):
        MultiHeadAttention(16, 4)(torch.randn(2, 5, 8))


def test_deterministic_under_seed():
    def build():
        torch.manual_seed(7)
        return MultiHeadAttention(16, 4, gate_pos="G1")
    x = torch.randn(2, 5, 16)
    torch.testing.assert_close(build()(x)[0], build()(x)[0])
