import numpy as np
import pytest

from replib.envs.api import check_conformance
from replib.envs.particle import (
    HEURISTICS,
    PREDATOR_TYPES,
    PartnerTarget,
    PredatorPrey,
    greedy_action,
    move,
)


@pytest.mark.parametrize("make", [lambda n: PredatorPrey(n_envs=n),
                                  lambda n: PartnerTarget(n_envs=n)])
def test_conformance_pettingzoo_and_batched(make):
    check_conformance(make(3), steps=30, num_cycles=60)


def test_move_closed_form_and_walls():
    pos, vel = np.zeros((1, 2)), np.zeros((1, 2))
    p, v = move(pos, vel, np.array([2]), accel=3.0, max_speed=10.0)
    np.testing.assert_allclose(v, [[0.3, 0.0]])  # v = a * dt
    np.testing.assert_allclose(p, [[0.03, 0.0]])  # p = v * dt
    p, v = move(np.array([[0.99, 0.0]]), np.array([[1.0, 0.5]]), np.array([0]),
                accel=3.0, max_speed=10.0)
    assert p[0, 0] == 1.0 and v[0, 0] == 0.0 and v[0, 1] == pytest.approx(0.375)
    _, v = move(pos, np.array([[5.0, 0.0]]), np.array([2]), accel=3.0, max_speed=1.3)
    assert np.linalg.norm(v) == pytest.approx(1.3)


def test_greedy_action_directions():
    d = np.array([[-1.0, 0.1], [1.0, 0.2], [0.1, -1.0], [0.0, 2.0]])
    assert greedy_action(d).tolist() == [1, 2, 3, 4]


def test_episode_length_types_and_privileged_info():
    env = PredatorPrey(n_envs=8, horizon=5)
    obs = env.reset(seed=0)
    assert obs.shape == (8, 1, 10)
    types0 = env.types.copy()
    for _ in range(5):
        obs, r, term, trunc, info = env.step(np.zeros((8, 1), int))
        assert info["modeled_obs"].shape == (8, 3, 4)
        assert info["modeled_actions"].shape == (8, 3)
        np.testing.assert_array_equal(info["type"], types0)
    assert trunc.all() and not term.any()
    assert (info["episode_length"] == 5).all()


def test_catch_penalty_and_shaping():
    env = PredatorPrey(n_envs=1, n_predators=1, n_types=1)
    env.reset(seed=0)
    env.pos[:] = [[[0.0, 0.0], [0.05, 0.0]]]
    env.vel[:] = 0.0
    _, r, *_ = env.step(np.zeros((1, 1), int))  # the predator chases: still touching
    d = np.linalg.norm(env.pos[0, 1] - env.pos[0, 0])
    assert r[0, 0] == pytest.approx(-10.0 + 0.1 * d, abs=1e-5)


def test_chase_prey_predators_move_towards_prey():
    env = PredatorPrey(n_envs=64, n_types=1)  # type 0: every predator chases the prey
    env.reset(seed=1)
    before = np.linalg.norm(env.pos[:, 1:] - env.pos[:, :1], axis=-1)
    for _ in range(3):
        env.step(np.zeros((64, 1), int))
    after = np.linalg.norm(env.pos[:, 1:] - env.pos[:, :1], axis=-1)
    assert (after < before).mean() > 0.9
    assert HEURISTICS[PREDATOR_TYPES[0][0][0]] == "chase_prey"


def test_types_change_behaviour_and_seed_determinism():
    def run(seed):
        env = PredatorPrey(n_envs=256, horizon=10)
        env.reset(seed=seed)
        rets, types = [], []
        for _ in range(10):
            *_, info = env.step(np.zeros((256, 1), int))
        rets, types = info["episode_return"][:, 0], info["type"]
        return np.array([rets[types == k].mean() for k in range(5)])

    a, b = run(3), run(3)
    np.testing.assert_array_equal(a, b)
    assert a.max() - a.min() > 5.0  # the modeled agents' type matters to the ego


def test_partner_target_reward_and_partner_goes_to_target():
    env = PartnerTarget(n_envs=200, partner_noise=0.0, n_types=3)
    env.reset(seed=0)
    for _ in range(25):
        *_, info = env.step(np.zeros((200, 1), int))
    # the episode ended: check the partner's final position via final_obs
    fin = info["final_obs"][:, 0]
    lm = fin[:, 4:10].reshape(200, 3, 2)
    partner = fin[:, 10:12]
    nearest = np.linalg.norm(lm - partner[:, None], axis=-1).argmin(-1)
    assert (nearest == info["type"] % 3).mean() > 0.95
    env.reset(seed=0)
    env.pos[:, 0] = env.landmarks[np.arange(200), (env.targets + 1) % 3]
    env.vel[:] = 0
    _, r, *_ = env.step(np.zeros((200, 1), int))
    np.testing.assert_allclose(r, 0.0, atol=1e-6)


def test_bad_parameters_name_themselves():
    with pytest.raises(ValueError, match="n_predators"):
        PredatorPrey(n_envs=2, n_predators=0)
    with pytest.raises(ValueError, match="n_types"):
        PredatorPrey(n_envs=2, n_types=99)
    with pytest.raises(ValueError, match="n_landmarks"):
        PartnerTarget(n_envs=2, n_landmarks=1)
    with pytest.raises(ValueError, match="horizon"):
        PartnerTarget(n_envs=2, horizon=1)
