"""Redcode assembler: default modifiers, labels, EQU, ORG, expressions, errors."""

import numpy as np
import pytest

from replib.envs.corewar.redcode import (
    MODIFIERS,
    RedcodeError,
    assemble,
    default_modifier,
    disassemble,
    parse_or_none,
)
from replib.envs.corewar.warriors import CLASSICS, GeneticOperator, classic


def mod(src):
    return MODIFIERS[assemble(src).code[0, 1]]


def test_default_modifiers_icws94():
    assert mod("MOV #1, $2") == "AB" and mod("MOV $1, #2") == "B" and mod("MOV 1, 2") == "I"
    assert mod("ADD #1, 2") == "AB" and mod("ADD 1, #2") == "B" and mod("ADD 1, 2") == "F"
    assert mod("SLT #1, 2") == "AB" and mod("SLT 1, 2") == "B"
    assert mod("DAT 1, 2") == "F" and mod("JMP 1") == "B" and mod("SPL 1") == "B"
    assert default_modifier("CMP", "$", "$") == "I"


def test_fields_labels_equ_org_expressions():
    w = assemble(""";redcode
;name Tester
step  EQU 4
      ORG start
bomb  DAT #0, #0
start ADD.AB #step*2, ptr
ptr:  MOV.I bomb, @ptr
      JMP start
      END
""")
    assert w.name == "Tester" and w.start == 1 and len(w) == 4
    assert w.code[1].tolist() == [2, 2, 0, 8, 1, 1]          # ADD.AB #8, $1 (label relative)
    assert w.code[2].tolist() == [1, 6, 1, -2, 3, 0]
    assert w.code[3].tolist() == [7, 1, 1, -2, 1, 0]
    assert assemble("DAT (7+3)/2, 10%4 - -1").code[0, [3, 5]].tolist() == [5, 3]
    assert assemble("DAT 5").code[0].tolist() == [0, 4, 0, 0, 1, 5]   # lone DAT operand is B
    assert assemble("JMP -1").code[0, [4, 5]].tolist() == [1, 0]
    assert assemble("mov.i }1, >2").code[0, [2, 4]].tolist() == [6, 7]


@pytest.mark.parametrize("src, msg", [
    ("FOO 1, 2", "unknown"), ("MOV.Q 1, 2", "modifier"), ("MOV 1, 2, 3", "operands"),
    ("MOV x, 1", "unknown label"), ("", "no instructions"), ("DAT 1/0, 0", "expression"),
    ("MOV 1, 2\n" * 5, "max_len"),
])
def test_errors_name_the_line(src, msg):
    with pytest.raises(RedcodeError, match=msg):
        assemble(src, max_len=4)
    assert parse_or_none(src, max_len=4) is None


def test_roundtrip_and_classics_assemble():
    for name in CLASSICS:
        w = classic(name)
        back = assemble(disassemble(w))
        assert np.array_equal(back.code, w.code) and back.start == w.start
    with pytest.raises(ValueError, match="allowed"):
        classic("nope")


def test_genetic_operator_is_seeded_and_valid():
    def run(seed):
        op = GeneticOperator(core_size=800, max_len=20, rng=np.random.default_rng(seed))
        out, src = [], op.new()
        for _ in range(60):
            src = op.mutate(src) if parse_or_none(src, max_len=20) else op.new()
            out.append(src)
        return out
    a = run(1)
    assert a == run(1) and a != run(2)
    assert np.mean([parse_or_none(s, max_len=20) is not None for s in a]) > 0.9
