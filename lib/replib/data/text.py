"""An offline character corpus from Python's own standard library, with batching.

The ``ci`` stand-in for the web-text corpora of the sequence chapters (GLA: SlimPajama;
GAM: WikiText-2/TinyStories): the source text of a fixed list of 40 standard-library
modules (``STDLIB_FILES``, the first ``max_chars_per_file`` characters of each, ≈ 400k
characters), split by *file* (every ``val_every``-th file is held out, so validation text
is never seen in training). The vocabulary is fixed (newline, printable ASCII, one
unknown symbol; 97 tokens), so the token ids do not depend on the corpus.
The text depends on the Python version's stdlib (recorded in ``CharCorpus.source``).

``full`` chapters may call ``hf_text(...)`` (Hugging Face ``datasets``), which is imported
inside the function and stops with a one-line message when it is missing or offline.

Batching: ``random_batch`` draws (x, y) windows of ``seq_len`` (y = x shifted by one) with
a ``torch.Generator``; ``eval_batches`` gives fixed, contiguous, non-overlapping windows.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass

import torch

__all__ = ["STDLIB_FILES", "VOCAB", "CharCorpus", "load_corpus", "encode", "decode",
           "random_batch", "eval_batches", "hf_text"]

STDLIB_FILES: tuple[str, ...] = (
    "argparse", "ast", "base64", "calendar", "collections/__init__", "contextlib", "csv",
    "dataclasses", "datetime", "difflib", "enum", "fractions", "functools", "gzip", "heapq",
    "inspect", "ipaddress", "json/decoder", "json/encoder", "locale", "logging/__init__",
    "numbers", "operator", "os", "pathlib", "pprint", "queue", "random", "re/__init__",
    "shlex", "shutil", "statistics", "string", "textwrap", "threading", "timeit",
    "tokenize", "traceback", "typing", "zipfile",
)
UNK = "\u00bf"
VOCAB: tuple[str, ...] = ("\n",) + tuple(chr(c) for c in range(32, 127)) + (UNK,)
_STOI = {c: i for i, c in enumerate(VOCAB)}


def encode(text: str) -> torch.Tensor:
    """Token ids (int64) of ``text`` in the fixed vocabulary; tabs become 4 spaces."""
    text = text.replace("\t", "    ")
    unk = _STOI[UNK]
    return torch.tensor([_STOI.get(c, unk) for c in text], dtype=torch.long)


def decode(ids: Sequence[int] | torch.Tensor) -> str:
    """Inverse of :func:`encode` (up to the unknown symbol)."""
    return "".join(VOCAB[int(i)] for i in ids)


@dataclass(frozen=True)
class CharCorpus:
    """Encoded train/val token streams (1-D int64) and where they came from."""

    train: torch.Tensor
    val: torch.Tensor
    train_files: tuple[str, ...]
    val_files: tuple[str, ...]
    source: str

    @property
    def vocab_size(self) -> int:
        return len(VOCAB)


def load_corpus(*, files: Sequence[str] = STDLIB_FILES, max_chars_per_file: int = 10_000,
                val_every: int = 10) -> CharCorpus:
    """Read and encode the corpus; file i goes to validation when i % val_every == val_every-1."""
    if val_every < 2:
        raise ValueError(f"val_every must be >= 2, got {val_every}")
    if max_chars_per_file < 1:
        raise ValueError(f"max_chars_per_file must be >= 1, got {max_chars_per_file}")
    root = sysconfig.get_paths()["stdlib"]
    tr, va, trf, vaf = [], [], [], []
    for i, name in enumerate(files):
        path = os.path.join(root, name + ".py")
        if not os.path.exists(path):
            raise FileNotFoundError(f"stdlib file {name}.py not found under {root}; "
                                    f"files must name modules of this Python's stdlib")
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()[:max_chars_per_file]
        if i % val_every == val_every - 1:
            va.append(encode(text))
            vaf.append(name)
        else:
            tr.append(encode(text))
            trf.append(name)
    if not va:
        raise ValueError(f"no validation file: need at least val_every={val_every} files")
    src = f"Python {sys.version.split()[0]} stdlib, {len(files)} files"
    return CharCorpus(torch.cat(tr), torch.cat(va), tuple(trf), tuple(vaf), src)


def random_batch(data: torch.Tensor, *, batch_size: int, seq_len: int,
                 generator: torch.Generator | None = None):
    """(x, y), each (batch_size, seq_len), from random windows of the 1-D stream ``data``."""
    if seq_len + 1 > data.numel():
        raise ValueError(f"seq_len={seq_len} is longer than the stream ({data.numel()} tokens)")
    start = torch.randint(0, data.numel() - seq_len - 1, (batch_size,), generator=generator)
    idx = start[:, None] + torch.arange(seq_len + 1)[None]
    w = data[idx]
    return w[:, :-1], w[:, 1:]


def eval_batches(data: torch.Tensor, *, seq_len: int, batch_size: int,
                 max_windows: int | None = None) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Contiguous, non-overlapping (x, y) windows from the start of ``data``, batched."""
    n = (data.numel() - 1) // seq_len
    if n < 1:
        raise ValueError(f"seq_len={seq_len} is longer than the stream ({data.numel()} tokens)")
    if max_windows is not None:
        n = min(n, max_windows)
    x = data[: n * seq_len].view(n, seq_len)
    y = data[1: n * seq_len + 1].view(n, seq_len)
    return [(x[i:i + batch_size], y[i:i + batch_size]) for i in range(0, n, batch_size)]


def hf_text(name: str, *, config: str | None = None, split: str = "train",
            field: str = "text", max_rows: int | None = None) -> str:
    """Concatenated text of a Hugging Face dataset split (``full`` profile only).

    Needs the ``datasets`` package and network access (or a warm HF cache).
    """
    try:
        import datasets
    except ImportError as e:
        raise ImportError("hf_text needs the Hugging Face `datasets` package "
                          "(pip install datasets); only the full profile uses it") from e
    try:
        ds = datasets.load_dataset(name, config, split=split)
    except Exception as e:  # offline, unknown name, ...
        raise RuntimeError(f"could not load HF dataset {name!r} ({type(e).__name__}): "
                           "the full profile needs internet or a warm HF cache; "
                           "the ci profile uses data.text.load_corpus() offline") from e
    rows = ds[field] if max_rows is None else ds[field][:max_rows]
    return "\n".join(rows)
