import pytest
import torch

from replib.attention.mixing import MGUDiag
from replib.nets.vit import MIXERS, ViTClassifier, count_params, d_ff_for_budget, fit_seeds

COMMON = dict(input_shape=(1, 8, 8), n_classes=10, patch=2, d_model=16, d_ff=32, n_layers=2,
              n_heads=2)


@pytest.mark.parametrize("mixer", MIXERS)
def test_shapes_2d_and_1d(mixer):
    m = ViTClassifier(mixer=mixer, **COMMON)
    assert m.n_tokens == 16 and m(torch.randn(3, 1, 8, 8)).shape == (3, 10)
    m1 = ViTClassifier(mixer=mixer, **{**COMMON, "input_shape": (2, 40), "patch": 4})
    assert m1.n_tokens == 10 and m1(torch.randn(3, 2, 40)).shape == (3, 10)


def test_cls_pool_and_diags():
    m = ViTClassifier(mixer="attention", pool="cls", **COMMON)
    assert m.pos.shape == (1, 17, 16) and m(torch.randn(2, 1, 8, 8)).shape == (2, 10)
    nin = ViTClassifier(mixer="ninformer", **COMMON)
    logits, diags = nin(torch.randn(2, 1, 8, 8), return_diags=True)
    assert len(diags) == 2 and all(isinstance(d, MGUDiag) for d in diags)
    assert diags[0].v.shape == (2, 16, 16) and nin.pos is None


def test_ninformer_block_matches_the_official_equations():
    torch.manual_seed(0)
    m = ViTClassifier(mixer="ninformer", **COMMON).eval()
    blk = m.blocks[0]
    assert blk.norm1 is blk.norm2  # official code: one LayerNorm for both sub-layers
    x = torch.randn(2, 16, 16)
    h = blk.norm1(x)
    x1 = x + blk.mix.proj(h) * blk.mix.mixer(h)
    ref = x1 + blk.ffn(blk.norm1(x1))
    assert torch.allclose(blk(x)[0], ref, atol=1e-6)
    sep = ViTClassifier(mixer="ninformer", shared_norm=False, **COMMON)
    assert sep.blocks[0].norm1 is not sep.blocks[0].norm2


def test_param_counts_and_budget_matching():
    nin = count_params(ViTClassifier(mixer="ninformer", **COMMON))
    for mixer in ("attention", "mixer", "local"):
        kw = {k: v for k, v in COMMON.items() if k != "d_ff"}
        d_ff = d_ff_for_budget(nin, mixer=mixer, **kw)
        got = count_params(ViTClassifier(mixer=mixer, d_ff=d_ff, **kw))
        step = abs(count_params(ViTClassifier(mixer=mixer, d_ff=d_ff + 8, **kw)) - got)
        assert abs(got - nin) <= step / 2 + 1


def test_fit_seeds_equals_training_each_seed_alone():
    torch.manual_seed(0)
    x, y = torch.randn(40, 1, 8, 8), torch.randint(0, 10, (40,))

    def build():
        return ViTClassifier(mixer="ninformer", **COMMON)

    fit = fit_seeds(build, seeds=[3, 4], x_train=x, y_train=y, epochs=2, batch_size=16, lr=1e-2)
    assert fit.losses.shape == (2, 6)
    for i, s in enumerate([3, 4]):  # reference: a plain loop for seed s alone
        torch.manual_seed(s)
        m = build()
        opt = torch.optim.Adam(m.parameters(), lr=1e-2)
        g = torch.Generator().manual_seed(s)
        for _ in range(2):
            perm = torch.randperm(40, generator=g)
            for j in range(0, 40, 16):
                idx = perm[j:j + 16]
                loss = torch.nn.functional.cross_entropy(m(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        m.eval()
        assert torch.allclose(fit.logits(x)[i], m(x), atol=1e-4)
        assert torch.allclose(fit.model(i, build)(x), m(x), atol=1e-4)
    assert fit.accuracy(x, y).shape == (2,)


def test_fit_seeds_is_deterministic_and_leaves_global_rng_alone():
    x, y = torch.randn(20, 1, 8, 8), torch.randint(0, 10, (20,))
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = fit_seeds(lambda: ViTClassifier(mixer="mixer", **COMMON), seeds=[0], x_train=x,
                  y_train=y, epochs=1, batch_size=10, lr=1e-3)
    assert torch.equal(torch.rand(1), before)
    b = fit_seeds(lambda: ViTClassifier(mixer="mixer", **COMMON), seeds=[0], x_train=x,
                  y_train=y, epochs=1, batch_size=10, lr=1e-3)
    assert torch.equal(a.logits(x), b.logits(x))


@pytest.mark.parametrize("kwargs, name", [
    (dict(mixer="conv"), "mixer"), (dict(pool="max"), "pool"), (dict(patch=3), "patch"),
    (dict(n_heads=3), "n_heads"), (dict(dropout=1.0), "dropout"),
    (dict(mixer="mixer", pool="cls"), "pool"), (dict(input_shape=(8,)), "input_shape")])
def test_bad_parameters_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ViTClassifier(**{**COMMON, **kwargs})
