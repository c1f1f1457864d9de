import numpy as np
import pytest

from replib.envs.particle import PartnerTarget
from replib.rl.clam_experiment import AgentModelView, EpisodeBuffer, run_grid, run_method

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
