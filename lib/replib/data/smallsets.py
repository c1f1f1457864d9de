"""Small offline image sets for chapters that train classifiers on a CPU.

* ``digits``: scikit-learn's 8×8 handwritten digits (UCI optdigits test set, 1797 images,
  10 classes), split stratified by class with a seed, pixels scaled to [−1, 1] as in
  NiNformer's ``train.py`` (``Normalize(0.5, 0.5)``), with optional per-image random
  rotation and shift (``rotate``, ``shift``).
* ``torchvision_set``: MNIST, CIFAR-10 and CIFAR-100 for the ``full`` profile. It reads a local
  copy and downloads only when asked; offline it stops with one line saying how to get it.

Tensors are float32 ``(N, C, H, W)`` images and int64 labels, on the CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

__all__ = ["SmallSet", "digits", "rotate", "shift", "torchvision_set", "TORCHVISION_SETS"]

TORCHVISION_SETS = ("mnist", "cifar10", "cifar100")


@dataclass(frozen=True)
class SmallSet:
    """A train/test split: images ``(N, C, H, W)`` in [−1, 1] and int64 labels."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    n_classes: int

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])


def rotate(images: np.ndarray, *, max_degrees: float, rng: np.random.Generator) -> np.ndarray:
    """Rotate each ``(H, W)`` image by its own angle drawn uniformly in ±``max_degrees``
    (bilinear, about the centre, zero padding in the raw 0..16 pixel scale)."""
    from scipy import ndimage

    if max_degrees < 0:
        raise ValueError(f"max_degrees={max_degrees!r} is not allowed: expected >= 0")
    angles = rng.uniform(-max_degrees, max_degrees, size=len(images))
    return np.stack([ndimage.rotate(im, a, reshape=False, order=1, mode="constant", cval=0.0)
                     for im, a in zip(images, angles)])


def shift(images: np.ndarray, *, max_pixels: int, rng: np.random.Generator) -> np.ndarray:
    """Translate each ``(H, W)`` image by integer offsets drawn uniformly in ±``max_pixels``
    per axis, filling with zeros (nothing wraps around)."""
    if not isinstance(max_pixels, (int, np.integer)) or max_pixels < 0:
        raise ValueError(f"max_pixels={max_pixels!r} is not allowed: expected an integer >= 0")
    out = np.zeros_like(images)
    h, w = images.shape[1:]
    offsets = rng.integers(-max_pixels, max_pixels + 1, size=(len(images), 2))
    for i, (dy, dx) in enumerate(offsets):
        src = images[i, max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
        out[i, max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
    return out


def digits(*, seed: int, test_size: float = 0.2, max_degrees: float = 0.0, max_pixels: int = 0,
           transform_test: bool = True) -> SmallSet:
    """sklearn digits, stratified train/test split by ``seed``.

    ``max_degrees`` / ``max_pixels`` apply a random rotation / shift to every image (drawn
    once, from ``seed``); ``transform_test=False`` leaves the test images clean.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size={test_size!r} is not allowed: expected 0 < test_size < 1")
    data = load_digits()
    images, labels = data.images.astype(np.float64), data.target.astype(np.int64)
    i_tr, i_te = train_test_split(np.arange(len(labels)), test_size=test_size,
                                  random_state=seed, stratify=labels)
    rng = np.random.default_rng(seed)
    if max_degrees > 0:
        images = rotate(images, max_degrees=max_degrees, rng=rng)
    if max_pixels > 0:
        images = shift(images, max_pixels=max_pixels, rng=rng)
    if not transform_test and (max_degrees > 0 or max_pixels > 0):
        images[i_te] = data.images[i_te]

    def tensor(idx):  # pixels 0..16 -> [-1, 1]
        return torch.tensor(np.clip(images[idx], 0, 16) / 8.0 - 1.0,
                            dtype=torch.float32).unsqueeze(1)

    name = "digits" if max_degrees == 0 and max_pixels == 0 else "digits-jitter"
    return SmallSet(name, tensor(i_tr), torch.tensor(labels[i_tr]), tensor(i_te),
                    torch.tensor(labels[i_te]), 10)


def torchvision_set(name: str, *, root: str | Path, download: bool = False) -> SmallSet:
    """MNIST / CIFAR-10 / CIFAR-100 (``full`` profile only), normalised to [−1, 1].

    Needs the ``torchvision`` package and either a local copy under ``root`` or
    ``download=True`` with network access.
    """
    if name not in TORCHVISION_SETS:
        raise ValueError(f"name={name!r} is not allowed: expected one of {list(TORCHVISION_SETS)}")
    try:
        import torchvision
    except ImportError:
        raise ImportError(f"dataset {name!r} needs the torchvision package (pip install "
                          "torchvision, matching your torch); it is used by the full profile "
                          "only") from None
    cls = {"mnist": torchvision.datasets.MNIST, "cifar10": torchvision.datasets.CIFAR10,
           "cifar100": torchvision.datasets.CIFAR100}[name]
    try:
        train = cls(root=str(root), train=True, download=download)
        test = cls(root=str(root), train=False, download=download)
    except (RuntimeError, OSError) as err:
        raise FileNotFoundError(f"dataset {name!r} is not under {root} and could not be "
                                "downloaded (offline?): run once with download=True on a "
                                f"machine with network access, then copy {root} here "
                                f"({type(err).__name__}: {str(err).splitlines()[0][:80]})"
                                ) from None

    def tensors(ds):
        x = torch.as_tensor(np.asarray(ds.data), dtype=torch.float32) / 127.5 - 1.0
        x = x.unsqueeze(1) if x.dim() == 3 else x.permute(0, 3, 1, 2)  # (N, C, H, W)
        return x, torch.as_tensor(np.asarray(ds.targets), dtype=torch.int64)

    (xtr, ytr), (xte, yte) = tensors(train), tensors(test)
    return SmallSet(name, xtr, ytr, xte, yte, int(ytr.max()) + 1)
