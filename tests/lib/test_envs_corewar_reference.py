"""Differential test: the batched MARS against a scalar ICWS'94 interpreter on random code.

The reference below is written line by line from the ICWS'94 draft's section 5 reference
emulator (operand evaluation, IRA/IRB copies, post-increments before execution, ARITH /
ARITH_DIV, JMZ/JMN/DJN, CMP/SNE/SLT, SPL's queue rule) and the official DRQ scoring
(``corewar_util.run_single_round``: play to the cycle limit or until all are dead). Random
programs with every opcode, modifier and mode, small cores and small process limits exercise
the corners a hand-made micro-test misses (e.g. a DIV by zero whose B-target's post-increment
must survive).
"""

from collections import deque

import numpy as np
import pytest

from replib.envs.corewar.mars import battle
from replib.envs.corewar.redcode import Warrior

DAT, MOV, ADD, SUB, MUL, DIV, MOD, JMP, JMZ, JMN, DJN, SEQ, SNE, SLT, SPL, NOP = range(16)
M_A, M_B, M_AB, M_BA, M_F, M_X, M_I = range(7)
IMM, A_FIELD_MODES, PRE_MODES, POST_MODES = 0, (2, 4, 6), (4, 5), (6, 7)


def _ref_step(core, N, q, P):
    """One ICWS'94 step of one process; returns 1 if SPL added a process."""
    pc = q.popleft()
    op, md, am, an, bm, bn = core[pc]

    def operand(mode, num):
        if mode == IMM:
            return 0, None
        p, pip = num % N, None
        if mode >= 2:  # indirect: * @ { < } >
            fld = 3 if mode in A_FIELD_MODES else 5
            at = (pc + p) % N
            if mode in PRE_MODES:
                core[at][fld] = (core[at][fld] - 1) % N
            if mode in POST_MODES:
                pip = (at, fld)
            p = (p + core[at][fld]) % N
        return p, pip

    rpa, pip = operand(am, an)
    ira = list(core[(pc + rpa) % N])
    if pip:
        core[pip[0]][pip[1]] = (core[pip[0]][pip[1]] + 1) % N
    rpb, pip = operand(bm, bn)
    irb = list(core[(pc + rpb) % N])
    if pip:
        core[pip[0]][pip[1]] = (core[pip[0]][pip[1]] + 1) % N
    tgt = core[(pc + rpb) % N]
    pairs = {M_A: [(3, ira[3], irb[3])], M_B: [(5, ira[5], irb[5])],
             M_AB: [(5, ira[3], irb[5])], M_BA: [(3, ira[5], irb[3])],
             M_X: [(3, ira[5], irb[3]), (5, ira[3], irb[5])]
             }.get(md, [(3, ira[3], irb[3]), (5, ira[5], irb[5])])  # .F .I: A-A and B-B
    fields = {M_A: [3], M_BA: [3], M_B: [5], M_AB: [5]}.get(md, [3, 5])
    nxt, new = pc + 1, None
    if op == MOV:
        if md == M_I:
            core[(pc + rpb) % N] = list(ira)
        else:
            for f, s, _ in pairs:
                tgt[f] = s
        new = nxt
    elif op in (ADD, SUB, MUL):
        for f, s, b in pairs:
            tgt[f] = {ADD: b + s, SUB: b - s, MUL: b * s}[op] % N
        new = nxt
    elif op in (DIV, MOD):
        for f, s, b in pairs:
            if s:
                tgt[f] = b // s if op == DIV else b % s
        new = None if any(s == 0 for _, s, _ in pairs) else nxt
    elif op == JMP:
        new = pc + rpa
    elif op in (JMZ, JMN, DJN):
        if op == DJN:
            for f in fields:
                tgt[f] = (tgt[f] - 1) % N
                irb[f] = (irb[f] - 1) % N
        zero = all(irb[f] == 0 for f in fields)
        new = pc + rpa if (zero if op == JMZ else not zero) else nxt
    elif op in (SEQ, SNE):
        eq = ira == irb if md == M_I else all(s == b for _, s, b in pairs)
        new = pc + 2 if eq == (op == SEQ) else nxt
    elif op == SLT:
        new = pc + 2 if all(s < b for _, s, b in pairs) else nxt
    elif op in (SPL, NOP):
        new = nxt
    if new is not None:
        q.append(new % N)
    if op == SPL and len(q) < P:
        q.append((pc + rpa) % N)
        return 1
    return 0


def _ref_battle(warriors, pos, N, cycles, P, shift):
    core = [[DAT, M_F, 1, 0, 1, 0] for _ in range(N)]
    qs, seen, spawned = [], [], [0] * len(warriors)
    for w, p in zip(warriors, pos):
        for j, row in enumerate(w.code.tolist()):
            core[(p + j) % N] = [row[0], row[1], row[2], row[3] % N, row[4], row[5] % N]
        qs.append(deque([(p + w.start) % N]))
        seen.append(set(qs[-1]))
    W, score = len(warriors), [0.0] * len(warriors)
    for _ in range(cycles):
        for w in [(shift + k) % W for k in range(W)]:
            if qs[w]:
                spawned[w] += _ref_step(core, N, qs[w], P)
                seen[w].update(qs[w])
        alive = [len(x) > 0 for x in qs]
        if not any(alive):
            break
        score = [s + a / sum(alive) / cycles for s, a in zip(score, alive)]
    return core, [len(x) > 0 for x in qs], spawned, [len(s) for s in seen], \
        [s * W for s in score]


def _random_warrior(rng, N):
    n = int(rng.integers(1, 6))
    code = np.zeros((n, 6), dtype=np.int64)
    code[:, 0] = rng.choice(16, size=n, p=np.r_[0.02, np.full(15, 0.98 / 15)])
    code[:, 1], code[:, 2], code[:, 4] = (rng.integers(0, k, n) for k in (7, 8, 8))
    code[:, 3], code[:, 5] = rng.integers(-6, 7, n), rng.integers(-6, 7, n)
    far = rng.random(n) < 0.2
    code[far, 3] = rng.integers(0, N, far.sum())
    return Warrior(name="random", code=code, start=int(rng.integers(n)))


@pytest.mark.parametrize("seed", [0, 1])
def test_batched_mars_matches_the_scalar_reference_on_random_code(seed):
    rng = np.random.default_rng(seed)
    N, cycles = 64, 80
    for W, P in ((1, 64), (2, 1), (2, 8), (3, 3)):
        games = [[_random_warrior(rng, N) for _ in range(W)] for _ in range(60)]
        pos = np.array([[0, 21, 42][:W]] * len(games))
        shift = rng.integers(0, W, len(games))
        res = battle(games, core_size=N, cycles=cycles, max_procs=P, min_dist=6,
                     positions=pos, order_shift=shift, early_stop=False)
        for b, ws in enumerate(games):
            core, alive, spawned, cov, score = _ref_battle(ws, pos[b].tolist(), N, cycles, P,
                                                           int(shift[b]))
            assert res.core[:, b].T.tolist() == core, (W, P, b)
            assert res.alive[b].tolist() == alive
            assert res.spawned[b].tolist() == spawned
            assert res.coverage[b].tolist() == cov
            assert np.allclose(res.score[b], score)
