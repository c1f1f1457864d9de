"""envs.comm_games: the dependency graph, exact rewards (oracle = 1, no-comm = chance),
flags and the gated reward, the PettingZoo view (parallel_api_test), bad parameters."""

import numpy as np
import pytest

from replib.envs.api import check_conformance
from replib.envs.comm_games import WhoNeedsWhom, dependency_graph


def test_dependency_graph_distinct_parents_excluding_self_and_seeded():
    p = dependency_graph(8, 2, graph_seed=3)
    assert p.shape == (8, 2)
    assert all(i not in p[i] and p[i, 0] != p[i, 1] for i in range(8))
    assert np.array_equal(p, dependency_graph(8, 2, graph_seed=3))
    env = WhoNeedsWhom(n_envs=2, graph_seed=3)
    a = env.true_adjacency()
    assert a.sum() == 16 and (a.sum(1) == 2).all() and np.trace(a) == 0


def test_oracle_gets_one_and_own_token_policy_gets_chance():
    env = WhoNeedsWhom(n_envs=4000, n_agents=6, n_tokens=4, reward="individual")
    obs = env.reset(seed=0)
    assert obs.shape == (4000, 6, 4 + 6)
    _, r, term, _, info = env.step(env.targets())
    assert (r == 1).all() and term.all() and info["correct"].all()
    tok = env._observe()[..., :4].argmax(-1)
    _, r, *_ = env.step(tok)
    assert abs(r.mean() - 0.25) < 0.02


def test_team_reward_is_the_mean_over_agents():
    env = WhoNeedsWhom(n_envs=5, n_agents=4)
    env.reset(seed=1)
    act = env.targets()
    act[:, 0] = (act[:, 0] + 1) % 4  # agent 0 wrong
    _, r, *_ = env.step(act)
    assert np.allclose(r, 0.75)


def test_gated_variant_counts_only_flagged_steps():
    env = WhoNeedsWhom(n_envs=3000, n_agents=4, horizon=4, flag_prob=0.3,
                       reward="individual")
    obs = env.reset(seed=2)
    assert obs.shape[-1] == 4 + 4 + 1
    assert abs(obs[..., -1].mean() - 0.3) < 0.02
    flags = env.flags.copy()
    obs, r, term, _, info = env.step(env.targets())
    assert np.array_equal(r, flags.astype(np.float32)) and not term.any()
    for _ in range(3):
        obs, r, term, _, info = env.step(env.targets())
    assert term.all() and (info["episode_length"] == 4).all()


def test_pettingzoo_view_and_batched_contract():
    check_conformance(WhoNeedsWhom(n_envs=3, n_agents=3, horizon=2, flag_prob=0.5))
    check_conformance(WhoNeedsWhom(n_envs=2, n_agents=4))


def test_bad_parameters_name_the_parameter_and_allowed_values():
    with pytest.raises(ValueError, match="n_agents must be >= 2"):
        WhoNeedsWhom(n_envs=1, n_agents=1)
    with pytest.raises(ValueError, match="n_parents must be in"):
        WhoNeedsWhom(n_envs=1, n_agents=3, n_parents=3)
    with pytest.raises(ValueError, match="reward must be one of"):
        WhoNeedsWhom(n_envs=1, reward="shared")
    with pytest.raises(ValueError, match="flag_prob must be in"):
        WhoNeedsWhom(n_envs=1, flag_prob=0.0)
