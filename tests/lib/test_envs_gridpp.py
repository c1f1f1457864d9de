"""envs.gridpp: shapes, hand-made transitions (moves, walls, freezing on the prey, capture,
reward), determinism under a seed, parameter errors and the PettingZoo API test."""

import numpy as np
import pytest

from replib.envs.api import check_conformance
from replib.envs.gridpp import GridPredatorPrey


def place(env, pred, prey):
    env.reset(seed=0)
    env.pred[:] = np.asarray(pred)
    env.prey[:] = np.asarray(prey)


def test_shapes_and_distinct_starts():
    env = GridPredatorPrey(n_envs=4, n_agents=3, grid=5, vision=1)
    obs = env.reset(seed=1)
    assert obs.shape == (4, 3, 25 + 27) and env.obs_dim == 52
    cells = np.concatenate([env.pred, env.prey[:, None]], 1)
    flat = cells[..., 0] * 5 + cells[..., 1]
    assert all(len(set(f)) == 4 for f in flat)  # predators and prey on distinct cells
    assert (obs[:, :, :25].sum(-1) == 1).all() and env.state().shape == (4, 8)


def test_moves_walls_and_observation():
    env = GridPredatorPrey(n_envs=1, n_agents=2, grid=3, vision=1)
    place(env, [[[0, 0], [1, 1]]], [[2, 2]])
    obs = env._observe()[0, 0, 9:].reshape(9, 3)  # window of predator 0 at the corner
    assert obs[:, 0].sum() == 5  # five window cells are outside the board
    assert obs[8, 1] == 1 and obs[:, 2].sum() == 0  # predator 1 down-right, prey not seen
    _, r, term, trunc, _ = env.step(np.array([[0, 1]]))  # up into the wall; right
    assert env.pred[0].tolist() == [[0, 0], [1, 2]]
    assert np.allclose(r, -0.05) and not term[0] and not trunc[0]
    env.step(np.array([[3, 2]]))  # left into the wall; down onto the prey
    assert env.pred[0].tolist() == [[0, 0], [2, 2]]


def test_reward_freeze_and_capture():
    env = GridPredatorPrey(n_envs=1, n_agents=2, grid=4, step_penalty=0.1)
    place(env, [[[2, 2], [0, 2]]], [[2, 3]])
    _, r, term, _, info = env.step(np.array([[1, 2]]))  # 0 onto the prey; 1 down
    assert np.allclose(r, [[0.0, -0.1]]) and info["on_prey"].tolist() == [[True, False]]
    _, r, term, _, _ = env.step(np.array([[3, 1]]))  # 0 frozen on prey; 1 right
    assert env.pred[0, 0].tolist() == [2, 3] and not term[0]
    _, r, term, _, info = env.step(np.array([[4, 2]]))  # 1 down onto the prey: success
    assert r.tolist() == [[0.0, 0.0]] and term[0] and info["success"][0]
    assert info["episode_length"][0] == 3 and np.isclose(info["episode_return"][0, 1], -0.2)
    team = GridPredatorPrey(n_envs=1, n_agents=2, grid=4, reward="team")
    place(team, [[[2, 2], [0, 0]]], [[2, 3]])
    _, r, _, _, _ = team.step(np.array([[1, 4]]))
    assert np.allclose(r, -0.025)


def test_truncation_and_moving_prey_deterministic():
    env = GridPredatorPrey(n_envs=3, n_agents=2, grid=6, max_steps=4, moving_prey=True)
    env.reset(seed=5)
    for _ in range(4):
        _, _, term, trunc, info = env.step(np.full((3, 2), 4))
    assert (trunc | term).all() and (info["episode_length"] == 4).all()
    runs = []
    for _ in range(2):
        e = GridPredatorPrey(n_envs=3, n_agents=2, grid=6, moving_prey=True)
        obs = [e.reset(seed=7)]
        for t in range(5):
            obs.append(e.step(np.random.default_rng(t).integers(0, 5, (3, 2)))[0])
        runs.append(np.stack(obs))
    assert np.array_equal(*runs)


def test_errors_and_conformance():
    with pytest.raises(ValueError, match="grid must be"):
        GridPredatorPrey(n_envs=1, n_agents=4, grid=2)
    with pytest.raises(ValueError, match="reward must be one of"):
        GridPredatorPrey(n_envs=1, reward="shared")
    with pytest.raises(ValueError, match="vision must be"):
        GridPredatorPrey(n_envs=1, vision=-1)
    check_conformance(GridPredatorPrey(n_envs=3, n_agents=3, grid=4, vision=1, max_steps=6),
                      steps=20, num_cycles=40)
