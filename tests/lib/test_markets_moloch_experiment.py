"""markets.moloch_experiment on a tiny configuration: determinism and the control."""

import pytest

from replib.markets.moloch_experiment import MolochConfig, run_condition

TINY = MolochConfig(n_anchors=40, n_train=30, n_attrs=10, k_personas=8, rft_iters=4,
                    n_samples=4, n_eval=4, prior_strength=4.0)


def test_deterministic_and_bookkept():
    a = run_condition(TINY, method="rft", verify_frac=0.0, seed=3)
    b = run_condition(TINY, method="rft", verify_frac=0.0, seed=3)
    assert a == b
    assert 0 <= a["share"] <= 1 and 0 <= a["deception"] <= 1
    t = run_condition(TINY, method="tfb", verify_frac=0.0, seed=3)
    assert t["deception_base"] == a["deception_base"]  # same baseline draws per seed


def test_pressure_without_verification_and_errors():
    r0 = run_condition(TINY, method="rft", verify_frac=0.0, seed=0)
    r1 = run_condition(TINY, method="rft", verify_frac=1.0, seed=0)
    assert r0["deception"] > r1["deception"]
    with pytest.raises(ValueError, match="method 'ppo'"):
        run_condition(TINY, method="ppo", verify_frac=0.0, seed=0)
    with pytest.raises(ValueError, match="mode"):
        run_condition(TINY, method="rft", verify_frac=0.0, seed=0, mode="x")
