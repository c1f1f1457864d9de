"""Readers and recomputations for the published game logs of Akata et al. (2023/2025).

"Playing repeated games with Large Language Models" released its raw logs (MIT licence,
github.com/eliaka/repeatedgames; vendored in ``data/repeatedgames/`` with attribution):
the 144 ordinal 2x2 games of the Robinson-Goforth topology played for 10 rounds between
LLMs, the iterated Prisoner's Dilemma (PD) and Battle of the Sexes (BoS) against fixed
agents, and the prompt-variation robustness checks.

Conventions here: action 0 = the game's first option (row 1 / column 1 of
``144_games_info.csv``; Option J in the PD and BoS files), 1 = the second option. In the
144-game logs the per-game option letters are in ``choice_option1`` (first option) and
``choice_option2`` (second). The paper's normalisation (Results, Table 1 note): a player's
10-round total divided by 10 x its largest payoff entry (= 40 for ordinal games).

Player 2's prompt in the 144-game logs. The released query script
(``all_games/query_play_all_games.py``) tells player 2 "if you choose Option c_i and the
other player chooses Option c_j, then you win r{i}c{j}_p2", i.e. its own payoff matrix as
``payoff[1]`` indexed [own, other], while the scoring gives it ``payoff[1].T`` (its choice
is the column): the two off-diagonal outcomes are swapped. ``described_payoff`` returns the
matrix each seat was told; ``prompt_consistency`` checks, on the logs, which of the two
games player 2 actually played (round 1, where nothing but the prompt informs the choice).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["default_data_dir", "load_games_info", "load_all_games", "load_pd", "load_bos",
           "load_robustness", "match_actions", "normalised_scores", "family_table",
           "point_mismatches", "described_payoff", "prompt_consistency", "FAMILIES",
           "MODELS"]

FAMILIES = ("Win-win", "PD Family", "Unfair", "Cyclic", "Biased", "Second Best")
MODELS = {"act_gpt4": "GPT-4", "act_gpt35": "text-davinci-003", "act_gpt3": "text-davinci-002",
          "act_claude2": "Claude 2", "act_claude1": "Claude 1", "act_claude": "Claude",
          "act_llama2": "Llama 2"}


def default_data_dir() -> Path:
    """``data/repeatedgames`` of the book's checkout."""
    return Path(__file__).resolve().parents[3] / "data" / "repeatedgames"


def _dir(data_dir) -> Path:
    d = Path(data_dir) if data_dir is not None else default_data_dir()
    if not (d / "144_games_info.csv").exists():
        raise FileNotFoundError(f"the published logs are not in {d}; they ship with the "
                                "book's checkout in data/repeatedgames/")
    return d


def load_games_info(data_dir=None) -> tuple[pd.DataFrame, np.ndarray]:
    """(info table, payoff (144, 2, 2, 2) float64 as ``payoff[player, row, col]``)."""
    info = pd.read_csv(_dir(data_dir) / "144_games_info.csv", sep=";")
    pay = np.zeros((len(info), 2, 2, 2))
    for r in (0, 1):
        for c in (0, 1):
            for p in (0, 1):
                pay[:, p, r, c] = info[f"r{r + 1}_c{c + 1}_p{p + 1}"].to_numpy()
    return info, pay


def load_all_games(data_dir=None) -> pd.DataFrame:
    """All 144 x 25 LLM-vs-LLM matches with integer actions ``a1``, ``a2`` (-1: invalid)."""
    df = pd.read_csv(_dir(data_dir) / "all_games_experiments.csv.gz")
    for i in (1, 2):
        ans = df[f"answer{i}"].astype(str).str.strip()
        df[f"a{i}"] = np.where(ans == df["choice_option1"], 0,
                               np.where(ans == df["choice_option2"], 1, -1))
    return df


def _read(data_dir, name: str) -> pd.DataFrame:
    df = pd.read_csv(_dir(data_dir) / name)
    for i in (1, 2):
        ans = df[f"answer{i}"].astype(str).str.strip()
        df[f"a{i}"] = np.where(ans == "J", 0, np.where(ans == "F", 1, -1))
    return df


def load_pd(data_dir=None) -> pd.DataFrame:
    """Iterated PD log (J = cooperate = 0, F = defect = 1)."""
    return _read(data_dir, "experiment_pd.csv")


def load_bos(data_dir=None) -> pd.DataFrame:
    """Battle-of-the-Sexes log (player 1 prefers J = 0, player 2 prefers F = 1)."""
    return _read(data_dir, "experiment_bos.csv")


