import pytest
import torch

from replib.data.synthetic_seq import associative_recall, bigram_backcopy, mqar, selective_copy


def g(s=0):
    return torch.Generator().manual_seed(s)


@pytest.mark.parametrize("placement", ["uniform", "near", "far"])
def test_mqar_answers_are_the_paired_values(placement):
    t = mqar(n_samples=16, vocab_size=64, seq_len=64, n_pairs=8, placement=placement,
             generator=g())
    assert t.inputs.shape == (16, 64) and int(t.mask.sum(1).min()) == 8
    for i in range(16):
        kv = {int(t.inputs[i, 2 * j]): int(t.inputs[i, 2 * j + 1]) for j in range(8)}
        assert len(kv) == 8
        for p in torch.nonzero(t.mask[i]).flatten().tolist():
            assert int(t.targets[i, p]) == kv[int(t.inputs[i, p])]
            assert int(t.inputs[i, p + 1]) == 0  # a blank: the answer is never an input
    t2 = mqar(n_samples=16, vocab_size=64, seq_len=64, n_pairs=8, placement=placement,
              generator=g())
    assert torch.equal(t.inputs, t2.inputs)


def test_mqar_answer_is_a_label_not_an_input():
    t = mqar(n_samples=64, vocab_size=24, seq_len=24, n_pairs=3, generator=g())
    after_query = t.inputs[:, 1:][t.mask[:, :-1]]
    assert not (after_query == t.targets[t.mask]).any()
    assert ((t.inputs >= 12).sum(1) == 3).all()  # the pairs' values and nothing else


def test_mqar_errors():
    with pytest.raises(ValueError, match="placement must be one of"):
        mqar(n_samples=1, vocab_size=64, seq_len=64, n_pairs=8, placement="mid")
    with pytest.raises(ValueError, match="seq_len"):
        mqar(n_samples=1, vocab_size=64, seq_len=20, n_pairs=8)


def test_recall_near_far():
    t = associative_recall(n_samples=200, n_keys=32, n_values=32, n_pairs=8, mode="mix",
                           far_gap=5, generator=g())
    assert t.inputs.shape == (200, 18)
    far, dist = t.extra["far"], t.extra["distance"]
    assert bool((dist[far] > 5).all()) and bool((dist[~far] == 2).all())
    assert 60 < int(far.sum()) < 140
    ans = t.targets[:, 16]
    assert bool((ans >= 32).all()) and bool(t.mask[:, 16].all()) and int(t.mask.sum()) == 200
    with pytest.raises(ValueError, match="far_gap"):
        associative_recall(n_samples=1, n_keys=8, n_values=8, n_pairs=4, mode="far")


def test_selective_copy_and_backcopy():
    t = selective_copy(n_samples=4, vocab_size=10, n_tokens=3, seq_len=12, generator=g())
    assert t.inputs.shape == (4, 15) and int(t.mask.sum()) == 12
    ctx = t.inputs[:, :12]
    for i in range(4):
        assert ctx[i][ctx[i] > 0].tolist() == t.targets[i, 12:].tolist()
    b = bigram_backcopy(n_samples=8, vocab_size=12, seq_len=40, generator=g())
    x, y, m = b.inputs, b.targets, b.mask
    assert bool((x[:, 0] == 0).all()) and m.any()
    i, p = torch.nonzero(m)[0].tolist()
    assert 1 <= int(x[i, p]) <= 3 and int(y[i, p]) == int(x[i, p - 1])
