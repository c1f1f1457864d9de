"""Classic Core War archetypes (written fresh here) and the non-LLM variation operator.

Digital Red Queen (Kumar et al. 2026, arXiv 2601.03335) evolves warriors with an LLM as the
mutation operator and measures generality against held-out human warriors. This module
holds (a) short re-writes of textbook archetypes from their published descriptions (imp,
dwarf, a stone bomber, a replicator/paper, a CMP scanner, an SPL/DAT core clear, an imp
gate, an imp launcher, a forward copier) -- none copied from any warrior collection -- and
(b) ``GeneticOperator``, the chapter's clearly labelled non-LLM operator with the same
``new() -> str`` / ``mutate(str) -> str`` interface as the LLM operator: *new* samples a
template archetype with random constants, *mutate* makes one random Redcode edit.
"""

from __future__ import annotations

import numpy as np

from replib.envs.corewar.redcode import MODES, MODIFIERS, OPCODES, Warrior, assemble, disassemble

__all__ = ["CLASSICS", "classic", "classic_set", "GeneticOperator"]

CLASSICS: dict[str, str] = {
    "imp": "MOV.I $0, $1\n",
    "dwarf": "ADD.AB #4, $3\nMOV.I $2, @2\nJMP.B $-2, $0\nDAT.F #0, #0\n",
    "stone": ("ORG loop\nloop  MOV.I  bomb, @ptr\n      ADD.AB #8, ptr\n      JMP.B  loop\n"
              "ptr   DAT.F  #0, #4\nbomb  DAT.F  #0, #0\n"),
    "paper": ("ORG start\nptr   DAT.F  #0, #0\nstart MOV.AB #8, ptr\nloop  MOV.I  @ptr, <dest\n"
              "      DJN.B  loop, ptr\n      SPL.B  @dest\n      ADD.AB #293, dest\n"
              "      JMZ.B  start, ptr\ndest  DAT.F  #0, #457\n"),
    "scanner": ("ORG scan\nscan  ADD.F  step, ptr\nptr   SEQ.I  8, 18\n      JMP.B  hit\n"
                "      JMP.B  scan\nhit   MOV.I  bomb, @ptr\n      MOV.I  bomb, *ptr\n"
                "      JMP.B  scan\nstep  DAT.F  #20, #20\nbomb  DAT.F  #0, #0\n"),
    "clear": ("ORG loop\ngate  DAT.F  #0, #-4\nloop  SPL.B  #0, <gate\n      MOV.I  kill, >gate\n"
              "      DJN.F  loop, {gate\nkill  DAT.F  #0, #0\n"),
    "impgate": ("ORG loop\nloop  SPL.B  0\n      MOV.I  kill, <-3\n      JMP.B  -1\n"
                "kill  DAT.F  #0, #0\n"),
    "launcher": "ORG go\ngo    SPL.B  imp2\nimp1  MOV.I  $0, $1\nimp2  MOV.I  $0, $1\n",
    "sitter": "JMP.B $0, $0\n",
}


def classic(name: str, *, max_len: int | None = None) -> Warrior:
    """Assemble one archetype from :data:`CLASSICS` by name."""
    if name not in CLASSICS:
        raise ValueError(f"unknown warrior {name!r}; allowed: {', '.join(CLASSICS)}")
    return assemble(CLASSICS[name], max_len=max_len, name=name)


def classic_set(names: list[str]) -> list[Warrior]:
    return [classic(n) for n in names]


_TEMPLATES = {
    "imp": "MOV.I $0, $1\n",
    "bomber": "ADD.AB #{s}, $3\nMOV.I $2, @2\nJMP.B $-2, $0\nDAT.F #0, #{o}\n",
    "scanner": ("ADD.F $6, $1\nSEQ.I {o}, {o2}\nJMP.B $2\nJMP.B $-3\nMOV.I $3, @-3\n"
                "JMP.B $-5\nDAT.F #{s}, #{s}\n"),
    "replicator": ("SPL.B $1\nMOV.I }4, >5\nJMN.B $-1, $3\nSPL.B @4\nJMP.B $-4\n"
                   "DAT.F #0, #0\nDAT.F #0, #{o}\n"),
    "clear": "SPL.B #0, <-1\nMOV.I $2, >-2\nDJN.F $-2, {-3\nDAT.F #0, #0\n",
    "spl_imp": "SPL.B $2\nMOV.I $0, ${o}\nMOV.I $0, ${o}\n",
}


class GeneticOperator:
    """Non-LLM variation operator: random archetype instances and one-edit mutations."""

    name = "genetic"

    def __init__(self, *, core_size: int, max_len: int, rng: np.random.Generator):
        self.core_size, self.max_len, self.rng = int(core_size), int(max_len), rng

    def _num(self) -> int:
        r = self.rng
        return int(r.integers(-8, 9) if r.random() < 0.5 else r.integers(0, self.core_size))

    def new(self) -> str:
        r = self.rng
        kind = list(_TEMPLATES)[int(r.integers(len(_TEMPLATES)))]
        s = int(r.integers(2, max(3, self.core_size // 8)))
        o = int(r.integers(2, self.core_size // 2))
        text = _TEMPLATES[kind].replace("{o2}", str(o + s // 2))
        return f";name {kind}\n" + text.replace("{s}", str(s)).replace("{o}", str(o))

    def mutate(self, source: str) -> str:
        try:
            w = assemble(source, max_len=self.max_len)
        except ValueError:
            return self.new()
        code, start, r = w.code.copy(), w.start, self.rng
        n = len(code)
        i = int(r.integers(n))
        kind = int(r.integers(9))
        if kind == 0:
            code[i, 0] = r.integers(len(OPCODES))
        elif kind == 1:
            code[i, 1] = r.integers(len(MODIFIERS))
        elif kind == 2:
            code[i, int(r.choice([2, 4]))] = r.integers(len(MODES))
        elif kind == 3:
            code[i, int(r.choice([3, 5]))] += int(r.integers(-3, 4)) or 1
        elif kind == 4:
            code[i, int(r.choice([3, 5]))] = self._num()
        elif kind == 5 and n < self.max_len:
            code = np.insert(code, i, code[int(r.integers(n))], axis=0)
        elif kind == 6 and n > 1:
            code = np.delete(code, i, axis=0)
            start = min(start, n - 2)
        elif kind == 7 and n > 1:
            j = int(r.integers(n))
            code[[i, j]] = code[[j, i]]
        else:
            start = int(r.integers(len(code)))
        return disassemble(Warrior(name=w.name, code=code, start=start))