def load_robustness(game: str, data_dir=None) -> pd.DataFrame:
    """Robustness checks for ``game`` in {'pd', 'bos'}: three cover stories x three outcome
    units x three option-letter pairs, GPT-4 vs the once-defecting / alternating agent.
    Adds ``cover``, ``match`` (10-round block) and, from the logged points,
    ``coop1``/``coop2`` (PD: the player cooperated) or ``coordinated`` (BoS)."""
    if game not in ("pd", "bos"):
        raise ValueError(f"game must be 'pd' or 'bos', got {game!r}")
    frames = []
    for cover in ("game", "project", "cooking"):
        df = pd.read_csv(_dir(data_dir) / f"robustness_{game}_{cover}.csv")
        df["cover"] = cover
        df["match"] = np.repeat(np.arange(len(df) // 10), 10)  # 10-round blocks
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    if game == "pd":  # payoffs 8/8, 0/10, 10/0, 5/5: a player cooperated iff it got 8 or 0
        df["coop1"] = df["points1"].isin([8, 0])
        df["coop2"] = df["points2"].isin([8, 0])
    else:
        df["coordinated"] = df["points1"] > 0
    return df


def match_actions(df: pd.DataFrame, player1: str, player2: str) -> tuple[np.ndarray, ...]:
    """(a1, a2, points1, points2) of one match, ordered by round."""
    m = df[(df.player1 == player1) & (df.player2 == player2)].sort_values("round")
    if m.empty:
        raise KeyError(f"no match {player1} vs {player2} in this log")
    return (m.a1.to_numpy(), m.a2.to_numpy(), m.points1.to_numpy(), m.points2.to_numpy())


def normalised_scores(logs: pd.DataFrame, info: pd.DataFrame, pay: np.ndarray) -> pd.DataFrame:
    """One row per (game, match, seat): model, opponent, family, score = total / (10 max)."""
    last = logs.groupby(["game_number", "player1", "player2"], as_index=False).agg(
        total1=("points1", "sum"), total2=("points2", "sum"), rounds=("round", "count"))
    fam = info.set_index("game_number")["game_family"]
    mx = {g: pay[g - 1].reshape(2, -1).max(1) for g in info.game_number}
    rows = []
    for r in last.itertuples(index=False):
        m = mx[r.game_number]
        for seat, model, opp, tot in ((0, r.player1, r.player2, r.total1),
                                      (1, r.player2, r.player1, r.total2)):
            rows.append((r.game_number, fam[r.game_number], seat, model, opp,
                         tot / (r.rounds * m[seat])))
    return pd.DataFrame(rows, columns=["game", "family", "seat", "model", "opponent",
                                       "score"])


def family_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean normalised score per family (rows) and model (columns), plus 'overall'."""
    t = scores.pivot_table(index="family", columns="model", values="score", aggfunc="mean")
    t = t.reindex([f for f in FAMILIES if f in t.index])
    t.loc["overall"] = scores.groupby("model")["score"].mean()
    return t


def point_mismatches(logs: pd.DataFrame, pay: np.ndarray) -> int:
    """Logged points that differ from the payoff engine (valid actions only).

    ``pay`` is (G, 2, 2, 2) indexed by the log's ``game_number`` (144-game logs) or one
    game (2, 2, 2) for the PD/BoS logs: ``pay[player, a1, a2]``.
    """
    pay = np.asarray(pay, dtype=np.float64)
    ok = ((logs.a1 >= 0) & (logs.a2 >= 0)).to_numpy()
    a1 = logs.a1.to_numpy()[ok]
    a2 = logs.a2.to_numpy()[ok]
    if pay.ndim == 3:
        p1, p2 = pay[0, a1, a2], pay[1, a1, a2]
    else:
        g = logs.game_number.to_numpy()[ok] - 1
        p1, p2 = pay[g, 0, a1, a2], pay[g, 1, a1, a2]
    bad1 = p1 != logs.points1.to_numpy()[ok]
    bad2 = p2 != logs.points2.to_numpy()[ok]
    return int(bad1.sum() + bad2.sum())


def described_payoff(pay: np.ndarray, seat: int) -> tuple[np.ndarray, np.ndarray]:
    """(true, told) own payoff matrices (G, 2, 2) of ``seat``, indexed [own, other].

    true: what the scoring pays (``pay[:, 0]`` for the row player, ``pay[:, 1]``
    transposed for the column player); told: what the released query script's rules text
    says (``pay[:, seat]`` as written, for both seats), see the module docstring.
    """
    pay = np.asarray(pay, dtype=np.float64)
    if seat not in (0, 1):
        raise ValueError(f"seat must be 0 or 1, got {seat!r}")
    true = pay[:, 0] if seat == 0 else np.transpose(pay[:, 1], (0, 2, 1))
    return true, pay[:, seat]


def _dominant(m: np.ndarray) -> np.ndarray:
    """(G,) strictly dominant own action of [own, other] matrices (G, 2, 2); -1 if none."""
    d0 = (m[:, 0] > m[:, 1]).all(-1)
    d1 = (m[:, 1] > m[:, 0]).all(-1)
    return np.where(d0, 0, np.where(d1, 1, -1))


def prompt_consistency(logs: pd.DataFrame, pay: np.ndarray, seat: int = 1) -> dict:
    """Which game did ``seat`` play? Over the games where its strictly dominant action in
    the true game differs from the one in the game it was told (both exist), the share of
    round-1 choices equal to each: {'games', 'matches', 'true', 'told'}."""
    true, told = described_payoff(pay, seat)
    dt, dd = _dominant(true), _dominant(told)
    games = np.flatnonzero((dt >= 0) & (dd >= 0) & (dt != dd)) + 1
    r1 = logs[(logs["round"] == 1) & logs.game_number.isin(games)]
    a = r1[f"a{seat + 1}"].to_numpy()
    g = r1.game_number.to_numpy() - 1
    return {"games": int(len(games)), "matches": int(len(r1)),
            "true": float(np.mean(a == dt[g])) if len(r1) else float("nan"),
            "told": float(np.mean(a == dd[g])) if len(r1) else float("nan")}
