"""Batched ICWS'94 MARS in numpy, with the Digital Red Queen fitness rule.

Kumar et al. 2026 (arXiv 2601.03335), "Digital Red Queen": warriors are scored in a
multi-warrior Core War battle. Semantics follow the ICWS'94 draft's reference
interpreter: each warrior owns a FIFO process queue (at most ``max_procs``); one *cycle*
executes one instruction of every live warrior in turn. Per step: pop PC, copy the
instruction register IR, evaluate the A operand (pre-decrement before use, post-increment
after the operand's instruction AIR is copied), then the B operand (BIR), execute, enqueue
the next PC(s). SPL enqueues PC+1 then its target; DAT, and DIV/MOD by zero, kill the
process. Read/write limits equal the core size.

Batching (this chapter's design, not the paper's): ``B`` independent battles with the same
number of warriors ``W`` run in lockstep; core fields are ``(B, N)`` arrays, queues
``(B, W, max_procs)`` ring buffers. A battle stops when the focal warrior 0 is dead (its
score can no longer change; ``early_stop``), when every warrior is dead, or at ``cycles``.
A lone survivor plays on, as in the official ``run_single_round``: it can still kill itself
(a self-wiping core clear, a fall-through into its own ``DAT``), and then it stops scoring.

Fitness (official ``corewar_util.py``): with ``a_i(t)`` = 1 while warrior ``i`` has
processes and ``n(t) = sum_i a_i(t)``, ``score_i = W * sum_t a_i(t) / (n(t) * cycles)``,
so an equal share is 1.0. The sum is kept exactly, in integer units of ``1 / lcm(1..W)`` of
a cycle, and divided once at the end, so a tie is exactly 1.0 whatever ``cycles`` is (a float
running sum drifts to 1 +- 1e-14, which flips ``>= 1`` tests of "defeated or tied"). Also
returned: ``spawned`` (successful SPL second enqueues, the paper's total spawned processes)
and ``coverage`` (distinct addresses ever enqueued).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from replib.envs.corewar.redcode import Warrior

__all__ = ["BattleResult", "battle", "place_warriors", "fight"]

DAT, MOV, ADD, SUB, MUL, DIV, MOD, JMP, JMZ, JMN, DJN, SEQ, SNE, SLT, SPL, NOP = range(16)
M_A, M_B, M_AB, M_BA, M_F, M_X, M_I = range(7)
IMM, DIR, AIND, BIND, APRE, BPRE, APOST, BPOST = range(8)


@dataclass(frozen=True)
class BattleResult:
    """Per-battle outcome, arrays of shape ``(B, W)`` (``cycles_run``: ``(B,)``)."""

    score: np.ndarray      # fitness share, equal share = 1.0
    alive: np.ndarray      # bool, still has processes when the battle stopped
    spawned: np.ndarray    # total spawned processes
    coverage: np.ndarray   # distinct addresses executed
    cycles_run: np.ndarray
    core: np.ndarray | None = None  # final core (6, B, N): op, mod, amode, a, bmode, b
    frames: list | None = None  # owner maps (B, N) at the requested cycles


def place_warriors(lengths: Sequence[int], *, core_size: int, min_dist: int,
                   rng: np.random.Generator) -> np.ndarray:
    """Load addresses: warrior 0 at 0, the others random with pairwise gap >= min_dist."""
    w = len(lengths)
    sep = max(min_dist, max(lengths))
    if w * sep > core_size:
        raise ValueError(f"core_size={core_size} cannot hold {w} warriors {sep} apart")
    for _ in range(1000):
        pos = np.concatenate([[0], rng.integers(sep, core_size - sep + 1, size=w - 1)])
        d = np.abs(pos[:, None] - pos[None, :])
        d = np.minimum(d, core_size - d) + np.eye(w, dtype=int) * core_size
        if (d >= sep).all():
            return pos
    return (np.arange(w) * (core_size // w) + rng.integers(0, core_size // w - sep + 1)
            * (np.arange(w) > 0))


def battle(warriors: Sequence[Sequence[Warrior]], *, core_size: int, cycles: int,
           max_procs: int, min_dist: int, rng: np.random.Generator | None = None,
           positions: np.ndarray | None = None, order_shift: Sequence[int] | None = None,
           early_stop: bool = True, frame_cycles: Sequence[int] | None = None) -> BattleResult:
    """Run ``B`` battles of ``W`` warriors each, all in one batch.

    Args:
        warriors: ``B`` lists of ``W`` assembled warriors (warrior 0 is the focal one).
        positions: optional ``(B, W)`` load addresses (else :func:`place_warriors`).
        order_shift: per battle, the warrior that moves first (pMARS rotates it per round).
        early_stop: stop a battle once warrior 0 is dead (exact for its score, TSP and MC);
            otherwise every battle runs until all warriors are dead or ``cycles``.
        frame_cycles: cycles at which to snapshot the core's last-writer map (widgets).
    """
    n_b, n_w, N, P = len(warriors), len(warriors[0]), int(core_size), int(max_procs)
    if any(len(ws) != n_w for ws in warriors):
        raise ValueError("every battle needs the same number of warriors")
    if rng is None and positions is None:
        raise ValueError("give rng= or positions=")
    core = np.zeros((6, n_b, N), dtype=np.int64)  # op, mod, amode, a, bmode, b; DAT.F $0,$0
    core[1] = M_F
    core[2] = core[4] = DIR
    owner = np.full((n_b, N), -1, dtype=np.int8)
    q = np.zeros((n_b, n_w, P), dtype=np.int64)
    head = np.zeros((n_b, n_w), dtype=np.int64)
    cnt = np.ones((n_b, n_w), dtype=np.int64)
    seen = np.zeros((n_b, n_w, N), dtype=bool)
    spawned = np.zeros((n_b, n_w), dtype=np.int64)
    for b, ws in enumerate(warriors):
        pos = positions[b] if positions is not None else place_warriors(
            [len(w) for w in ws], core_size=N, min_dist=min_dist, rng=rng)
        for i, w in enumerate(ws):
            addr = (int(pos[i]) + np.arange(len(w))) % N
            code = w.code.copy()
            code[:, [3, 5]] %= N
            core[:, b, addr] = code.T
            owner[b, addr] = i
            q[b, i, 0] = (int(pos[i]) + w.start) % N
            seen[b, i, q[b, i, 0]] = True
    shift = np.zeros(n_b, dtype=np.int64) if order_shift is None else np.asarray(order_shift)
    order = (shift[:, None] + np.arange(n_w)[None, :]) % n_w
    unit = math.lcm(*range(1, n_w + 1))          # a_i / n(t) in exact integer units
    share = np.zeros((n_b, n_w), dtype=np.int64)
    per_n = unit // np.maximum(np.arange(n_w + 1), 1)
    running = np.ones(n_b, dtype=bool)
    cycles_run = np.full(n_b, cycles, dtype=np.int64)
    frames, want = [], set(frame_cycles or [])
    ar = np.arange(n_b)

    def push(r, w, v):
        tail = (head[r, w] + cnt[r, w]) % P
        q[r, w, tail] = v
        cnt[r, w] += 1
        seen[r, w, v] = True

    for t in range(cycles):
        if t in want:
            frames.append(owner.copy())
        for k in range(n_w):
            wk = order[:, k]
            act = running & (cnt[ar, wk] > 0)
            if not act.any():
                continue
            r = ar[act]
            w = wk[act]
            _step(core, owner, q, head, cnt, r, w, N, P, push, spawned)
        alive = cnt > 0
        n_alive = alive.sum(1)
        live = running & (n_alive > 0)
        share[live] += alive[live] * per_n[n_alive[live], None]  # a_i / n(t), exact
        # no shortcut for a lone survivor: it may still die before ``cycles``
        stop = running & (~alive[:, 0] if early_stop else (n_alive == 0))
        cycles_run[stop] = t + 1
        running &= ~stop
        if not running.any():
            break
    score = share * n_w / (unit * cycles)       # one division: a tie is exactly 1.0
    return BattleResult(score=score, alive=cnt > 0, spawned=spawned,
                        coverage=seen.sum(-1), cycles_run=cycles_run, core=core,
                        frames=frames if frame_cycles is not None else None)


def _operand(core, r, pc, mode, num, N):
    """ICWS'94 operand evaluation for rows ``r``; returns (pointer, post-inc (addr, field))."""
    ptr = np.where(mode == IMM, 0, num)
    ind = mode >= AIND
    afield = (mode == AIND) | (mode == APRE) | (mode == APOST)
    at = (pc + num) % N
    pre = (mode == APRE) | (mode == BPRE)
    if pre.any():
        fa, fb = pre & afield, pre & ~afield
        core[3, r[fa], at[fa]] = (core[3, r[fa], at[fa]] - 1) % N
        core[5, r[fb], at[fb]] = (core[5, r[fb], at[fb]] - 1) % N
    if ind.any():
        val = np.where(afield, core[3, r, at], core[5, r, at])
        ptr = np.where(ind, num + val, ptr)
    post = (mode == APOST) | (mode == BPOST)
    return ptr % N, (post, at, afield)


