"""Redcode (ICWS'94) parser and assembler for the Core War MARS.

Used by digital-red-queen (Kumar et al. 2026, arXiv 2601.03335), whose warriors are Redcode
programs. Implements the ICWS'94 draft's instruction set: opcodes DAT MOV ADD SUB MUL DIV MOD
JMP JMZ JMN DJN SEQ (= CMP) SNE SLT SPL NOP; modifiers .A .B .AB .BA .F .X .I with the
default modifiers of ICWS'94 section A.2 when omitted; addressing modes ``#`` immediate,
``$`` direct, ``*``/``@`` A-/B-indirect, ``{``/``<`` A-/B-predecrement, ``}``/``>``
A-/B-postincrement. The assembler handles labels (optionally ending in ``:``), ``EQU``,
``ORG``/``END start``, ``;name``/``;author`` comments and integer expressions
(``+ - * / %`` and parentheses) in fields; a label in a field means its address relative to
the current instruction. An assembled warrior is an ``(L, 6)`` integer array with columns
(opcode, modifier, A-mode, A-number, B-mode, B-number) plus a start offset.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import numpy as np

__all__ = ["OPCODES", "MODIFIERS", "MODES", "Warrior", "RedcodeError", "assemble",
           "default_modifier", "disassemble", "parse_or_none"]

OPCODES = ["DAT", "MOV", "ADD", "SUB", "MUL", "DIV", "MOD", "JMP", "JMZ", "JMN", "DJN",
           "SEQ", "SNE", "SLT", "SPL", "NOP"]
MODIFIERS = ["A", "B", "AB", "BA", "F", "X", "I"]
MODES = ["#", "$", "*", "@", "{", "<", "}", ">"]
_OPC = {name: i for i, name in enumerate(OPCODES)} | {"CMP": OPCODES.index("SEQ")}
_MOD = {name: i for i, name in enumerate(MODIFIERS)}
_MODE = {ch: i for i, ch in enumerate(MODES)}
_PSEUDO = {"EQU", "ORG", "END"}


class RedcodeError(ValueError):
    """A Redcode source that does not assemble (line number and reason in the message)."""


@dataclass(frozen=True)
class Warrior:
    """An assembled warrior: ``code`` is ``(L, 6)`` int64, ``start`` the ORG offset."""

    name: str
    code: np.ndarray = field(repr=False)
    start: int = 0
    source: str = field(default="", repr=False, compare=False)

    def __len__(self) -> int:
        return int(self.code.shape[0])


def default_modifier(op: str, amode: str, bmode: str) -> str:
    """ICWS'94 A.2: the modifier an instruction gets when none is written."""
    if op in ("DAT", "NOP"):
        return "F"
    if op in ("MOV", "SEQ", "SNE", "CMP"):
        return "AB" if amode == "#" else ("B" if bmode == "#" else "I")
    if op in ("ADD", "SUB", "MUL", "DIV", "MOD"):
        return "AB" if amode == "#" else ("B" if bmode == "#" else "F")
    if op == "SLT":
        return "AB" if amode == "#" else "B"
    return "B"  # JMP JMZ JMN DJN SPL


_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Add, ast.Sub,
            ast.Mult, ast.Div, ast.Mod, ast.USub, ast.UAdd, ast.FloorDiv)


def _eval_int(node) -> int:
    if isinstance(node, ast.Expression):
        return _eval_int(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return int(node.value)
    if isinstance(node, ast.UnaryOp):
        v = _eval_int(node.operand)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = _eval_int(node.left), _eval_int(node.right)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if b == 0:
            raise ZeroDivisionError("division by zero in an expression")
        q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)  # C-style truncation
        return q if isinstance(node.op, (ast.Div, ast.FloorDiv)) else a - q * b
    raise ValueError("not an integer expression")


def _expr(text: str, symbols: dict[str, int], labels: set[str], here: int,
          lineno: int) -> int:
    def sub(m):
        name = m.group(0)
        key = name.lower()
        if key in symbols:  # a label is relative to the instruction that uses it
            return f"({symbols[key] - here})" if key in labels else f"({symbols[key]})"
        raise RedcodeError(f"line {lineno}: unknown label {name!r}")

    body = re.sub(r"[A-Za-z_][A-Za-z0-9_]*", sub, text.strip())
    if not body:
        raise RedcodeError(f"line {lineno}: empty operand")
    try:
        tree = ast.parse(body.replace("/", "//"), mode="eval")
        if not all(isinstance(n, _ALLOWED) for n in ast.walk(tree)):
            raise ValueError
        return _eval_int(tree)
    except (SyntaxError, ValueError, ZeroDivisionError) as e:
        raise RedcodeError(f"line {lineno}: bad expression {text.strip()!r} ({e})") from None


