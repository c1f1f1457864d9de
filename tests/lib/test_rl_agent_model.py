import inspect
import math

import pytest
import torch

from replib.rl.agent_model import (
    CLAM,
    LIAM,
    SetTrajectoryEncoder,
    crop_views,
    ego_steps,
    ema_update,
    make_target,
    mask_steps,
    nt_xent,
    supcon,
)


def test_nt_xent_closed_form_and_supcon_agreement():
    z = torch.eye(2)  # two orthogonal unit vectors, views identical
    tau = 0.5
    expected = -math.log(math.exp(1 / tau) / (math.exp(1 / tau) + 2))
    assert float(nt_xent(z, z, temperature=tau)) == pytest.approx(expected, rel=1e-6)
    torch.manual_seed(0)
    a, b = torch.randn(6, 5), torch.randn(6, 5)
    torch.testing.assert_close(nt_xent(a, b, temperature=0.3),
                               supcon(torch.stack([a, b], 1), temperature=0.3))


def test_supcon_with_labels_matches_loop():
    torch.manual_seed(1)
    f = torch.randn(4, 2, 3)
    labels = torch.tensor([0, 1, 0, 2])
    got = supcon(f, labels, temperature=0.7)
    x = torch.nn.functional.normalize(f, dim=-1).reshape(8, 3)
    lab = labels.repeat_interleave(2)
    total = 0.0
    for i in range(8):
        others = [j for j in range(8) if j != i]
        denom = sum(math.exp(float(x[i] @ x[j]) / 0.7) for j in others)
        pos = [j for j in others if lab[j] == lab[i]]
        total += -sum(math.log(math.exp(float(x[i] @ x[p]) / 0.7) / denom) for p in pos) / len(pos)
    assert float(got) == pytest.approx(total / 8, rel=1e-5)


def test_crop_views_gather_episode_time():
    g = torch.Generator().manual_seed(0)
    x = torch.arange(2 * 10, dtype=torch.float32).view(2, 10, 1).repeat(1, 1, 3)
    view, mask, pos = crop_views(x, min_len=3, max_len=6, generator=g)
    lengths = mask.sum(1)
    assert ((lengths >= 3) & (lengths <= 6)).all()
    for i in range(2):
        n = int(lengths[i])
        torch.testing.assert_close(view[i, :n], x[i, pos[i, :n]])
        assert (pos[i, 1:n] - pos[i, : n - 1] == 1).all()  # contiguous
        assert (view[i, n:] == 0).all()


def test_mask_steps_ratio_and_keeps_one():
    g = torch.Generator().manual_seed(0)
    x = torch.ones(400, 20, 2)
    mask = torch.ones(400, 20, dtype=torch.bool)
    y = mask_steps(x, mask, ratio=0.3, generator=g)
    dropped = (y[..., 0] == 0).float().mean()
    assert 0.25 < float(dropped) < 0.35
    y = mask_steps(x, mask, ratio=0.999, generator=g)
    assert ((y[..., 0] != 0).sum(1) >= 1).all()


def test_ema_update_closed_form():
    online = torch.nn.Linear(2, 2)
    target = make_target(online)
    assert all(not p.requires_grad for p in target.parameters())
    w0 = target.weight.clone()
    with torch.no_grad():
        online.weight.add_(1.0)
    ema_update(target, online, momentum=0.9)
    torch.testing.assert_close(target.weight, 0.9 * w0 + 0.1 * online.weight)
    ema_update(target, online, momentum=0.0)
    torch.testing.assert_close(target.weight, online.weight)


def test_encoder_prefix_lengths_equal_truncation():
    torch.manual_seed(0)
    enc = SetTrajectoryEncoder(in_features=5, d_model=16, n_heads=2, embed_dim=4).eval()
    x = torch.randn(3, 8, 5)
    lengths = torch.tensor([2, 8, 5])
    mask = torch.arange(8)[None] < lengths[:, None]
    z = enc(x, mask)
    for i in range(3):
        torch.testing.assert_close(z[i], enc(x[i: i + 1, : lengths[i]])[0], atol=1e-5,
                                   rtol=1e-5)
    assert enc.prefixes(x, [1, 4]).shape == (2, 3, 4)


def test_ego_steps_onehot_previous_action():
    obs = torch.zeros(2, 3)
    out = ego_steps(obs, torch.tensor([-1, 2]), 5)
    assert out.shape == (2, 8)
    assert out[0, 3:].sum() == 0 and out[1, 3 + 2] == 1


def _typed_trajectories(n, T=12, generator=None):
    """Three 'types' that drift in different directions: a contrastive encoder separates them."""
    types = torch.randint(0, 3, (n,), generator=generator)
    dirs = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])[types]
    steps = dirs[:, None] * 0.3 + 0.3 * torch.randn(n, T, 2, generator=generator)
    return steps.cumsum(1), types


def test_clam_learns_and_is_deterministic_and_ego_only():
    def train(seed):
        torch.manual_seed(seed)
        g = torch.Generator().manual_seed(seed)
        m = CLAM(in_features=2, d_model=16, n_heads=2, embed_dim=4, min_crop=4, max_crop=12,
                 lr=3e-3, momentum=0.5)
        losses = [m.fit_step(_typed_trajectories(32, generator=g)[0], generator=g).loss
                  for _ in range(20)]
        return m, losses

    m, losses = train(0)
    _, losses2 = train(0)
    assert losses == losses2
    assert sum(losses[-5:]) < sum(losses[:5])
    x, _ = _typed_trajectories(10, generator=torch.Generator().manual_seed(9))
    z = m.embed(x, torch.full((10,), 6))
    torch.testing.assert_close(z, m.embed(x[:, :6]))
    # design check (claim 3): CLAM's update reads ego trajectories only
    assert list(inspect.signature(CLAM.fit_step).parameters) == ["self", "x", "generator"]


def test_clam_bad_parameters():
    with pytest.raises(ValueError, match="mask_ratio"):
        CLAM(in_features=2, mask_ratio=1.5)


def test_liam_shapes_prefix_and_learning():
    torch.manual_seed(0)
    m = LIAM(in_features=3, n_modeled=2, modeled_obs_dim=4, n_actions=5, d_hidden=16,
             embed_dim=4, lr=1e-2)
    x = torch.randn(8, 6, 3)
    mo = x[..., :2].repeat(1, 1, 4).view(8, 6, 2, 4)  # reconstructable targets
    ma = (x[..., 0] > 0).long()[..., None].repeat(1, 1, 2)
    z, _ = m.embed_seq(x)
    assert z.shape == (8, 6, 4)
    torch.testing.assert_close(m.embed(x, torch.full((8,), 3)), z[:, 2])
    first = m.fit_step(x, mo, ma).loss
    for _ in range(40):
        last = m.fit_step(x, mo, ma)
    assert last.loss < first and last.obs_loss == last.obs_loss
