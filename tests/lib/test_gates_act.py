"""gates.act: activations, modes, input-independent gate, GLU."""

import pytest
import torch

from replib.gates.act import GATE_ACTIVATIONS, OutputGate, gate_activation, glu


def test_activation_values():
    z = torch.tensor([0.0, 2.0, -2.0])
    torch.testing.assert_close(gate_activation("ns_sigmoid")(z), 0.5 + 0.5 * torch.sigmoid(z))
    assert float(gate_activation("ns_sigmoid")(torch.tensor(-50.0))) >= 0.5
    torch.testing.assert_close(gate_activation("silu")(z), z * torch.sigmoid(z))
    assert set(GATE_ACTIVATIONS) >= {"sigmoid", "silu", "ns_sigmoid", "identity", "tanh"}
    with pytest.raises(ValueError, match="act="):
        gate_activation("relu6")


def test_output_gate_multiplicative_and_additive():
    torch.manual_seed(0)
    x, y = torch.randn(3, 4, 8), torch.randn(3, 4, 5)
    g = OutputGate(8, 5)
    out, s = g(y, x)
    torch.testing.assert_close(out, y * torch.sigmoid(x @ g.proj.weight.T))
    assert s.shape == (3, 4, 5)
    ga = OutputGate(8, 5, act="silu", mode="additive")
    out, s = ga(y, x)
    torch.testing.assert_close(out, y + s)


def test_input_independent_gate_is_constant_and_starts_at_half():
    g = OutputGate(8, 5, input_independent=True)
    out, s = g(torch.ones(2, 3, 5), torch.randn(2, 3, 8))
    torch.testing.assert_close(s, torch.full((2, 3, 5), 0.5))
    assert sum(p.numel() for p in g.parameters()) == 5


def test_gradient_reaches_gate_weights():
    g = OutputGate(4, 4)
    out, _ = g(torch.randn(2, 4), torch.randn(2, 4))
    out.sum().backward()
    assert g.proj.weight.grad is not None and float(g.proj.weight.grad.abs().sum()) > 0


def test_glu_matches_swiglu_formula_and_checks_shapes():
    torch.manual_seed(1)
    x, wv, wg = torch.randn(2, 6), torch.randn(6, 3), torch.randn(6, 3)
    torch.testing.assert_close(glu(x, wv, wg, act="silu"),
                               (x @ wv) * torch.nn.functional.silu(x @ wg))
    with pytest.raises(ValueError, match="w_gate"):
        glu(x, wv, torch.randn(6, 4))


def test_bad_mode():
    with pytest.raises(ValueError, match="mode"):
        OutputGate(4, 4, mode="max")
