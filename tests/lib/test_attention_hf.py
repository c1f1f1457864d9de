"""attention.hf: head scaling on a stub Qwen-style decoder (no transformers needed)."""

import types

import pytest
import torch
from torch import nn

from replib.attention.hf import decoder_layers, hf_head_scales


def _stub():
    torch.manual_seed(0)
    layer = nn.Module()
    layer.self_attn = nn.Module()
    layer.self_attn.o_proj = nn.Linear(8, 8, bias=False)
    model = nn.Module()
    model.model = nn.Module()
    model.model.layers = nn.ModuleList([layer])
    model.config = types.SimpleNamespace(num_attention_heads=2)
    return model


def test_scaling_a_head_slice_of_o_proj_input():
    m = _stub()
    o = decoder_layers(m)[0].self_attn.o_proj
    x = torch.randn(3, 8)
    with hf_head_scales(m, {(0, 1): 0.0}):
        y = o(x)
    x2 = x.clone()
    x2[:, 4:] = 0
    torch.testing.assert_close(y, o(x2))
    torch.testing.assert_close(o(x), x @ o.weight.T)  # hook removed
    with pytest.raises(ValueError, match="head"):
        with hf_head_scales(m, {(0, 2): 0.0}):
            pass
    with pytest.raises(ValueError, match="self_attn"):
        decoder_layers(nn.Linear(2, 2))
