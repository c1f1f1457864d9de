"""An offline character corpus from Python's own standard library, with batching.

The ``ci`` stand-in for the web-text corpora of the sequence chapters (GLA: SlimPajama;
GAM: WikiText-2/TinyStories): the source text of a fixed list of 40 standard-library
modules (``STDLIB_FILES``, the first ``max_chars_per_file`` characters of each, ≈ 400k
characters), split by *file* (every ``val_every``-th file is held out, so validation text
is never seen in training). The vocabulary is fixed (newline, printable ASCII, one
unknown symbol; 97 tokens), so the token ids do not depend on the corpus.
The text depends on the Python version's stdlib (recorded in ``CharCorpus.source``).

``full`` chapters may read a Hugging Face corpus instead (``text_corpus("wikitext-2")``, the
corpora the papers name: WikiText-2/103, TinyStories), encoded at character level in the same
vocabulary, so models and loops do not change. ``datasets`` is imported inside ``hf_text``;
without it, or offline with a cold cache, the call stops with ``DataMissingError`` saying how
to get the data.

Batching: ``random_batch`` draws (x, y) windows of ``seq_len`` (y = x shifted by one) with
a ``torch.Generator``; ``eval_batches`` gives fixed, contiguous, non-overlapping windows.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["STDLIB_FILES", "VOCAB", "CORPORA", "HF_CORPORA", "CharCorpus", "load_corpus",
           "text_corpus", "encode", "decode", "random_batch", "eval_batches", "hf_text"]

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
# byte -> id for UTF-8 text: ASCII in the vocabulary maps to itself, every other lead byte to
# the unknown symbol (continuation bytes are dropped first, so one character -> one id)
_BYTE_ID = np.full(256, _STOI[UNK], dtype=np.int64)
for _c, _i in _STOI.items():
    if ord(_c) < 128:
        _BYTE_ID[ord(_c)] = _i


def encode(text: str) -> torch.Tensor:
    """Token ids (int64) of ``text`` in the fixed vocabulary, one per character (anything
    outside it is the unknown symbol); tabs become 4 spaces. Vectorised over UTF-8 bytes, so
    a web corpus of 10^8 characters encodes in about a second."""
    b = np.frombuffer(text.replace("\t", "    ").encode("utf-8", errors="surrogatepass"),
                      dtype=np.uint8)
    b = b[(b < 0x80) | (b >= 0xC0)]  # drop UTF-8 continuation bytes
    return torch.from_numpy(_BYTE_ID[b].copy())


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


HF_CORPORA: dict[str, tuple[str, str | None, str]] = {
    # name: (HF dataset, config, validation split)
    "wikitext-2": ("Salesforce/wikitext", "wikitext-2-raw-v1", "validation"),
    "wikitext-103": ("Salesforce/wikitext", "wikitext-103-raw-v1", "validation"),
    "tinystories": ("roneneldan/TinyStories", None, "validation"),
}
CORPORA: tuple[str, ...] = ("stdlib", *HF_CORPORA)


def _missing(msg: str) -> Exception:
    from replib.book.setup import DataMissingError

    return DataMissingError(msg)


def hf_text(name: str, *, config: str | None = None, split: str = "train",
            field: str = "text", max_rows: int | None = None) -> str:
    """Concatenated text of a Hugging Face dataset split (``full`` profile only).

    Needs the ``datasets`` package and network access (or a warm HF cache); otherwise stops
    with ``DataMissingError`` saying how to get the data."""
    how = ("get it with `pip install datasets` and one online run (it is cached under "
           "~/.cache/huggingface), or pass -p corpus stdlib for the offline corpus")
    try:
        import datasets
    except ImportError as e:
        raise _missing(f"HF dataset {name!r} needs the `datasets` package: {how}") from e
    try:
        ds = datasets.load_dataset(name, config, split=split)
    except Exception as e:  # offline, unknown name, ...
        raise _missing(f"could not load HF dataset {name!r} ({config}, {split}): "
                       f"{type(e).__name__}: {str(e)[:200]}; {how}") from e
    rows = ds[field] if max_rows is None else ds[field][:max_rows]
    return "\n".join(r for r in rows if r)


def text_corpus(name: str = "stdlib", *, max_rows: int | None = None) -> CharCorpus:
    """The offline stdlib corpus (``"stdlib"``) or one of ``HF_CORPORA`` at character level:
    its train split (the first ``max_rows`` rows when given) and its validation split (the
    first ``max_rows // 10`` rows)."""
    if name not in CORPORA:
        raise ValueError(f"corpus must be one of {CORPORA}, got {name!r}")
    if name == "stdlib":
        return load_corpus()
    if max_rows is not None and max_rows < 10:
        raise ValueError(f"max_rows must be >= 10 or None, got {max_rows}")
    repo, config, val_split = HF_CORPORA[name]
    train = hf_text(repo, config=config, split="train", max_rows=max_rows)
    val = hf_text(repo, config=config, split=val_split,
                  max_rows=None if max_rows is None else max_rows // 10)
    cut = "" if max_rows is None else f", first {max_rows:,} train rows"
    return CharCorpus(encode(train), encode(val), (f"{repo}:train",), (f"{repo}:{val_split}",),
                      f"Hugging Face {repo} ({config or 'default'}{cut}), character level")
