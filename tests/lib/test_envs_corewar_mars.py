"""ICWS'94 semantics of the batched MARS on hand-made micro-programs."""

import numpy as np
import pytest

from replib.envs.corewar import assemble, battle
from replib.envs.corewar.warriors import CLASSICS, classic

N = 80
KW = dict(core_size=N, max_procs=16, min_dist=10)


def solo(src, cycles, **kw):
    w = assemble(src)
    return battle([[w]], cycles=cycles, positions=np.array([[0]]), **(KW | kw))


def cell(res, addr):
    return res.core[:, 0, addr % N].tolist()  # op, mod, amode, a, bmode, b


@pytest.mark.parametrize("operand, addr, fix", [
    ("#0", 0, None), ("$2", 2, None),
    ("*1", 3, (1, 3, 2)), ("@1", 5, (1, 5, 4)), ("{1", 2, (1, 3, 1)), ("<1", 4, (1, 5, 3)),
    ("}1", 3, (1, 3, 3)), (">1", 5, (1, 5, 5)),
])
def test_each_addressing_mode(operand, addr, fix):
    res = solo(f"MOV.AB #5, {operand}\nDAT.F #2, #4\n", 1)
    assert cell(res, addr)[5] == 5
    if fix is not None:
        a, col, val = fix
        assert cell(res, a)[col] == val


def test_dat_kills_and_lone_dat_dies_first_step():
    res = solo("DAT.F #0, #0\n", 100)
    assert not res.alive[0, 0] and res.cycles_run[0] == 1


def test_division_by_zero_kills_and_division_works():
    assert not solo("DIV.AB #0, $1\nJMP $0\n", 5).alive[0, 0]
    assert not solo("MOD.AB #0, $1\nJMP $0\n", 5).alive[0, 0]
    res = solo("DIV.AB #3, $2\nJMP $0\nDAT #0, #10\n", 5)
    assert res.alive[0, 0] and cell(res, 2)[5] == 3
    res = solo("MOD.AB #3, $2\nJMP $0\nDAT #0, #10\n", 5)
    assert cell(res, 2)[5] == 1
    res = solo("MUL.AB #7, $2\nJMP $0\nDAT #0, #13\n", 5)
    assert cell(res, 2)[5] == (7 * 13) % N
    res = solo("SUB.AB #7, $2\nJMP $0\nDAT #0, #3\n", 5)
    assert cell(res, 2)[5] == (3 - 7) % N


def test_div_f_writes_the_nonzero_field_then_kills():
    res = solo("DIV.F $1, $2\nDAT #0, #2\nDAT #9, #8\n", 3)
    assert not res.alive[0, 0] and cell(res, 2)[3] == 9 and cell(res, 2)[5] == 4


def test_spl_queue_order_next_then_target():
    src = "SPL.B $2\nMOV.AB #7, $10\nMOV.AB #9, $9\nJMP $0\n"
    assert cell(solo(src, 2), 11)[5] == 7      # PC+1 runs first
    assert cell(solo(src, 3), 11)[5] == 9      # then the target
    res = solo(src, 3)
    assert res.spawned[0, 0] == 1


def test_spl_respects_max_procs():
    res = solo("SPL.B $0\nJMP $-1\n", 50, max_procs=4)
    assert res.spawned[0, 0] == 3 and res.alive[0, 0]


def test_mov_i_imp_walks_the_core():
    res = solo("MOV.I $0, $1\n", 10)
    assert all(cell(res, a)[:2] == [1, 6] for a in range(11))
    assert res.coverage[0, 0] == 11
    res = solo("MOV.I $0, $1\n", 200)
    assert res.alive[0, 0] and res.coverage[0, 0] == N


def test_djn_jmz_jmn():
    assert solo("DJN.B $0, #3\nDAT #0, #0\n", 10).cycles_run[0] == 4
    assert solo("JMZ.B $2, $1\nDAT #0, #0\nJMP $0\n", 10).alive[0, 0]
    assert not solo("JMZ.B $2, $1\nDAT #0, #1\nJMP $0\n", 10).alive[0, 0]
    assert solo("JMN.B $2, $1\nDAT #0, #1\nJMP $0\n", 10).alive[0, 0]
    assert solo("JMN.F $2, $1\nDAT #1, #0\nJMP $0\n", 10).alive[0, 0]
    assert not solo("JMZ.F $2, $1\nDAT #1, #0\nJMP $0\n", 10).alive[0, 0]


def test_seq_sne_slt_skip():
    same = "\nDAT #0, #0\nJMP $0\nDAT #1, #1\nDAT #1, #1\n"
    assert solo("SEQ.I $3, $4" + same, 10).alive[0, 0]
    assert not solo("SNE.I $3, $4" + same, 10).alive[0, 0]
    assert solo("CMP $3, $4" + same, 10).alive[0, 0]
    diff = "\nDAT #0, #0\nJMP $0\nDAT #1, #1\nDAT #2, #1\n"
    assert not solo("SEQ.I $3, $4" + diff, 10).alive[0, 0]
    assert solo("SEQ.B $3, $4" + diff, 10).alive[0, 0]      # only B-fields compared
    assert solo("SLT.A $3, $4" + diff, 10).alive[0, 0]      # 1 < 2 skips
    assert not solo("SLT.B $3, $4" + diff, 10).alive[0, 0]


