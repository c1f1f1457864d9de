"""data.arithmetic: exact answers, formats, corruption, parsing."""

import pytest
import torch

from replib.data.arithmetic import (
    TOK,
    Chains,
    completion_len,
    corrupt,
    encode,
    parse_answer,
    prompt_len,
    sample_chains,
)


def test_known_chain_and_formats():
    c = Chains(torch.tensor([[7, 5, 9]]), torch.tensor([[0, 1]]))  # 7 + 5 - 9 = 3 (mod 10)
    assert c.partials().tolist() == [[7, 2, 3]] and c.answers.tolist() == [3]
    p, d = encode(c, fmt="direct")
    assert p.tolist() == [[TOK["<bos>"], 7, TOK["+"], 5, TOK["-"], 9]]
    assert d.tolist() == [[TOK["="], 3, TOK["<eos>"]]]
    p2, t = encode(c, fmt="think", mode_token=True)
    assert p2[0, 1] == TOK["<think>"] and p2.shape[1] == prompt_len(3, mode=True)
    assert t.tolist() == [[TOK["<t>"], 2, TOK["</t>"], TOK["="], 3, TOK["<eos>"]]]
    assert t.shape[1] == completion_len(3, "think") and d.shape[1] == completion_len(3, "direct")


def test_random_answers_match_python_and_corruption_keeps_ops():
    g = torch.Generator().manual_seed(0)
    c = sample_chains(200, k=4, generator=g)
    for a, o, r in zip(c.operands.tolist(), c.ops.tolist(), c.answers.tolist()):
        v = a[0]
        for x, op in zip(a[1:], o):
            v = v + x if op == 0 else v - x
        assert v % 10 == r
    cc = corrupt(c, generator=g)
    assert torch.equal(cc.ops, c.ops) and not torch.equal(cc.operands, c.operands)


def test_parse_answer():
    comp = torch.tensor([[TOK["="], 4, TOK["<eos>"]], [TOK["<t>"], 2, 3],
                         [TOK["="], TOK["="], 1]])
    assert parse_answer(comp).tolist() == [4, -1, -1]


def test_errors():
    with pytest.raises(ValueError, match="k="):
        sample_chains(3, k=0)
    with pytest.raises(ValueError, match="fmt="):
        encode(sample_chains(2, k=2), fmt="cot")
