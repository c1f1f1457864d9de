import pytest
import torch

from replib.nets.small import mlp


def test_mlp_shapes_and_layers():
    net = mlp(in_features=3, hidden_sizes=[8, 4], out_features=2, activation="tanh")
    assert net(torch.zeros(5, 3)).shape == (5, 2)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(3, 8), (8, 4), (4, 2)]
    assert isinstance(net[1], torch.nn.Tanh) and isinstance(net[-1], torch.nn.Linear)


def test_mlp_no_hidden_no_bias():
    net = mlp(in_features=3, hidden_sizes=[], out_features=1, bias=False)
    assert len(net) == 1 and net[0].bias is None


def test_mlp_generator_is_reproducible_and_in_range():
    def make():
        return mlp(in_features=4, hidden_sizes=[16], out_features=1,
                   generator=torch.Generator().manual_seed(3))

    a, b = make(), make()
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    assert a[0].weight.abs().max() <= 0.5  # 1 / sqrt(4)


def test_mlp_rejects_unknown_activation():
    with pytest.raises(ValueError):
        mlp(in_features=1, hidden_sizes=[2], out_features=1, activation="swishy")
