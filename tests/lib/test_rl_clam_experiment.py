import numpy as np
import pytest

from replib.envs.particle import PartnerTarget, PredatorPrey
from replib.rl.clam_experiment import (
    AgentModelView,
    EpisodeBuffer,
    random_episodes,
    run_grid,
    run_method,
)

TINY = dict(n_envs=4, horizon=10, n_types=3, n_agents=3, updates=2, embed_dim=4, enc_width=8,
            n_layers=1, model_steps=1, model_batch=4, model_lr=1e-3, temperature=0.5,
            mask_ratio=0.3, momentum=0.9, min_crop=3, max_crop=8, ppo_lr=1e-3, n_epochs=1,
            n_minibatches=1, ent_coef=0.0, probe_episodes=16, n_checkpoints=2, last_k=1)


def test_view_observation_layout_and_episode_store():
    env = PartnerTarget(n_envs=3, horizon=5, n_types=3)
    view = AgentModelView(env, mode="oracle")
    obs = view.reset(seed=0)
    assert obs.shape == (3, 1, 12 + 3)
    np.testing.assert_array_equal(obs[:, 0, 12:].argmax(-1), env.types)
    for _ in range(5):
        obs, r, term, trunc, info = view.step(np.zeros((3, 1), int))
    assert trunc.all() and info["final_obs"].shape == obs.shape
    d = view.buffer.data
    assert d["x"].shape == (3, 5, 12 + 5) and d["modeled_actions"].shape == (3, 5, 1)
    assert d["x"][:, 0, 12:].sum() == 0  # no previous action at the first step


@pytest.mark.parametrize("make", [lambda n: PredatorPrey(n_envs=n, n_types=5, horizon=25),
                                  lambda n: PartnerTarget(n_envs=n, n_types=5, horizon=25)])
def test_random_episodes_ego_independent_of_types_and_aligned(make):
    # The probe ego once drew its actions from default_rng(seed), the env's own stream: its
    # action batch after the env's position draws *was* the type array (PredatorPrey: a_16,
    # PartnerTarget: a_8), so the probes read the type off the ego's own action.
    env = make(1100)  # more episodes than the view's default store of 1024
    d = random_episodes(env, seed=3)
    assert len(d["x"]) == len(d["obs"]) == len(d["type"]) == 1100
    np.testing.assert_array_equal(d["x"][..., : d["obs"].shape[-1]], d["obs"])
    prev = d["x"][:, 1:, -5:].argmax(-1)  # the ego's previous action a_{s-1}, s >= 1
    agree = (prev == d["type"][:, None]).mean(0)
    assert agree.max() < 0.3, agree  # chance is 0.2; the leak gave 1.0 at one step


def test_buffer_fifo_and_read_log():
    buf = EpisodeBuffer(capacity=3)
    buf.add(x=np.arange(2), type=np.arange(2))
    buf.add(x=np.arange(2, 4), type=np.arange(2, 4))
    assert buf.size == 3 and buf.data["x"].tolist() == [1, 2, 3]
    buf.sample("CLAM", ("x",), 2, np.random.default_rng(0))
    assert buf.reads == {"CLAM": {"x"}}


@pytest.mark.parametrize("method", ["CLAM", "LIAM"])
def test_run_method_privileged_reads_and_determinism(method):
    a = run_method(task="predator_prey", method=method, seed=0, **TINY)
    b = run_method(task="predator_prey", method=method, seed=0, **TINY)
    np.testing.assert_array_equal(a.returns, b.returns)
    assert a.probe == b.probe and set(a.probe) == {2, 5, 10}
    expected = [] if method == "CLAM" else ["modeled_actions", "modeled_obs"]
    assert a.reads == {method: expected}  # claim 3: CLAM never reads co-player data
    assert len(a.checkpoints) == 2 and a.checkpoints[-1][1].shape == (3, 16, 4)


def test_run_grid_rejects_unknown_names():
    with pytest.raises(ValueError, match="methods"):
        run_grid(tasks=["predator_prey"], methods=["CLAMM"], seeds=[0], **TINY)
    with pytest.raises(ValueError, match="task"):
        run_method(task="tag", method="NAM", seed=0, **TINY)
