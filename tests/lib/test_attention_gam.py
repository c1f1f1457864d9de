import pytest
import torch

from replib.attention.gam import GAM, receptive_field
from replib.nets.lm import TinyLM


@pytest.mark.parametrize("fusion", ["gate", "sum", "local", "global"])
def test_shapes_and_causality(fusion):
    torch.manual_seed(0)
    m = GAM(d_model=16, mem_slots=8, conv_kernel=3, fusion=fusion)
    h = torch.randn(2, 10, 16)
    y, d = m(h)
    assert y.shape == h.shape
    assert (d.gate_local is None) == (fusion != "gate")
    h2 = h.clone()
    h2[:, 6:] += 1
    assert torch.allclose(m(h2)[0][:, :6], y[:, :6], atol=1e-6)


def test_global_path_is_per_token_and_closed_form():
    m = GAM(d_model=4, mem_slots=3, fusion="global")
    h = torch.randn(1, 5, 4)
    y, _ = m(h)
    ref = torch.softmax(h[0, 2] @ m.memory.T, -1) @ m.memory
    assert torch.allclose(y[0, 2], ref, atol=1e-6)
    h2 = h.clone()
    h2[:, :2] = 0          # other tokens do not matter for the global path
    assert torch.allclose(m(h2)[0][:, 2:], y[:, 2:], atol=1e-6)


def test_receptive_field_of_a_stack():
    assert receptive_field(n_layers=2, kernel=3) == 5
    torch.manual_seed(0)
    lm = TinyLM(vocab_size=11, d_model=16, n_layers=2, ffn="gelu", norm="layer",
                mixer=lambda i: GAM(d_model=16, mem_slots=8, conv_kernel=3, fusion="local"))
    x = torch.randint(0, 11, (1, 12))
    x2 = x.clone()
    x2[0, 3] = (x2[0, 3] + 1) % 11
    diff = (lm(x)[0] - lm(x2)[0]).abs().amax(-1)[0]
    changed = torch.nonzero(diff > 1e-6).flatten().tolist()
    assert changed == [3, 4, 5, 6, 7]   # position 3 reaches 5 tokens: 3..3+5-1


def test_bad_parameters():
    with pytest.raises(ValueError, match="fusion must be one of"):
        GAM(d_model=8, fusion="concat")
    with pytest.raises(ValueError, match="d_model"):
        GAM(d_model=8)(torch.randn(1, 3, 4))


def test_ablations_hold_only_the_parameters_they_use():
    # paper Table 3: local-only has no memory bank, global-only no convolution, only the
    # full model a gate; unused tensors would inflate an ablation's parameter count
    d, S, k = 16, 8, 3
    conv, mem, gate = d * k + d, S * d, d * 2 * d + 2 * d
    n = {f: sum(p.numel() for p in GAM(d_model=d, mem_slots=S, conv_kernel=k,
                                       fusion=f).parameters())
         for f in ("gate", "sum", "local", "global")}
    assert n == {"gate": conv + mem + gate, "sum": conv + mem, "local": conv, "global": mem}
