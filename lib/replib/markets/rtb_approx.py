"""Value-differential approximation for large-scale RLB ("RLB-NN", MapD).

Cai et al. (2017), "Real-Time Bidding by Reinforcement Learning in Display Advertising",
Sec. 4.2 (large-scale issues): the bid rule only needs D(t, b) = V(t, b+1) - V(t, b). D is
computed exactly for t <= T0 only, a one-hidden-layer sigmoid network D_nn(t, b) is fitted
to it (official ``predict_D_t_b``: sum_k w2_k sigmoid(w_t t + w_b b + c_k) + w2_0), and a
large state is mapped onto the fitted slice with the same budget per auction,

    D(t, b) ~ D_nn(T0, b * T0 / t)   for t > T0   ("MapD"),

clipped at 0 as in the official code. ``mapd_values`` turns this into a V-like table
(cumulative sums of D over b) so that the exact RLB bid rule applies unchanged.

Shapes: values (horizon+1, budget+1) float64; D rows t = 1..T0, (T0, budget).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..nets.small import mlp

__all__ = ["DApprox", "fit_d_approx", "mapd_values"]


@dataclass(frozen=True)
class DApprox:
    """A fitted D_nn(t, b); inputs are normalised as (t / t_scale, b / b_scale)."""

    net: nn.Sequential
    t_scale: float  # T0
    b_scale: float  # the budget of the fitted table
    d_scale: float  # max D on the fitted region (targets are D / d_scale)
    rel_rmse: float  # held-out RMSE of D_nn / d_scale on t <= T0

    def predict(self, t: np.ndarray, b: np.ndarray) -> np.ndarray:
        """D_nn(t, b) >= 0 for broadcastable arrays t, b (float64 out)."""
        t, b = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(b, dtype=np.float64))
        x = torch.as_tensor(np.stack([t.ravel() / self.t_scale, b.ravel() / self.b_scale], 1),
                            dtype=torch.float32)
        with torch.no_grad():
            y = self.net(x).double().numpy().ravel()
        return np.maximum(y, 0.0).reshape(t.shape) * self.d_scale


def fit_d_approx(
    values: np.ndarray,
    *,
    t0: int,
    d_hidden: int = 32,
    steps: int = 600,
    lr: float = 0.02,
    n_points: int = 4096,
    seed: int = 0,
) -> DApprox:
    """Fit D_nn to D(t, b), t = 1..t0, b = 0..budget-1 of the exact table ``values``.

    ``n_points`` random (t, b) cells (from ``seed``) are fitted full-batch with Adam for
    ``steps`` steps (MSE on D / max D); the RMSE is measured on another ``n_points`` cells.
    Deterministic on CPU for a fixed seed.
    """
    V = np.asarray(values, dtype=np.float64)
    budget = V.shape[1] - 1
    if not 1 <= t0 < V.shape[0]:
        raise ValueError("t0 must be in [1, horizon]")
    D = np.diff(V[1:t0 + 1], axis=1)  # (t0, budget), row i is t = i + 1
    d_scale = float(D.max()) if D.max() > 0 else 1.0
    rng = np.random.default_rng(seed)

    def sample(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        ti, bi = rng.integers(0, t0, n), rng.integers(0, budget, n)
        x = np.stack([(ti + 1) / t0, bi / budget], 1)
        return (torch.as_tensor(x, dtype=torch.float32),
                torch.as_tensor(D[ti, bi] / d_scale, dtype=torch.float32)[:, None])

    x_fit, y_fit = sample(n_points)
    x_val, y_val = sample(n_points)
    gen = torch.Generator().manual_seed(seed)
    net = mlp(in_features=2, hidden_sizes=[d_hidden], out_features=1, activation="sigmoid",
              generator=gen, dtype=torch.float32)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = torch.mean((net(x_fit) - y_fit) ** 2)
        loss.backward()
        opt.step()
    with torch.no_grad():
        rmse = float(torch.sqrt(torch.mean((net(x_val).clamp(min=0) - y_val) ** 2)))
    net.eval()
    return DApprox(net=net, t_scale=float(t0), b_scale=float(budget), d_scale=d_scale,
                   rel_rmse=rmse)


def mapd_values(values: np.ndarray, approx: DApprox, *, t0: int,
                exact_head: bool = True) -> np.ndarray:
    """V-like table (horizon+1, budget+1) for the RLB rule with approximated D.

    Rows t <= t0: the exact V (``exact_head``, what the large-scale method computes) or
    the cumulative D_nn(t, .). Rows t > t0: cumulative D_nn(t0, b * t0 / t) (MapD); D_nn at
    t0 is evaluated on the integer grid b' = 0..budget-1 and linearly interpolated.
    Only differences along b matter to the bid rule, so every row starts at 0.
    """
    V = np.asarray(values, dtype=np.float64)
    horizon, budget = V.shape[0] - 1, V.shape[1] - 1
    out = np.zeros_like(V)
    grid = np.arange(budget, dtype=np.float64)
    head = np.arange(1, min(t0, horizon) + 1)
    if exact_head:
        out[head] = V[head] - V[head, :1]
    else:
        out[head, 1:] = np.cumsum(approx.predict(head[:, None], grid[None, :]), axis=1)
    if horizon > t0:
        slice_t0 = approx.predict(np.full(budget, float(t0)), grid)  # D_nn(T0, b'), (budget,)
        t_rows = np.arange(t0 + 1, horizon + 1, dtype=np.float64)
        mapped = grid[None, :] * (t0 / t_rows[:, None])  # b * T0 / t, (horizon - t0, budget)
        out[t0 + 1:, 1:] = np.cumsum(np.interp(mapped, grid, slice_t0), axis=1)
    return out
