"""Experiments of the repeated-games-llm chapter (Akata et al. 2023/2025) on shared modules.

* ``make_strategy``: the paper's fixed agents (AlwaysJ, AlwaysF, DefectOnce, Alternate-JF,
  Alternate-FJ) and classical strategies (TFT, Grim, WSLS, GTFT, Random, and the two
  belief players of ``games.best_response``) by name, for a seat of a batch of games.
* ``round_robin``: every strategy against every strategy in both seats over a batch of
  games (``games.repeated.play``), normalised as in the paper (total / (n_rounds x the
  player's largest payoff)), one value per (strategy, family, seed).
* ``alternation_matches`` / ``alternation_coordination``: the SCoT analogue, a player
  against the alternating agents in the BoS (both seats, both alternators: four pairs of one
  ``play`` call, so each match draws its own execution noise), and its coordination per seed.
* ``llm_suite``: the paper's PD and BoS experiments with an LLM (``games.llm_match``) vs the
  paper's agents and itself, with and without SCoT; ``llm_all_games``: LLM self-play on the
  144 games. Only ``full`` calls these (a backend is needed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from replib.games import behaviour as B
from replib.games.best_response import FictitiousBR, PredictBR
from replib.games.llm_match import LLMPlayer, play_llm_match
from replib.games.matrix import MatrixGame, battle_of_sexes, prisoners_dilemma
from replib.games.repeated import as_payoff_batch, play
from replib.games.strategies import (
    Alternate,
    DefectOnce,
    Grim,
    all_c,
    all_d,
    gtft,
    random_p,
    tft,
    wsls,
)

__all__ = ["STRATEGIES", "PAPER_PD", "PAPER_BOS", "make_strategy", "round_robin",
           "ALTERNATION_MATCHES", "alternation_matches", "alternation_coordination",
           "llm_suite", "llm_all_games", "explorer_matches", "OPPONENTS", "LOG_NAMES"]

STRATEGIES = ("AlwaysJ", "AlwaysF", "TFT", "Grim", "WSLS", "GTFT", "Random", "Alternate-JF",
              "Alternate-FJ", "DefectOnce", "Myopic-BR", "Predict-BR")
PAPER_PD = prisoners_dilemma(R=8, S=0, T=10, P=5, actions=("J", "F"))  # pd/query_main.py
PAPER_BOS = battle_of_sexes(high=10, low=7, miss=0)  # bos/query_main.py


def make_strategy(name: str, *, payoff, player: int, markov_k: int = 1,
                  generosity: float = 0.3):
    """A fresh strategy for ``player``'s seat of the games ``payoff`` (G, 2, 2, 2)."""
    table = {
        "AlwaysJ": all_c, "AlwaysF": all_d, "TFT": tft, "Grim": Grim, "WSLS": wsls,
        "GTFT": lambda: gtft(generosity=generosity), "Random": lambda: random_p(p=0.5),
        "Alternate-JF": lambda: Alternate(first=0), "Alternate-FJ": lambda: Alternate(first=1),
        "DefectOnce": lambda: DefectOnce(at_round=0),
        "Myopic-BR": lambda: FictitiousBR(payoff=payoff, player=player),
        "Predict-BR": lambda: PredictBR(payoff=payoff, player=player, k=markov_k),
    }
    if name not in table:
        raise ValueError(f"unknown strategy {name!r}; allowed: {', '.join(STRATEGIES)}")
    s = table[name]()
    s.name = name
    return s


