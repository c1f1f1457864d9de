import torch

from replib.attention.sets import MAB, PMA, SAB


def _nets(d=16, h=4, seed=0):
    torch.manual_seed(seed)
    return SAB(d_model=d, n_heads=h), PMA(d_model=d, n_heads=h)


def test_shapes_and_weights_are_distributions():
    sab, pma = _nets()
    x = torch.randn(3, 7, 16)
    y = sab(x)
    assert y.shape == (3, 7, 16)
    out, diag = pma(y, return_weights=True)
    assert out.shape == (3, 1, 16)
    assert diag.weights.shape == (3, 4, 1, 7)
    torch.testing.assert_close(diag.weights.sum(-1), torch.ones(3, 4, 1))
    assert pma(y)[1].weights is None


def test_sab_equivariant_and_pma_invariant_to_permutation():
    sab, pma = _nets()
    x = torch.randn(2, 9, 16)
    perm = torch.randperm(9)
    torch.testing.assert_close(sab(x)[:, perm], sab(x[:, perm]), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(pma(sab(x))[0], pma(sab(x[:, perm]))[0], atol=1e-5, rtol=1e-5)


def test_padding_equals_unpadded_sequences():
    sab, pma = _nets()
    lengths = [3, 7, 5]
    seqs = [torch.randn(1, n, 16) for n in lengths]
    x = torch.zeros(3, 7, 16)
    mask = torch.zeros(3, 7, dtype=torch.bool)
    for i, s in enumerate(seqs):
        x[i, : lengths[i]] = s[0]
        mask[i, : lengths[i]] = True
    x[~mask] = 99.0  # garbage in the padding must not leak
    pooled, diag = pma(sab(x, mask), mask, return_weights=True)
    for i, s in enumerate(seqs):
        torch.testing.assert_close(pooled[i], pma(sab(s))[0][0], atol=1e-5, rtol=1e-5)
    assert torch.all(diag.weights[~mask[:, None, None, :].expand_as(diag.weights)] == 0)


def test_explicit_path_equals_sdpa():
    torch.manual_seed(1)
    mab = MAB(d_model=8, n_heads=2)
    x, y = torch.randn(4, 3, 8), torch.randn(4, 6, 8)
    mask = torch.rand(4, 6) > 0.3
    mask[:, 0] = True
    fast = mab(x, y, mask)
    slow, w = mab(x, y, mask, return_weights=True)
    torch.testing.assert_close(fast, slow, atol=1e-5, rtol=1e-5)


def test_identical_elements_pool_independent_of_count():
    """Closed form: attention over n copies of one vector returns that vector's value."""
    _, pma = _nets()
    v = torch.randn(1, 1, 16)
    a = pma(v.expand(1, 2, 16))[0]
    b = pma(v.expand(1, 11, 16))[0]
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


def test_gradient_reaches_seed_vectors_and_inputs():
    sab, pma = _nets()
    x = torch.randn(2, 5, 16, requires_grad=True)
    pma(sab(x))[0].pow(2).sum().backward()
    assert pma.seeds.grad is not None and pma.seeds.grad.abs().sum() > 0
    assert x.grad.abs().sum() > 0


def test_bad_heads():
    try:
        MAB(d_model=10, n_heads=4)
    except ValueError as e:
        assert "n_heads" in str(e)
    else:
        raise AssertionError("expected ValueError")
