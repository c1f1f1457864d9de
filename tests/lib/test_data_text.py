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
    text_corpus,
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


def test_encode_is_one_id_per_character_and_matches_a_lookup():
    text = "héllo\tw\u00f6rld ¿ 日本 \r\n~" + "".join(chr(c) for c in range(0, 130))
    stoi = {c: i for i, c in enumerate(VOCAB)}
    ref = [stoi.get(c, len(VOCAB) - 1) for c in text.replace("\t", "    ")]
    assert encode(text).tolist() == ref and encode("").numel() == 0


def test_hf_corpus_without_datasets_says_how_to_get_it(monkeypatch):
    import sys

    from replib.book.setup import DataMissingError
    monkeypatch.setitem(sys.modules, "datasets", None)  # import fails
    with pytest.raises(DataMissingError, match="pip install datasets"):
        text_corpus("wikitext-2")
    with pytest.raises(ValueError, match="corpus must be one of"):
        text_corpus("slimpajama")


def test_hf_corpus_is_encoded_like_the_stdlib_one(monkeypatch):
    import sys
    import types

    calls = []

    def load_dataset(name, config, split):
        calls.append((name, config, split))
        if name == "offline/x":
            raise ConnectionError("no network")
        return {"text": [f"{split} row {i}\n" if i % 3 else "" for i in range(40)]}

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    c = text_corpus("wikitext-2", max_rows=20)
    assert calls == [("Salesforce/wikitext", "wikitext-2-raw-v1", "train"),
                     ("Salesforce/wikitext", "wikitext-2-raw-v1", "validation")]
    assert decode(c.val).startswith("validation row 1\n") and c.vocab_size == len(VOCAB)
    assert "first 20 train rows" in c.source
    from replib.book.setup import DataMissingError
    with pytest.raises(DataMissingError, match="ConnectionError"):
        hf_text("offline/x")