def round_robin(games, families, *, strategies=STRATEGIES, n_rounds: int, seeds,
                noise: float = 0.0, markov_k: int = 1,
                generosity: float = 0.3) -> tuple[pd.DataFrame, np.ndarray]:
    """(per-(strategy, family, seed) normalised score table, total points (G, K, S, 2)).

    Every ordered pair (row, column) of ``strategies`` plays every game; a strategy's score
    in a game is averaged over its opponents (itself included) and both seats.
    ``generosity`` is GTFT's forgiveness probability.
    """
    pay = as_payoff_batch(games)
    names = list(strategies)
    kw = dict(payoff=pay, markov_k=markov_k, generosity=generosity)
    pairs = [(make_strategy(a, player=0, **kw), make_strategy(b, player=1, **kw))
             for a in names for b in names]
    log = play(pay, pairs, n_rounds=n_rounds, seeds=list(seeds), noise=noise)
    total = log.payoffs.sum(axis=3)  # (G, K, S, 2)
    best = pay.reshape(pay.shape[0], 2, -1).max(-1)  # (G, 2) largest entry per player
    norm = total / (n_rounds * best[:, None, None, :])
    n = len(names)
    norm = norm.reshape(pay.shape[0], n, n, len(seeds), 2)
    # strategy i as row (seat 0): norm[:, i, :, :, 0]; as column: norm[:, :, i, :, 1]
    per = np.stack([(norm[:, i, :, :, 0].mean(1) + norm[:, :, i, :, 1].mean(1)) / 2
                    for i in range(n)], axis=1)  # (G, n_strategies, S)
    fam = np.asarray(families)
    rows = []
    for f in dict.fromkeys(fam):
        m = per[fam == f].mean(0)  # (n, S)
        for i, s in enumerate(names):
            for j, seed in enumerate(seeds):
                rows.append((s, f, seed, float(m[i, j])))
    m = per.mean(0)
    for i, s in enumerate(names):
        for j, seed in enumerate(seeds):
            rows.append((s, "overall", seed, float(m[i, j])))
    return pd.DataFrame(rows, columns=["strategy", "family", "seed", "score"]), total


ALTERNATION_MATCHES = ((0, "Alternate-JF"), (0, "Alternate-FJ"), (1, "Alternate-JF"),
                       (1, "Alternate-FJ"))  # (player's seat, alternator)


def alternation_matches(player: str, *, n_rounds: int, seeds, noise: float = 0.0,
                        markov_k: int = 1) -> np.ndarray:
    """(4, S, n_rounds, 2) executed actions [player's, alternator's] of ``player`` against
    Alternate-JF and -FJ in the paper's BoS, in both seats (order ``ALTERNATION_MATCHES``).

    The four matches are the four pairs of one ``games.repeated.play`` call, so each draws
    its own execution noise; four calls with one seed would replay one uniform stream, and
    the mirrored matches (JF... vs FJ...) would then see the same flips, which makes a
    constant player's coordination exactly 1/2 at any noise.
    """
    pairs = []
    for seat, alt in ALTERNATION_MATCHES:
        me = make_strategy(player, payoff=PAPER_BOS.payoff, player=seat, markov_k=markov_k)
        other = make_strategy(alt, payoff=PAPER_BOS.payoff, player=1 - seat)
        pairs.append((me, other) if seat == 0 else (other, me))
    a = play(PAPER_BOS, pairs, n_rounds=n_rounds, seeds=list(seeds),
             noise=noise).actions[0]  # (4, S, R, 2) as (row, column)
    first = np.array([seat == 1 for seat, _ in ALTERNATION_MATCHES])[:, None, None, None]
    return np.where(first, a[..., ::-1], a)


def alternation_coordination(player: str, *, n_rounds: int, seeds, noise: float = 0.0,
                             markov_k: int = 1, first_round: int = 3) -> np.ndarray:
    """(S,) coordination rate of ``player`` with Alternate-JF and -FJ in the paper's BoS,
    rounds ``first_round``..n_rounds (1-based), averaged over both seats and alternators."""
    a = alternation_matches(player, n_rounds=n_rounds, seeds=seeds, noise=noise,
                            markov_k=markov_k)[:, :, first_round - 1:]
    return B.coordination_rate(a[..., 0], a[..., 1]).mean(axis=0)


def _opponent(name: str, game: MatrixGame, seat: int):
    return make_strategy(name, payoff=game.payoff, player=seat)


