"""Score matrices with planted latent skill, for testing aggregation rules.

The LLM Swiss Round card's offline design (arXiv 2512.21010 has no released score table):
M models, D datasets in K ordered rounds (foundational → advanced). Model m has a
general skill g_m ~ N(0, 1) and a per-round ability a_{m,k}; dataset d of round k(d) has
a difficulty c_d, and the observed score is

    X[m, d] = σ(a_{m,k(d)} + c_d) + ε_{m,d},     ε ~ N(0, noise_sd²),

(benchmark sampling noise ε is redrawn by ``redraw``). Ordinary models have
a_{m,k} = g_m + N(0, round_sd²). Two planted archetypes share general skills drawn from
the same law: *specialists* with a_{m,k} = g_m + linspace(−spread, +spread, K) (weak on
the early rounds, strong on the late ones) and *generalists* with a flat profile whose
level is solved so that each generalist's noise-free mean score equals its paired
specialist's (scipy ``brentq``): equal mean, different profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

__all__ = ["PlantedScores", "planted_scores", "redraw"]


@dataclass(frozen=True)
class PlantedScores:
    """A planted score matrix: ``clean`` (M, D) noise-free scores, ``scores`` one noisy
    draw, ``ability`` (M, K), ``latent`` (M,) mean ability over rounds, ``kind`` per model
    ("ordinary", "specialist", "generalist"), ``pair[i]`` the index of the matched model
    (−1 for ordinary ones), ``groups`` the rounds' dataset indices."""

    clean: np.ndarray
    scores: np.ndarray
    ability: np.ndarray
    latent: np.ndarray
    kind: tuple[str, ...]
    pair: np.ndarray
    groups: tuple[tuple[int, ...], ...]
    noise_sd: float


def planted_scores(*, n_models: int, groups: Sequence[Sequence[int]], n_special: int,
                   spread: float, noise_sd: float, rng: np.random.Generator,
                   round_sd: float = 0.3, difficulty_sd: float = 0.5) -> PlantedScores:
    """Draw one planted matrix (see the module docstring); ``n_special`` specialists and
    as many matched generalists, the remaining models ordinary."""
    k = len(groups)
    d = sum(len(g) for g in groups)
    if n_models < 2 * n_special + 1 or n_special < 0:
        raise ValueError(f"n_special must be in 0..{(n_models - 1) // 2} for n_models="
                         f"{n_models}, got {n_special}")
    if noise_sd < 0 or spread < 0:
        raise ValueError(f"noise_sd and spread must be >= 0, got {noise_sd}, {spread}")
    round_of = np.empty(d, dtype=np.int64)
    for r, g in enumerate(groups):
        round_of[list(g)] = r
    c = rng.normal(0.0, difficulty_sd, d)  # dataset difficulty c_d
    g_skill = rng.normal(0.0, 1.0, n_models)
    ability = g_skill[:, None] + rng.normal(0.0, round_sd, (n_models, k))
    kind = ["ordinary"] * n_models
    pair = np.full(n_models, -1)
    idx = rng.permutation(n_models)
    spec, gen = idx[:n_special], idx[n_special:2 * n_special]
    profile = np.linspace(-spread, spread, k)
    for s, gm in zip(spec, gen):
        ability[s] = g_skill[s] + profile
        target = expit(ability[s][round_of] + c).mean()

        def gap(level, target=target):
            return expit(level + c).mean() - target

        level = brentq(gap, -20.0, 20.0, xtol=1e-12)
        ability[gm] = level
        kind[s], kind[gm] = "specialist", "generalist"
        pair[s], pair[gm] = gm, s
    clean = expit(ability[:, round_of] + c)
    noisy = clean + rng.normal(0.0, noise_sd, clean.shape)
    return PlantedScores(clean, noisy, ability, ability.mean(axis=1), tuple(kind), pair,
                         tuple(tuple(int(i) for i in g) for g in groups), float(noise_sd))


def redraw(planted: PlantedScores, *, rng: np.random.Generator,
           n_draws: int | None = None) -> np.ndarray:
    """New benchmark-noise draws of the same clean matrix: (M, D) or (n_draws, M, D)."""
    shape = planted.clean.shape if n_draws is None else (n_draws,) + planted.clean.shape
    return planted.clean + rng.normal(0.0, planted.noise_sd, shape)
