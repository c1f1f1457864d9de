import numpy as np
import pytest
import torch

from replib.data.smallsets import digits, rotate, shift, torchvision_set


def test_digits_split_is_stratified_seeded_and_scaled():
    a, b, c = digits(seed=0), digits(seed=0), digits(seed=1)
    assert a.x_train.shape[1:] == (1, 8, 8) and a.input_shape == (1, 8, 8)
    assert len(a.y_train) + len(a.y_test) == 1797 and a.n_classes == 10
    assert torch.equal(a.x_train, b.x_train) and not torch.equal(a.y_test, c.y_test)
    assert a.x_train.min() >= -1 and a.x_train.max() <= 1 and a.x_train.dtype == torch.float32
    counts = np.bincount(a.y_test.numpy(), minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37  # 20% of ~180 per class


def test_shift_moves_pixels_without_wrapping():
    im = np.zeros((1, 4, 4))
    im[0, 0, 0] = 1.0
    rng = np.random.default_rng(0)
    out = shift(np.repeat(im, 50, 0), max_pixels=1, rng=rng)
    assert out.sum() <= 50 and set(np.unique(out)) <= {0.0, 1.0}
    assert (out[:, 2:, :].sum() == 0) and (out[:, :, 2:].sum() == 0)  # at most one pixel away
    assert np.array_equal(shift(im, max_pixels=0, rng=rng), im)


def test_rotate_zero_is_identity_and_preserves_mass_roughly():
    ims = digits(seed=0).x_train[:5, 0].numpy() + 1.0
    assert np.allclose(rotate(ims, max_degrees=0.0, rng=np.random.default_rng(0)), ims)
    r = rotate(ims, max_degrees=15.0, rng=np.random.default_rng(0))
    assert r.shape == ims.shape and not np.allclose(r, ims)


def test_jittered_digits_keep_clean_test_when_asked():
    clean = digits(seed=3)
    jit = digits(seed=3, max_degrees=15, max_pixels=1, transform_test=False)
    assert jit.name == "digits-jitter" and torch.equal(jit.x_test, clean.x_test)
    assert not torch.equal(jit.x_train, clean.x_train)


def test_bad_parameters_name_themselves():
    with pytest.raises(ValueError, match="test_size"):
        digits(seed=0, test_size=1.5)
    with pytest.raises(ValueError, match="max_pixels"):
        shift(np.zeros((1, 4, 4)), max_pixels=-1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="name='svhn'"):
        torchvision_set("svhn", root="/nonexistent")


def test_torchvision_sets_fail_with_one_clear_line_offline(tmp_path):
    with pytest.raises((ImportError, FileNotFoundError)) as err:
        torchvision_set("mnist", root=tmp_path, download=False)
    assert "\n" not in str(err.value) and ("torchvision" in str(err.value)
                                            or "download=True" in str(err.value))