def llm_suite(agent_factory, *, n_rounds: int = 10, order_seeds=(0, 1, 2, 3, 4),
              scot_modes=(False, True), progress=None) -> pd.DataFrame:
    """The paper's PD and BoS runs with an LLM as player 1 vs its agents and itself.

    ``agent_factory(seed)`` returns a fresh ``llm.agents.ChoiceAgent``. One row per match:
    points, coordination, forgiveness, defect-forever, P(J) and unparseable replies.
    """
    plan = [("PD", PAPER_PD, o) for o in ("AlwaysJ", "AlwaysF", "DefectOnce", "self")]
    plan += [("BoS", PAPER_BOS, o) for o in ("AlwaysJ", "AlwaysF", "Alternate-JF",
                                              "Alternate-FJ", "self")]
    jobs = [(g, game, o, s, seed) for g, game, o in plan for s in scot_modes
            for seed in order_seeds]
    rows = []
    for g, game, opp, scot, seed in (progress(jobs) if progress else jobs):
        me = LLMPlayer(agent_factory(seed), scot=scot, name="LLM+SCoT" if scot else "LLM")
        other = (LLMPlayer(agent_factory(seed), scot=scot, name=me.name) if opp == "self"
                 else _opponent(opp, game, 1))
        m = play_llm_match(game, (me, other), n_rounds=n_rounds, shuffle_order=(g == "PD"),
                           seed=seed)
        own, oth = m.actions[:, 0], m.actions[:, 1]
        rows.append(dict(game=g, opponent=opp, scot=scot, seed=seed,
                         points=m.payoffs[:, 0].sum(), coordination=B.coordination_rate(
                             own, oth), forgiveness=float(B.forgiveness(own, oth)),
                         defect_forever=float(B.defect_forever(own, oth)),
                         p_first=float(np.nanmean(m.p_first[:, 0])) if np.isfinite(
                             m.p_first[:, 0]).any() else np.nan,
                         unparseable=sum(m.unparseable), actions="".join("JF"[a] for a in own)))
    return pd.DataFrame(rows)


def llm_all_games(agent_factory, pay: np.ndarray, families, *, n_rounds: int = 10,
                  seed: int = 0, progress=None) -> pd.DataFrame:
    """LLM self-play on each game of ``pay`` (G, 2, 2, 2); normalised score per seat."""
    rows = []
    idx = range(pay.shape[0])
    for g in (progress(idx) if progress else idx):
        game = MatrixGame(payoff=pay[g], name=f"game {g + 1}", actions=("J", "F"))
        m = play_llm_match(game, (LLMPlayer(agent_factory(seed)), LLMPlayer(agent_factory(seed))),
                           n_rounds=n_rounds, shuffle_order=True, seed=seed)
        best = pay[g].reshape(2, -1).max(1)
        for seat in (0, 1):
            rows.append(dict(game=g + 1, family=families[g], seat=seat,
                             score=m.payoffs[:, seat].sum() / (n_rounds * best[seat]),
                             unparseable=m.unparseable[seat]))
    return pd.DataFrame(rows)


OPPONENTS = {"PD": ("AlwaysJ", "AlwaysF", "DefectOnce"),
             "BoS": ("AlwaysJ", "AlwaysF", "Alternate-JF", "Alternate-FJ")}
LOG_NAMES = {"AlwaysJ": "act_j", "AlwaysF": "act_f", "DefectOnce": "act_defect_once",
             "Alternate-JF": "act_jf", "Alternate-FJ": "act_fj"}


def explorer_matches(game_name: str, player: str, *, n_rounds: int, noise: float, seed: int,
                     markov_k: int = 1, log: pd.DataFrame | None = None) -> dict:
    """{opponent: (own actions, opponent actions, own points)} for the widget; ``player``
    is a strategy name or "GPT-4 (log)" (replayed from the released PD/BoS log)."""
    if game_name not in OPPONENTS:
        raise ValueError(f"game {game_name!r} is not allowed: expected 'PD' or 'BoS'")
    game = PAPER_PD if game_name == "PD" else PAPER_BOS
    out = {}
    for opp in OPPONENTS[game_name]:
        if player == "GPT-4 (log)":
            from replib.games.akata_logs import match_actions

            try:  # the released BoS log has GPT-4 as player 1 only vs some agents
                a1, a2, p1, _ = match_actions(log, "act_gpt4", LOG_NAMES[opp])
            except KeyError:
                continue
            out[opp] = (a1, a2, float(p1.sum()))
            continue
        pair = (make_strategy(player, payoff=game.payoff, player=0, markov_k=markov_k),
                make_strategy(opp, payoff=game.payoff, player=1))
        lg = play(game, [pair], n_rounds=n_rounds, seeds=[seed], noise=noise)
        a = lg.actions[0, 0, 0]
        pts = float(lg.payoffs[0, 0, 0, :, 0].sum())
        out[opp] = (a[:, 0].astype(int), a[:, 1].astype(int), pts)
    return out