def test_postincrement_after_operand_copy():
    # the A operand's instruction is copied before its post-increment
    res = solo("MOV.I }1, $2\nDAT #0, #5\n", 1)
    assert cell(res, 2)[3] == 0 and cell(res, 1)[3] == 1


def test_dwarf_kills_sitter_on_its_bomb_track():
    d, s = classic("dwarf"), classic("sitter")
    res = battle([[d, s]], core_size=800, cycles=2000, max_procs=800, min_dist=20,
                 positions=np.array([[0, 403]]), early_stop=False)
    assert res.alive[0].tolist() == [True, False]
    assert res.score[0, 0] > 1.5


def test_imp_vs_imp_ties_and_score_share():
    imp = classic("imp")
    res = battle([[imp, imp]] * 3, core_size=800, cycles=300, max_procs=800, min_dist=20,
                 rng=np.random.default_rng(0))
    assert np.allclose(res.score, 1.0)


def test_batched_equals_one_at_a_time():
    names = list(CLASSICS)
    rng = np.random.default_rng(3)
    games = [[classic(a), classic(b)] for a in names[::2] for b in names[::4]]
    pos = np.array([[0, int(p)] for p in rng.integers(30, 770, size=len(games))])
    kw = dict(core_size=800, cycles=120, max_procs=800, min_dist=20)
    big = battle(games, positions=pos, order_shift=np.arange(len(games)) % 2, **kw)
    for i, g in enumerate(games):
        one = battle([g], positions=pos[i:i + 1], order_shift=[i % 2], **kw)
        assert np.allclose(one.score, big.score[i:i + 1])
        assert (one.coverage == big.coverage[i:i + 1]).all()
        assert (one.core[:, 0] == big.core[:, i]).all()


def test_determinism_and_errors():
    imp, dw = classic("imp"), classic("dwarf")
    a = battle([[dw, imp]] * 4, core_size=800, cycles=200, max_procs=800, min_dist=20,
               rng=np.random.default_rng(5))
    b = battle([[dw, imp]] * 4, core_size=800, cycles=200, max_procs=800, min_dist=20,
               rng=np.random.default_rng(5))
    assert np.array_equal(a.score, b.score)
    with pytest.raises(ValueError, match="same number"):
        battle([[dw], [dw, imp]], core_size=800, cycles=5, max_procs=8, min_dist=20,
               rng=np.random.default_rng(0))


def test_div_mod_by_zero_leaves_the_field_and_its_postincrement_alone():
    # ICWS'94 5.4 ARITH_DIV: a field with a zero divisor is not written. Here the B operand
    # }1 post-increments cell 1's A-number (0 -> 1); MOD.F divides A by IRA.A = 0 (no write,
    # the process dies) and B by IRA.B = 5 (5 % 5 = 0). Writing back the B-instruction copy
    # (A = 0) would undo the post-increment.
    for op, b in (("MOD", 0), ("DIV", 1)):
        res = solo(f"{op}.F $1, }}1\nDAT #0, #5\n", 3)
        assert not res.alive[0, 0]
        assert cell(res, 1)[3] == 1 and cell(res, 1)[5] == b


def test_a_tie_is_exactly_an_equal_share_for_any_cycle_count():
    # "defeated or tied" is share >= 1 and a regression is share < 1: a tie must be 1.0
    # exactly (a float running sum gave 0.99999999999995 at 2000 cycles)
    imp = classic("imp")
    for cycles in (300, 500, 2000):
        for n_w in (2, 3):
            res = battle([[imp] * n_w], core_size=800, cycles=cycles, max_procs=800,
                         min_dist=20, positions=np.array([[0, 250, 500][:n_w]]))
            assert (res.score == 1.0).all(), (cycles, n_w, res.score)


@pytest.mark.parametrize("early_stop", [True, False])
def test_a_lone_survivor_plays_on_and_can_still_die(early_stop):
    # official corewar_util.run_single_round steps to the cycle limit: a warrior that outlives
    # its opponent but then runs into its own DAT stops scoring when it dies
    nop2, dat, imp = assemble("NOP\nNOP\nDAT #0, #0\n"), assemble("DAT #0, #0\n"), classic("imp")
    kw = dict(core_size=N, cycles=100, max_procs=16, min_dist=10, early_stop=early_stop)
    res = battle([[nop2, dat], [imp, dat]], positions=np.array([[0, 40], [0, 40]]), **kw)
    # cycles 0 and 1 alone (1/1 each), dead from cycle 2: 2 * (2 / 100)
    assert res.score[0, 0] == pytest.approx(0.04) and not res.alive[0, 0]
    assert res.cycles_run[0] == 3
    assert res.score[1, 0] == 2.0 and res.alive[1, 0] and res.cycles_run[1] == 100
