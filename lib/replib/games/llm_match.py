"""The repeated-game loop of Akata et al. (2023/2025) with LLM players, on ``llm.backend``.

Round t = 1..n_rounds: each LLM player gets the rules from its own view, the full history
of past rounds and the question (``llm.prompts.repeated_games``); both choose at once; the
payoffs come from the bimatrix ``payoff[player, a0, a1]`` (``games.matrix``). An LLM player
answers by ``Backend.choose`` over " J"/" F" after "A: Option" (log-prob scoring, the
paper's one token at temperature 0); with ``scot=True`` it first answers the prediction
question and then the SCoT question that quotes its prediction (two calls per round).
Unparseable replies are re-asked once, then replaced by a random legal action and counted
(``llm.agents.ChoiceAgent``). The question's option order is shuffled per round with
``shuffle_order`` (the paper does this in the PD), from a generator seeded by ``seed``.
A classical player is any ``games.strategies.Strategy`` (run with one row).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from replib.games.matrix import MatrixGame
from replib.games.strategies import Strategy
from replib.llm.agents import ChoiceAgent
from replib.llm.prompts import repeated_games as RP

__all__ = ["LLMPlayer", "LLMMatch", "play_llm_match"]


@dataclass
class LLMPlayer:
    """An LLM seat: its ``ChoiceAgent`` and whether it uses social chain-of-thought."""

    agent: ChoiceAgent
    scot: bool = False
    name: str = "LLM"


@dataclass(frozen=True)
class LLMMatch:
    """One match. actions/payoffs: (n_rounds, 2); p_first: P(first option) per LLM seat
    (NaN for classical players or without log-probs); predicted: SCoT prediction of the
    other's action (-1 when none); unparseable: per seat."""

    actions: np.ndarray
    payoffs: np.ndarray
    p_first: np.ndarray
    predicted: np.ndarray
    unparseable: tuple[int, int]
    names: tuple[str, str]
    prompts: tuple[str, ...]


def _views(game: MatrixGame, seat: int) -> tuple[np.ndarray, np.ndarray]:
    """(own, other) payoff matrices indexed [own action, other action]."""
    p = game.payoff
    if seat == 0:
        return p[0], p[1]
    return p[1].T, p[0].T


def play_llm_match(game: MatrixGame, players, *, n_rounds: int = 10, labels=("J", "F"),
                   cover: str = "game", unit: str = "points", shuffle_order: bool = False,
                   mistakes_note: bool = False, seed: int = 0) -> LLMMatch:
    """Play one match; ``players`` is a pair of ``LLMPlayer`` or ``Strategy``."""
    if game.payoff.shape != (2, 2, 2):
        raise ValueError(f"game must be a 2x2 bimatrix game, got {game.payoff.shape}")
    if len(players) != 2:
        raise ValueError("players must be a pair (row player, column player)")
    for p in players:
        if not isinstance(p, (LLMPlayer, Strategy)):
            raise TypeError(f"a player must be an LLMPlayer or a Strategy, got {type(p)}")
    rng = np.random.default_rng(seed)
    rules = []
    for seat, p in enumerate(players):
        if isinstance(p, Strategy):
            p.reset(1)
            rules.append("")
        else:
            own, oth = _views(game, seat)
            rules.append(RP.rules_text(own, oth, n_rounds=n_rounds, labels=labels,
                                       cover=cover, unit=unit, mistakes_note=mistakes_note))
    history: list[list[str]] = [[], []]
    acts = np.zeros((n_rounds, 2), dtype=np.int64)
    pays = np.zeros((n_rounds, 2))
    pfirst = np.full((n_rounds, 2), np.nan)
    pred = np.full((n_rounds, 2), -1, dtype=np.int64)
    opts = RP.option_tokens(labels)
    shown = ["", ""]
    before = [p.agent.stats.unparseable if isinstance(p, LLMPlayer) else 0 for p in players]
    for t in range(1, n_rounds + 1):
        order = tuple(rng.permutation(2)) if shuffle_order else (0, 1)
        for seat, p in enumerate(players):
            if isinstance(p, Strategy):
                acts[t - 1, seat] = 0 if p.policy()[0] >= 0.5 else 1
                continue
            if p.scot:
                q = RP.predict_question(t, labels=labels, order=order)
                guess, _ = p.agent.decide(RP.round_prompt(rules[seat], history[seat], q), opts,
                                          seed=seed)
                pred[t - 1, seat] = guess
                q = RP.scot_question(t, labels[guess], labels=labels, order=order)
            else:
                q = RP.question(t, labels=labels, order=order)
            prompt = RP.round_prompt(rules[seat], history[seat], q)
            a, choice = p.agent.decide(prompt, opts, seed=seed)
            acts[t - 1, seat] = a
            if choice.probs is not None:
                pfirst[t - 1, seat] = choice.probs[0]
            shown[seat] = prompt
        a0, a1 = acts[t - 1]
        pays[t - 1] = game.payoff[:, a0, a1]
        for seat, p in enumerate(players):
            own, oth = (a0, a1) if seat == 0 else (a1, a0)
            if isinstance(p, Strategy):
                p.observe(np.array([own]), np.array([oth]))
            history[seat].append(RP.history_line(t, own, oth, pays[t - 1, seat],
                                                 pays[t - 1, 1 - seat], labels=labels,
                                                 unit=unit))
    names = tuple(p.name for p in players)
    bad = tuple(int(p.agent.stats.unparseable - b) if isinstance(p, LLMPlayer) else 0
                for p, b in zip(players, before))
    return LLMMatch(actions=acts, payoffs=pays, p_first=pfirst, predicted=pred,
                    unparseable=bad, names=names, prompts=tuple(shown))
