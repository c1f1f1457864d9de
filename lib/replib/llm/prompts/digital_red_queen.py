"""Prompts of the Digital Red Queen LLM mutation operator (Kumar et al. 2026, arXiv 2601.03335).

Written here from the paper's description (not copied from its repository): a system prompt
that states the Redcode (ICWS'94) language and the battle rules, a *new warrior* request
and a *mutate this warrior* request; plus ``extract_redcode``, which strips Markdown fences
and prose so the reply can be assembled (an unassemblable reply is counted by the caller).
Strings and format functions only.
"""

from __future__ import annotations

import re

__all__ = ["system_prompt", "new_prompt", "mutate_prompt", "extract_redcode", "LLMOperator"]


def system_prompt(*, core_size: int, cycles: int, max_len: int, max_procs: int) -> str:
    return (
        "You write Core War warriors in Redcode (ICWS'94 standard).\n"
        f"Battle: a circular core of {core_size} cells, all addresses relative and modulo "
        f"{core_size}; up to {cycles} cycles; each warrior may run at most {max_procs} "
        f"processes and have at most {max_len} instructions. A warrior loses when all of "
        "its processes have died; a process dies when it executes DAT or divides by zero.\n"
        "Instruction format: OPCODE.MODIFIER A-operand, B-operand.\n"
        "Opcodes: DAT MOV ADD SUB MUL DIV MOD JMP JMZ JMN DJN SEQ SNE SLT SPL NOP.\n"
        "Modifiers: .A .B .AB .BA .F .X .I. Modes: # immediate, $ direct, * and @ indirect "
        "through the A- or B-field, { and < pre-decrement, } and > post-increment.\n"
        "Strategies include bombers (copy DAT bombs through the core), scanners (look for "
        "enemy code before bombing), replicators (copy themselves and SPL to the copy), "
        "imps (MOV.I $0, $1) and core clears.\n"
        "Reply with the program only, inside one ```redcode block. Put labels on the same "
        "line as their instruction; use ORG to name the first instruction to run.")


def new_prompt() -> str:
    return ("Create a new, valid Redcode warrior that is likely to survive and to defeat "
            "many different opponents. Use only the instructions described above.")


def mutate_prompt(source: str) -> str:
    return ("Here is a Redcode warrior:\n```redcode\n" + source.strip() + "\n```\n"
            "Mutate it into a variant that is likely to win more battles against a range "
            "of opponents: change constants, instructions or strategy as you see fit. "
            "Reply with the complete new program.")


def extract_redcode(reply: str) -> str:
    """The code block of a reply (or the whole reply without fences)."""
    m = re.search(r"```[a-zA-Z]*\n(.*?)```", reply, re.S)
    return (m.group(1) if m else reply.replace("```", "")).strip() + "\n"


class LLMOperator:
    """Variation operator backed by ``replib.llm.backend.Backend`` (same API as genetic)."""

    name = "llm"

    def __init__(self, *, backend, core_size: int, cycles: int, max_len: int,
                 max_procs: int, temperature: float = 1.0, max_tokens: int = 600,
                 seed: int = 0):
        self.backend, self.temperature, self.max_tokens = backend, temperature, max_tokens
        self.system = system_prompt(core_size=core_size, cycles=cycles, max_len=max_len,
                                    max_procs=max_procs)
        self.seed, self.calls = seed, 0

    def _ask(self, text: str) -> str:
        self.calls += 1
        msgs = [{"role": "system", "content": self.system}, {"role": "user", "content": text}]
        return extract_redcode(self.backend.generate(
            msgs, max_tokens=self.max_tokens, temperature=self.temperature,
            seed=self.seed * 1_000_003 + self.calls))

    def new(self) -> str:
        return self._ask(new_prompt())

    def mutate(self, source: str) -> str:
        return self._ask(mutate_prompt(source))
