"""Chained modular arithmetic with direct and "think" answer formats, and corruptions.

The procedural reasoning task of the thinking-sparks chapter's small-scale analogue (Park et
al. 2025, "Thinking Sparks!", studied on competition math; here a known-answer stand-in):
a problem is ``a_1 ∘ a_2 ∘ … ∘ a_k`` with digits a_i ∈ 0..9, operators ∘ ∈ {+, −}, evaluated
left to right modulo ``modulus`` (10). Two answer formats:

* direct:  ``BOS [mode] a1 ∘ a2 … ak = r EOS``
* think:   ``BOS [mode] a1 ∘ a2 … ak <t> s2 … s_{k-1} </t> = r EOS`` where s_j is the running
  result after j operands (a scratchpad of the partial results).

An optional mode token (``<think>`` or ``<nothink>``) after BOS selects the format in a hybrid
model. ``corrupt`` resamples the operand digits and keeps the operators (the clean/corrupted
pair of EAP-IG). Token ids: digits 0–9 are 0–9. Everything is a torch tensor and
deterministic given the ``torch.Generator``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["VOCAB", "TOK", "FORMATS", "Chains", "sample_chains", "corrupt", "encode",
           "prompt_len", "completion_len", "parse_answer"]

VOCAB: tuple[str, ...] = tuple(str(d) for d in range(10)) + (
    "+", "-", "=", "<t>", "</t>", "<bos>", "<eos>", "<pad>", "<think>", "<nothink>")
TOK = {s: i for i, s in enumerate(VOCAB)}
FORMATS = ("direct", "think")


@dataclass(frozen=True)
class Chains:
    """A batch of problems with ``k`` operands each."""

    operands: torch.Tensor  # (n, k) int64 digits
    ops: torch.Tensor  # (n, k-1) int64: 0 = +, 1 = -
    modulus: int = 10

    @property
    def k(self) -> int:
        return self.operands.shape[1]

    def partials(self) -> torch.Tensor:
        """Running results after 1..k operands, ``(n, k)``; the last column is the answer."""
        out = [self.operands[:, 0] % self.modulus]
        for j in range(1, self.k):
            sign = 1 - 2 * self.ops[:, j - 1]
            out.append((out[-1] + sign * self.operands[:, j]) % self.modulus)
        return torch.stack(out, dim=1)

    @property
    def answers(self) -> torch.Tensor:
        return self.partials()[:, -1]


def sample_chains(n: int, *, k: int, generator: torch.Generator | None = None,
                  modulus: int = 10) -> Chains:
    """``n`` random problems with ``k`` operands (k ≥ 1)."""
    if k < 1:
        raise ValueError(f"k={k} is not allowed: expected an integer >= 1")
    if not 2 <= modulus <= 10:
        raise ValueError(f"modulus={modulus} is not allowed: expected 2..10 (digit tokens)")
    a = torch.randint(0, modulus, (n, k), generator=generator)
    o = torch.randint(0, 2, (n, max(k - 1, 0)), generator=generator)
    return Chains(a, o, modulus)


def corrupt(chains: Chains, *, generator: torch.Generator | None = None) -> Chains:
    """The same operators with freshly drawn operand digits (EAP-IG's corrupted input)."""
    a = torch.randint(0, chains.modulus, chains.operands.shape, generator=generator)
    return Chains(a, chains.ops.clone(), chains.modulus)


def prompt_len(k: int, *, mode: bool = False) -> int:
    """Tokens before the answer: BOS, [mode], k operands and k−1 operators."""
    return 1 + int(mode) + 2 * k - 1


def completion_len(k: int, fmt: str) -> int:
    """Answer tokens: ``= r EOS`` (direct) or ``<t> s2..s_{k-1} </t> = r EOS`` (think)."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt={fmt!r} is not allowed: expected one of {list(FORMATS)}")
    return 3 if fmt == "direct" else 3 + 2 + max(k - 2, 0)


def encode(chains: Chains, *, fmt: str, mode_token: bool = False
           ) -> tuple[torch.Tensor, torch.Tensor]:
    """``(prompts (n, P), completions (n, C))`` token ids of one format.

    ``mode_token=True`` inserts ``<think>``/``<nothink>`` after BOS (by ``fmt``).
    """
    completion_len(chains.k, fmt)
    n, k = chains.operands.shape
    cols = [torch.full((n,), TOK["<bos>"])]
    if mode_token:
        cols.append(torch.full((n,), TOK["<think>" if fmt == "think" else "<nothink>"]))
    for j in range(k):
        if j:
            cols.append(torch.where(chains.ops[:, j - 1] == 0, TOK["+"], TOK["-"]))
        cols.append(chains.operands[:, j])
    prompts = torch.stack(cols, dim=1)
    part = chains.partials()
    comp = []
    if fmt == "think":
        comp.append(torch.full((n,), TOK["<t>"]))
        comp += [part[:, j] for j in range(1, k - 1)]
        comp.append(torch.full((n,), TOK["</t>"]))
    comp += [torch.full((n,), TOK["="]), part[:, -1], torch.full((n,), TOK["<eos>"])]
    return prompts, torch.stack(comp, dim=1)


def parse_answer(completions: torch.Tensor) -> torch.Tensor:
    """The digit after the first ``=`` of each completion, or −1 when there is none."""
    c = completions
    is_eq = c[:, :-1] == TOK["="]
    has = is_eq.any(dim=1)
    first = is_eq.float().argmax(dim=1)
    nxt = c.gather(1, (first + 1)[:, None]).squeeze(1)
    ok = has & (nxt <= 9)
    return torch.where(ok, nxt, torch.full_like(nxt, -1))