def _operand(text: str):
    text = text.strip()
    if text and text[0] in _MODE:
        return text[0], text[1:]
    return "$", text


def assemble(source: str, *, max_len: int | None = None, name: str | None = None) -> Warrior:
    """Assemble Redcode text into a :class:`Warrior`; raises :class:`RedcodeError`."""
    wname, rows, equs, labels, org = name or "warrior", [], {}, {}, None
    pending: list[str] = []
    for lineno, raw in enumerate(source.splitlines(), 1):
        m = re.match(r"\s*;\s*name\s+(.*)", raw, re.I)
        if m and name is None:
            wname = m.group(1).strip() or wname
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        toks = line.replace(":", " ", 1).split(None, 1) if re.match(
            r"^[A-Za-z_]\w*:", line) else line.split(None, 1)
        while toks and toks[0].split(".")[0].upper() not in _OPC | dict.fromkeys(_PSEUDO):
            if not re.fullmatch(r"[A-Za-z_]\w*", toks[0]) or len(toks) == 1 and pending:
                raise RedcodeError(f"line {lineno}: unknown opcode {toks[0]!r}")
            pending.append(toks[0].lower())
            rest = toks[1] if len(toks) > 1 else ""
            toks = rest.split(None, 1) if rest else []
        if not toks:
            continue
        op_tok, args = toks[0], (toks[1] if len(toks) > 1 else "")
        head = op_tok.split(".")[0].upper()
        if head == "EQU":
            if not pending:
                raise RedcodeError(f"line {lineno}: EQU needs a label")
            for lab in pending:
                equs[lab] = (args, lineno)
            pending = []
            continue
        if head in ("ORG", "END"):
            if args.strip():
                org = (args, lineno, len(rows))
            if head == "END":
                break
            continue
        for lab in pending:
            if lab in labels:
                raise RedcodeError(f"line {lineno}: label {lab!r} defined twice")
            labels[lab] = len(rows)
        pending = []
        rows.append((op_tok, args, lineno))
    for lab in pending:
        labels[lab] = len(rows)
    if not rows:
        raise RedcodeError("no instructions")
    if max_len is not None and len(rows) > max_len:
        raise RedcodeError(f"{len(rows)} instructions, more than max_len={max_len}")
    symbols: dict[str, int] = dict(labels)
    lab_set = set(labels)
    for lab, (text, lineno) in equs.items():  # EQUs are constants, evaluated at address 0
        symbols[lab] = _expr(text, {k: v for k, v in symbols.items() if k != lab}, lab_set,
                             0, lineno)
    code = np.zeros((len(rows), 6), dtype=np.int64)
    for i, (op_tok, args, lineno) in enumerate(rows):
        parts = op_tok.split(".")
        op = parts[0].upper()
        if op not in _OPC or len(parts) > 2:
            raise RedcodeError(f"line {lineno}: unknown opcode {op_tok!r}")
        ops = [a for a in args.split(",")] if args.strip() else []
        if len(ops) > 2 or not ops and op != "NOP":
            raise RedcodeError(f"line {lineno}: {op} takes one or two operands")
        ops = ops or ["0"]
        if len(ops) == 1:
            ops = ["#0", ops[0]] if op == "DAT" else [ops[0], "$0"]
        (am, at), (bm, bt) = _operand(ops[0]), _operand(ops[1])
        op_name = "SEQ" if op == "CMP" else op
        mod = parts[1].upper() if len(parts) == 2 else default_modifier(op_name, am, bm)
        if mod not in _MOD:
            raise RedcodeError(f"line {lineno}: unknown modifier .{parts[1]}")
        code[i] = (_OPC[op], _MOD[mod], _MODE[am], _expr(at, symbols, lab_set, i, lineno),
                   _MODE[bm], _expr(bt, symbols, lab_set, i, lineno))
    start = 0
    if org is not None:
        start = _expr(org[0], symbols, lab_set, 0, org[1]) % len(rows)
    return Warrior(name=wname, code=code, start=int(start), source=source)


def parse_or_none(source: str, *, max_len: int | None = None) -> Warrior | None:
    """:func:`assemble`, but ``None`` for text that does not assemble (counted by callers)."""
    try:
        return assemble(source, max_len=max_len)
    except RedcodeError:
        return None


def disassemble(w: Warrior) -> str:
    """Redcode text (with ORG) that assembles back to the same code."""
    lines = [f";name {w.name}", f"ORG {w.start}"]
    for op, md, am, a, bm, b in w.code.tolist():
        lines.append(f"{OPCODES[op]}.{MODIFIERS[md]} {MODES[am]}{a}, {MODES[bm]}{b}")
    return "\n".join(lines) + "\n"
