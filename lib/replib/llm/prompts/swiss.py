"""Prompts for llm-swiss-round's LLM half: procedural multiple-choice benchmarks in rounds.

LLM Swiss Round (arXiv 2512.21010) aggregates published benchmark scores of many LLMs
over K ordered rounds, "foundational → advanced". Its score table is not released, so
the chapter's ``full`` profile builds its own: every contestant model answers small
procedurally generated multiple-choice datasets (written here, fresh), grouped into
rounds of rising difficulty; accuracy per dataset is one column of the score matrix X.

Each dataset is a function ``rng -> (question, options, answer_index)`` with four options;
``format_item`` renders the prompt whose continuation is one of ``LETTERS``, scored by
``Backend.choose``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["LETTERS", "DATASETS", "ROUNDS", "format_item", "make_items"]

LETTERS = (" A", " B", " C", " D")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _mc(rng: np.random.Generator, answer, distractors) -> tuple[list[str], int]:
    opts = [str(answer)]
    for d in distractors:
        if str(d) not in opts and len(opts) < 4:
            opts.append(str(d))
    k = 1
    while len(opts) < 4:  # pad when distractors collide
        num = str(answer).lstrip("-").isdigit()
        cand = str(int(answer) + 10 * k + 1) if num else f"none of these ({k})"
        if cand not in opts:
            opts.append(cand)
        k += 1
    perm = rng.permutation(4)
    return [opts[i] for i in perm], int(np.argmax(perm == 0))


def _near(rng, x: int, n: int = 6) -> list[int]:
    return [x + int(d) for d in rng.choice([-10, -2, -1, 1, 2, 10, 3, -3], n, replace=False)]


def _add(digits: int) -> Callable:
    def make(rng):
        lo, hi = 10 ** (digits - 1), 10**digits
        a, b = rng.integers(lo, hi, 2)
        opts, i = _mc(rng, a + b, _near(rng, int(a + b)))
        return f"What is {a} + {b}?", opts, i
    return make


def _mul(rng):
    a, b = rng.integers(12, 99, 2)
    opts, i = _mc(rng, a * b, _near(rng, int(a * b)))
    return f"What is {a} × {b}?", opts, i


def _compare(rng):
    a, b = rng.choice(1000, 2, replace=False)
    opts, i = _mc(rng, max(a, b), [min(a, b), a + b, abs(int(a) - int(b))])
    return f"Which number is larger: {a} or {b}?", opts, i


def _next_letter(rng):
    c = int(rng.integers(0, 24))
    ans = chr(ord("a") + c + 1)
    opts, i = _mc(rng, ans, [chr(ord("a") + c), chr(ord("a") + c + 2),
                             chr(ord("a") + (c + 5) % 26)])
    return f"Which letter comes right after '{chr(ord('a') + c)}' in the alphabet?", opts, i


def _count_letter(rng):
    word = "".join(rng.choice(list("abcab"), int(rng.integers(6, 11))))
    n = word.count("a")
    opts, i = _mc(rng, n, [n + 1, max(n - 1, 0), n + 2, n + 3])
    return f"How many times does the letter 'a' occur in '{word}'?", opts, i


def _sort3(rng):
    xs = rng.choice(100, 3, replace=False)
    s = sorted(int(x) for x in xs)
    ans = ", ".join(map(str, s))
    wrong = [", ".join(map(str, p)) for p in ([s[1], s[0], s[2]], [s[2], s[1], s[0]],
                                              [s[0], s[2], s[1]])]
    opts, i = _mc(rng, ans, wrong)
    return f"Sort {', '.join(map(str, xs))} in increasing order.", opts, i


def _parity(rng):
    x = int(rng.integers(100, 10_000))
    opts, i = _mc(rng, "even" if x % 2 == 0 else "odd",
                  ["odd" if x % 2 == 0 else "even", "prime", "negative"])
    return f"Is {x} even or odd?", opts, i


def _mod(rng):
    a, m = int(rng.integers(50, 500)), int(rng.integers(3, 13))
    ans = a % m
    opts, i = _mc(rng, ans, [(ans + 1) % m, (ans + 2) % m, (ans + m - 1) % m, ans + m])
    return f"What is {a} mod {m}?", opts, i


def _weekday(rng):
    d, k = int(rng.integers(0, 7)), int(rng.integers(10, 100))
    ans = _DAYS[(d + k) % 7]
    opts, i = _mc(rng, ans, [_DAYS[(d + k + j) % 7] for j in (1, 2, 6)])
    return f"Today is {_DAYS[d]}. What day of the week is it in {k} days?", opts, i


def _multi_step(rng):
    a, b, c = (int(x) for x in rng.integers(3, 30, 3))
    ans = a * b - c
    opts, i = _mc(rng, ans, [a * (b - c), a * b + c, ans + 10])
    return f"Compute {a} × {b} − {c}.", opts, i


def _boolean(rng):
    v = [bool(x) for x in rng.integers(0, 2, 3)]
    ops = [str(o) for o in rng.choice(["and", "or"], 2)]
    expr = f"({v[0]} {ops[0]} not {v[1]}) {ops[1]} {v[2]}"
    ans = eval(expr)  # noqa: S307 - a fixed grammar of True/False/and/or/not
    opts, i = _mc(rng, ans, [not ans, "undefined", "both"])
    return f"In Python, what does {expr} evaluate to?", opts, i


def _base(rng):
    x = int(rng.integers(9, 64))
    ans = format(x, "b")
    opts, i = _mc(rng, ans, [format(x + 1, "b"), format(x - 1, "b"), format(x ^ 2, "b")])
    return f"What is {x} written in binary?", opts, i


DATASETS: dict[str, Callable] = {
    "compare": _compare, "next_letter": _next_letter, "add_1digit": _add(1),
    "add_2digit": _add(2), "count_letter": _count_letter, "parity": _parity,
    "sort3": _sort3, "add_3digit": _add(3), "mod": _mod,
    "mul_2digit": _mul, "weekday": _weekday, "multi_step": _multi_step,
    "boolean": _boolean, "binary": _base,
}
# rounds of datasets, foundational -> advanced (names index DATASETS)
ROUNDS: tuple[tuple[str, ...], ...] = (
    ("compare", "next_letter", "add_1digit"), ("add_2digit", "count_letter", "parity"),
    ("sort3", "add_3digit", "mod"), ("mul_2digit", "weekday"),
    ("multi_step", "boolean", "binary"),
)


def format_item(question: str, options: list[str]) -> str:
    """The prompt; the model's next token should be one of ``LETTERS``."""
    lines = [f"{L.strip()}) {o}" for L, o in zip(LETTERS, options)]
    return ("Answer the multiple-choice question with the letter of the correct option.\n\n"
            f"Question: {question}\n" + "\n".join(lines) + "\nAnswer:")


def make_items(name: str, n_items: int, *, rng: np.random.Generator) -> list[tuple]:
    """``n_items`` items (prompt, answer_index) of dataset ``name``."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose from {sorted(DATASETS)}")
    out = []
    for _ in range(n_items):
        q, opts, i = DATASETS[name](rng)
        out.append((format_item(q, opts), i))
    return out
