import pytest
import torch

from replib.data.text import (
    STDLIB_FILES,
    VOCAB,
    decode,
    encode,
    eval_batches,
    hf_text,
    load_corpus,
    random_batch,
)


def test_corpus_split_by_file_and_roundtrip():
    c = load_corpus()
    assert len(STDLIB_FILES) == 40 and c.vocab_size == len(VOCAB) == 97
    assert not set(c.train_files) & set(c.val_files) and len(c.val_files) == 4
    assert 300_000 < c.train.numel() < 400_000 and c.val.numel() > 30_000
    assert decode(encode("def f(x):\n\treturn x")) == "def f(x):\n    return x"
    assert int(c.train.max()) < 97


def test_batches_shift_and_determinism():
    data = torch.arange(1000)
    x, y = random_batch(data, batch_size=4, seq_len=16, generator=torch.Generator().manual_seed(0))
    assert torch.equal(y, x + 1)
    x2, _ = random_batch(data, batch_size=4, seq_len=16,
                         generator=torch.Generator().manual_seed(0))
    assert torch.equal(x, x2)
    ev = eval_batches(data, seq_len=100, batch_size=4)
    assert sum(b[0].shape[0] for b in ev) == 9 and torch.equal(ev[0][1], ev[0][0] + 1)
    with pytest.raises(ValueError, match="seq_len"):
        random_batch(data, batch_size=1, seq_len=5000)


def test_hf_message_without_datasets():
    try:
        import datasets  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install datasets"):
            hf_text("wikitext")
