import numpy as np
import pytest

from replib.envs.api import check_conformance
from replib.envs.ipd import RepeatedGameEnv, SeatedRepeatedGame, fixed, random_tabular
from replib.games import strategies as St
from replib.games.matrix import prisoners_dilemma
from replib.games.repeated import play

PD = prisoners_dilemma(R=1, S=-1, T=2, P=0)


def test_conformance_two_player_and_pool():
    check_conformance(RepeatedGameEnv(n_envs=3, payoff=PD.payoff, horizon=4),
                      num_cycles=20)  # PettingZoo
    check_conformance(RepeatedGameEnv(n_envs=3, payoff=PD.payoff, horizon=4,
                                      coplayer=random_tabular, opponent_id=True), num_cycles=20)


def test_tokens_rewards_two_player():
    env = RepeatedGameEnv(n_envs=1, payoff=PD.payoff, horizon=3)
    obs = env.reset(seed=0)
    assert obs.shape == (1, 2, 6) and obs[0, 0, 0] == 1  # s0
    obs, r, term, trunc, info = env.step(np.array([[0, 1]]))
    assert np.array_equal(r, [[-1, 2]])
    assert obs[0, 0, 2] == 1 and obs[0, 1, 3] == 1  # CD from 0's side, DC from 1's side
    assert obs[0, 0, 5] == -1 and obs[0, 1, 5] == 2
    env.step(np.array([[0, 0]]))
    obs, r, term, trunc, info = env.step(np.array([[1, 1]]))
    assert term.all() and obs[0, 0, 0] == 1 and info["episode_return"].tolist() == [[0, 3]]


def test_pool_matches_runner():
    # the env with a fixed TFT co-player reproduces games.repeated for a scripted learner
    env = RepeatedGameEnv(n_envs=4, payoff=PD.payoff, horizon=6, coplayer=fixed("TFT"))
    env.reset(seed=0)
    sched = [0, 1, 1, 0, 0, 1]
    rew = []
    for a in sched:
        _, r, _, _, info = env.step(np.full(4, a))
        rew.append(r[0])
    log = play(PD, [(St.Scripted([1 - a for a in sched]), St.tft())], n_rounds=6, seeds=[0])
    assert np.allclose(rew, log.payoffs[0, 0, 0, :, 0])


def test_seated_pairs_and_opponent_id():
    env = SeatedRepeatedGame(n_envs=4, payoff=PD.payoff, horizon=2, partner=[1, 0, -1, -1],
                             coplayer=fixed(St.all_d()), opponent_id=True)
    obs = env.reset(seed=0)
    assert obs.shape == (4, 12)
    assert obs[0, -1] == 1 and obs[2, -1] == 0 and np.allclose(obs[2, 6:11], np.log(1e-3))
    _, r, _, _, info = env.step(np.array([0, 1, 0, 1]))
    assert np.array_equal(r, [-1, 2, -1, 0])
    assert np.array_equal(info["joint"], [[0, 1], [1, 0], [0, 1], [1, 1]])


def test_noise_rate_and_bad_params():
    env = RepeatedGameEnv(n_envs=4000, payoff=PD.payoff, horizon=2, coplayer=fixed("AllC"),
                          noise=0.2)
    env.reset(seed=1)
    _, _, _, _, info = env.step(np.zeros(4000, int))
    assert abs((info["joint"] == 1).mean() - 0.2) < 0.02
    with pytest.raises(ValueError, match="partner"):
        SeatedRepeatedGame(n_envs=3, payoff=PD.payoff, horizon=2, partner=[1, 2, 0])
    with pytest.raises(ValueError, match="noise"):
        RepeatedGameEnv(n_envs=1, payoff=PD.payoff, horizon=2, noise=1.5)