def _postinc(core, r, post, N):
    m, at, afield = post
    if m.any():
        fa, fb = m & afield, m & ~afield
        core[3, r[fa], at[fa]] = (core[3, r[fa], at[fa]] + 1) % N
        core[5, r[fb], at[fb]] = (core[5, r[fb], at[fb]] + 1) % N


def _step(core, owner, q, head, cnt, r, w, N, P, push, spawned):
    pc = q[r, w, head[r, w]]
    head[r, w] = (head[r, w] + 1) % P
    cnt[r, w] -= 1
    op, md, am, an, bm, bn = core[:, r, pc]
    rpa, post_a = _operand(core, r, pc, am, an, N)
    air = core[:, r, (pc + rpa) % N]             # AIR, copied before A's post-increment
    _postinc(core, r, post_a, N)
    rpb, post_b = _operand(core, r, pc, bm, bn, N)
    tb = (pc + rpb) % N
    bir = core[:, r, tb]
    _postinc(core, r, post_b, N)
    wa = (md == M_A) | (md == M_BA) | (md >= M_F)          # fields used by the modifier
    wb = (md == M_B) | (md == M_AB) | (md >= M_F)
    sa = np.where((md == M_A) | (md == M_F) | (md == M_I), air[3], air[5])
    sb = np.where((md == M_B) | (md == M_F) | (md == M_I), air[5], air[3])
    ba, bb = bir[3], bir[5]
    nxt = (pc + 1) % N
    go = np.ones(len(r), dtype=bool)             # process survives
    jump = np.zeros(len(r), dtype=bool)          # next PC = pc + rpa
    skip = np.zeros(len(r), dtype=bool)          # next PC = pc + 2
    go &= op != DAT
    # MOV / arithmetic: new field values for the target instruction (B-value op A-value)
    arith = (op >= MOV) & (op <= MOD)
    if arith.any():
        na, nb = ba.copy(), bb.copy()
        for code, f in ((MOV, None), (ADD, np.add), (SUB, np.subtract), (MUL, np.multiply)):
            m = op == code
            if m.any():
                na[m] = sa[m] if f is None else f(ba[m], sa[m]) % N
                nb[m] = sb[m] if f is None else f(bb[m], sb[m]) % N
        # DIV/MOD (ICWS'94 5.4 ARITH_DIV): a field whose divisor is zero is not written at all
        # (writing back the B-instruction copy would undo a post-increment of that field),
        # and the process dies; the other field of .F/.X/.I is still divided.
        za = ((op == DIV) | (op == MOD)) & wa & (sa == 0)
        zb = ((op == DIV) | (op == MOD)) & wb & (sb == 0)
        for code in (DIV, MOD):
            m = op == code
            if m.any():
                da, db = np.where(sa == 0, 1, sa), np.where(sb == 0, 1, sb)
                qa, qb = (ba // da, bb // db) if code == DIV else (ba % da, bb % db)
                na[m], nb[m] = qa[m], qb[m]
        go &= ~(za | zb)                         # division by zero kills the process
        full = arith & (op == MOV) & (md == M_I)
        ma, mb = arith & wa & ~za, arith & wb & ~zb
        core[3, r[ma], tb[ma]] = na[ma]          # only the fields the modifier names
        core[5, r[mb], tb[mb]] = nb[mb]
        if full.any():
            core[:, r[full], tb[full]] = air[:, full]
        owner[r[arith], tb[arith]] = w[arith]
    if ((op >= JMZ) & (op <= DJN)).any():
        m = op == DJN
        if m.any():
            core[3, r[m & wa], tb[m & wa]] = (core[3, r[m & wa], tb[m & wa]] - 1) % N
            core[5, r[m & wb], tb[m & wb]] = (core[5, r[m & wb], tb[m & wb]] - 1) % N
            ba = np.where(m, (ba - 1) % N, ba)
            bb = np.where(m, (bb - 1) % N, bb)
        zero = (~wa | (ba == 0)) & (~wb | (bb == 0))
        jump |= ((op == JMZ) & zero) | (((op == JMN) | (op == DJN)) & ~zero)
    jump |= (op == JMP) | (op == SPL)
    if ((op >= SEQ) & (op <= SLT)).any():
        eq = (~wa | (sa == ba)) & (~wb | (sb == bb))
        eq &= (md != M_I) | ((air[0] == bir[0]) & (air[1] == bir[1]) & (air[2] == bir[2])
                             & (air[4] == bir[4]))
        lt = (~wa | (sa < ba)) & (~wb | (sb < bb))
        skip |= ((op == SEQ) & eq) | ((op == SNE) & ~eq) | ((op == SLT) & lt)
    target = np.where(jump & (op != SPL), (pc + rpa) % N, np.where(skip, (pc + 2) % N, nxt))
    g = go
    push(r[g], w[g], target[g])
    s = (op == SPL) & (cnt[r, w] < P)            # SPL: PC+1 first, then the target
    if s.any():
        push(r[s], w[s], ((pc + rpa) % N)[s])
        spawned[r[s], w[s]] += 1


def fight(warriors: Sequence[Warrior], *, core_size: int, cycles: int, max_procs: int,
          min_dist: int, n_rounds: int, rng: np.random.Generator) -> BattleResult:
    """One multi-warrior battle repeated over ``n_rounds`` placements (order rotates)."""
    return battle([list(warriors)] * n_rounds, core_size=core_size, cycles=cycles,
                  max_procs=max_procs, min_dist=min_dist, rng=rng,
                  order_shift=np.arange(n_rounds) % len(warriors))
