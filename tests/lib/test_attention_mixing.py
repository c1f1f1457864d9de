import pytest
import torch

from replib.attention.mixing import ChannelMLP, LocalFFN, MixerBlock, MixerGatingUnit, TokenMLP


def test_token_mlp_mixes_across_tokens_only():
    torch.manual_seed(0)
    mlp = TokenMLP(n_tokens=5, d_ff=7)
    x = torch.randn(2, 5, 3)
    y = mlp(x)
    assert y.shape == x.shape
    # channel c of the output depends only on channel c of the input
    x2 = x.clone()
    x2[..., 1] += 1.0
    d = (mlp(x2) - y).abs().sum(dim=(0, 1))
    assert d[1] > 0 and d[0] == 0 and d[2] == 0
    # closed form: W2 gelu(W1 x^T + b1) + b2, transposed back
    ref = (mlp.mlp.down(torch.nn.functional.gelu(mlp.mlp.up(x.transpose(1, 2))))).transpose(1, 2)
    assert torch.allclose(y, ref, atol=1e-6)


def test_token_mlp_refuses_other_token_counts():
    with pytest.raises(ValueError, match="n_tokens=5"):
        TokenMLP(n_tokens=5, d_ff=4)(torch.randn(1, 6, 3))


def test_mgu_is_u_times_mixer_block_and_add_variant_shares_parameters():
    torch.manual_seed(0)
    mul = MixerGatingUnit(n_tokens=4, d_model=6, d_ff=8, combine="mul")
    add = MixerGatingUnit(n_tokens=4, d_model=6, d_ff=8, combine="add")
    add.load_state_dict(mul.state_dict())  # identical parameters
    h = torch.randn(3, 4, 6)
    y, diag = mul(h)
    u = mul.proj(h)
    v = mul.mixer(h)
    assert torch.allclose(y, u * v) and torch.allclose(diag.u, u) and torch.allclose(diag.v, v)
    y_add, _ = add(h)
    assert torch.allclose(y_add, u + v)
    assert diag.v.requires_grad  # diag stays on the graph
    y.sum().backward()
    assert mul.mixer.tokens.mlp.up.weight.grad is not None


def test_mixer_block_residuals_and_token_only():
    torch.manual_seed(1)
    blk = MixerBlock(n_tokens=4, d_model=6, d_ff=8, inner="token_only")
    h = torch.randn(2, 4, 6)
    assert torch.allclose(blk(h), h + blk.tokens(blk.norm_tokens(h)))
    full = MixerBlock(n_tokens=4, d_model=6, d_ff=8)
    v = h + full.tokens(full.norm_tokens(h))
    assert torch.allclose(full(h), v + full.channels(full.norm_channels(v)))


def test_local_ffn_is_local_on_the_grid():
    torch.manual_seed(0)
    ffn = LocalFFN(d_model=4, d_ff=8, grid=(4, 4), kernel=3)
    x = torch.randn(1, 16, 4)
    y = ffn(x)
    x2 = x.clone()
    x2[0, 0] += 1.0  # token (0, 0): only its 3x3 neighbourhood may change
    changed = ((ffn(x2) - y).abs().sum(-1) > 0).view(4, 4)
    assert changed[:2, :2].all() and changed.sum() == 4
    y1 = LocalFFN(d_model=4, d_ff=8, grid=(10,))(torch.randn(2, 10, 4))
    assert y1.shape == (2, 10, 4)


@pytest.mark.parametrize("kwargs, name", [(dict(combine="max"), "combine"),
                                          (dict(inner="conv"), "inner")])
def test_bad_options_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        MixerGatingUnit(n_tokens=4, d_model=6, d_ff=8, **kwargs)


def test_bad_sizes_name_the_parameter():
    with pytest.raises(ValueError, match="d_ff"):
        ChannelMLP(d_model=4, d_ff=0)
    with pytest.raises(ValueError, match="kernel"):
        LocalFFN(d_model=4, d_ff=8, grid=(4, 4), kernel=2)
