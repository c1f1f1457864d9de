"""Small multilayer perceptrons, the host network that mechanisms plug into.

Used, for instance, by ``markets.rtb_approx`` for the value-differential network of
Cai et al. (2017), "Real-Time Bidding by Reinforcement Learning in Display Advertising",
Sec. 4.2 (a one-hidden-layer sigmoid network of (t, b)).

Shapes: input (..., in_features) -> output (..., out_features).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["ACTIVATIONS", "mlp"]

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "silu": nn.SiLU,
}


def mlp(
    *,
    in_features: int,
    hidden_sizes: Sequence[int],
    out_features: int,
    activation: str = "relu",
    bias: bool = True,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
) -> nn.Sequential:
    """Build ``Linear -> act -> ... -> Linear`` with ``len(hidden_sizes)`` hidden layers.

    With ``generator`` the weights are drawn from it (U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    PyTorch's default range), so initialisation is reproducible without touching the
    global torch RNG.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    sizes = [in_features, *hidden_sizes, out_features]
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out, bias=bias, device=device, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    net = nn.Sequential(*layers)
    if generator is not None:
        with torch.no_grad():
            for layer in net:
                if isinstance(layer, nn.Linear):
                    bound = 1.0 / math.sqrt(layer.in_features)
                    for p in layer.parameters():
                        u = torch.rand(p.shape, generator=generator, dtype=p.dtype, device="cpu")
                        p.copy_((2.0 * u - 1.0) * bound)
    return net
