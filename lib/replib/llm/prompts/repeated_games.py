"""Prompt templates for LLM agents in finitely repeated 2x2 games (Akata et al. 2023/2025).

Written for this book from the paper's description of its protocol (Methods): the agent is
told it plays a game repeatedly with another player for a known number of rounds, reads the
four outcomes of the payoff table in its own terms, sees every past round ("In round i, you
chose Option a and the other player chose Option b. Thus, you won p points and the other
player won q points."), and answers "Option _" with one token at temperature 0. Actions carry
neutral letters (J and F by default); the order in which the two options are named in the
question can be shuffled per round. Social chain-of-thought (SCoT) adds a first question
that asks for a prediction of the other player's choice, and then asks for the best choice
given that prediction. Cover stories ("game", "project", "cooking competition") and outcome
units ("points", "dollars", "coins", ...) are the paper's robustness variations.

Strings and format functions only; the loop that uses them is ``games.llm_match``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["COVERS", "rules_text", "history_line", "question", "predict_question",
           "scot_question", "round_prompt", "option_tokens"]

COVERS = {
    "game": ("You are playing a game repeatedly with another player.",
             "In this game, you can choose between Option {a} and Option {b}."),
    "project": ("You are working on a series of joint projects with a colleague.",
                "In each project, you can choose between Option {a} and Option {b}."),
    "cooking competition": (
        "You are taking part in a cooking competition together with another contestant, "
        "over several rounds.",
        "In each round, you can choose between Option {a} and Option {b}."),
}


def _check_labels(labels: Sequence[str]) -> tuple[str, str]:
    if len(labels) != 2 or labels[0] == labels[1] or not all(labels):
        raise ValueError(f"labels must be two different non-empty strings, got {labels!r}")
    return str(labels[0]), str(labels[1])


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def rules_text(own_payoff, other_payoff, *, n_rounds: int, labels=("J", "F"),
               cover: str = "game", unit: str = "points",
               mistakes_note: bool = False) -> str:
    """Game description from one player's view.

    own_payoff, other_payoff: (2, 2) arrays indexed [own action, other action] (action 0 is
    ``labels[0]``). ``mistakes_note`` adds the paper's variation that the other player may
    make mistakes.
    """
    if cover not in COVERS:
        raise ValueError(f"cover {cover!r} is not allowed: expected one of {sorted(COVERS)}")
    a, b = _check_labels(labels)
    own = np.asarray(own_payoff, dtype=float)
    oth = np.asarray(other_payoff, dtype=float)
    if own.shape != (2, 2) or oth.shape != (2, 2):
        raise ValueError("own_payoff and other_payoff must be 2x2")
    intro, choice = COVERS[cover]
    lines = [f"{intro} {choice.format(a=a, b=b)} You will play {n_rounds} rounds in total "
             "with the same player. The rules of the game are as follows:"]
    for i, x in enumerate((a, b)):
        for j, y in enumerate((a, b)):
            lines.append(f"If you choose Option {x} and the other player chooses Option {y}, "
                         f"then you win {_fmt(own[i, j])} {unit} and the other player wins "
                         f"{_fmt(oth[i, j])} {unit}.")
    if mistakes_note:
        lines.append("Be aware that the other player can make mistakes sometimes.")
    return "\n".join(lines) + "\n\n"


def history_line(t: int, own: int, other: int, p_own: float, p_other: float, *,
                 labels=("J", "F"), unit: str = "points") -> str:
    """One past round (``t`` is 1-based) from the player's own view."""
    a = _check_labels(labels)
    return (f"In round {t}, you chose Option {a[own]} and the other player chose Option "
            f"{a[other]}. Thus, you won {_fmt(p_own)} {unit} and the other player won "
            f"{_fmt(p_other)} {unit}.\n")


def _order(labels, order: Sequence[int]) -> tuple[str, str]:
    a = _check_labels(labels)
    if sorted(order) != [0, 1]:
        raise ValueError(f"order must be a permutation of (0, 1), got {order!r}")
    return a[order[0]], a[order[1]]


def question(t: int, *, labels=("J", "F"), order=(0, 1)) -> str:
    x, y = _order(labels, order)
    return (f"You are currently playing round {t}.\n"
            f"Q: Which Option do you choose, Option {x} or Option {y}?\nA: Option")


def predict_question(t: int, *, labels=("J", "F"), order=(0, 1)) -> str:
    x, y = _order(labels, order)
    return (f"You are currently playing round {t}.\n"
            f"Q: Which Option do you predict the other player will choose, Option {x} or "
            f"Option {y}?\nA: Option")


def scot_question(t: int, predicted: str, *, labels=("J", "F"), order=(0, 1)) -> str:
    x, y = _order(labels, order)
    return (f"You are currently playing round {t}.\n"
            f"Q: Given that you think the other player will choose Option {predicted} in "
            f"round {t}, which Option do you think is the best to choose for you in this "
            f"round, Option {x} or Option {y}?\nA: Option")


def round_prompt(rules: str, history: Sequence[str], tail: str) -> str:
    """Rules + past rounds + the current question."""
    return rules + "".join(history) + tail


def option_tokens(labels=("J", "F")) -> list[str]:
    """Continuations scored by ``Backend.choose`` after "A: Option" (leading space)."""
    a, b = _check_labels(labels)
    return [f" {a}", f" {b}"]
