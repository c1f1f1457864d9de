"""attention.diagnostics and nets.hooks: closed-form cases."""

import numpy as np
import pytest
import torch
from torch import nn

from replib.attention.diagnostics import (
    count_loss_spikes,
    first_token_attention,
    gate_histogram,
    gate_scores,
    head_first_token_attention,
    max_activation,
    sparsity,
)
from replib.attention.mha import AttnDiag, MultiHeadAttention
from replib.nets.hooks import capture, intervene, scale_, zero_


def test_first_token_attention_uniform_keys_closed_form():
    # zero queries -> uniform attention over the causal prefix: weight 1/(t+1) on key 0
    m = MultiHeadAttention(8, 2)
    nn.init.zeros_(m.q.weight)
    T = 6
    _, d = m(torch.randn(1, T, 8))
    expected = np.mean([1 / (t + 1) for t in range(1, T)])
    np.testing.assert_allclose(first_token_attention([d]), [expected], rtol=1e-5)
    assert head_first_token_attention([d, d]).shape == (2, 2)
    full = first_token_attention([d], skip_first_query=False)
    np.testing.assert_allclose(full, [np.mean([1 / (t + 1) for t in range(T)])], rtol=1e-5)
    mask = torch.zeros(1, T, dtype=torch.bool)
    mask[0, 3] = True
    np.testing.assert_allclose(first_token_attention([d], query_mask=mask), [0.25], rtol=1e-5)


def test_gate_stats():
    g = torch.tensor([0.05, 0.5, 0.95, 0.02])
    d = AttnDiag(gate=g, gate_score=g.mean())
    np.testing.assert_allclose(gate_scores([d, AttnDiag()]), [0.38, np.nan], rtol=1e-6)
    counts, edges = gate_histogram([d], bins=2, density=False)
    assert counts.tolist() == [2, 2] and edges.tolist() == [0.0, 0.5, 1.0]
    assert sparsity([d], threshold=0.1) == 0.5
    with pytest.raises(ValueError):
        gate_histogram([AttnDiag()])


def test_max_activation_and_spikes():
    assert max_activation([torch.tensor([1.0, -3.0]), torch.tensor([2.0])]).tolist() == [3.0, 2.0]
    losses = [1.0] * 20 + [3.0] + [1.0] * 5 + [float("nan")]
    assert count_loss_spikes(losses) == 2
    with pytest.raises(ValueError, match="factor"):
        count_loss_spikes(losses, factor=1.0)


def test_hooks_capture_and_intervene():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = torch.randn(5, 3)
    with capture(net, ["0", "2"]) as store:
        y = net(x)
    assert store["0"][0].shape == (5, 4)
    torch.testing.assert_close(store["2"][0], y)
    with intervene(net, {"0": zero_}):
        y0 = net(x)
    torch.testing.assert_close(y0, net[2](torch.zeros(5, 4)).expand(5, 2))
    with intervene(net, {"2": scale_(2.0)}):
        torch.testing.assert_close(net(x), 2 * y)
    torch.testing.assert_close(net(x), y)  # hooks removed
    with pytest.raises(KeyError, match="no sub-module"):
        with capture(net, ["nope"]):
            pass
