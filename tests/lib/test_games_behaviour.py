"""games.behaviour on hand-made action sequences (0 = cooperate / J, 1 = defect / F)."""

import numpy as np
import pytest

from replib.games import behaviour as B

DEFECT_ONCE = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
GRIM_VS = np.array([0, 1, 1, 1, 1, 1, 1, 1, 1, 1])   # GPT-4's logged PD trajectory
TFT_VS = np.array([0, 1, 0, 0, 0, 0, 0, 0, 0, 0])


def test_forgiveness_retaliation_defect_forever_exact():
    assert B.forgiveness(GRIM_VS, DEFECT_ONCE) == 0.0
    assert B.forgiveness(TFT_VS, DEFECT_ONCE) == 1.0
    assert B.retaliation(GRIM_VS, DEFECT_ONCE) == 1.0
    assert B.retaliation(TFT_VS, DEFECT_ONCE) == 1.0
    assert B.defect_forever(GRIM_VS, DEFECT_ONCE) == 1.0
    assert B.defect_forever(TFT_VS, DEFECT_ONCE) == 0.0
    never = np.zeros(10, dtype=int)
    assert np.isnan(B.forgiveness(never, never)) and np.isnan(B.defect_forever(never, never))
    assert np.isnan(B.retaliation(never, never))


def test_coordination_and_rates_batched():
    own = np.array([[0] * 10, [0, 1] * 5])
    other = np.array([[0, 1] * 5, [0, 1] * 5])
    np.testing.assert_allclose(B.coordination_rate(own, other), [0.5, 1.0])
    np.testing.assert_allclose(B.mutual_cooperation_rate(own, other), [0.5, 0.5])
    np.testing.assert_allclose(B.cooperation_rate(own), [1.0, 0.5])
    np.testing.assert_allclose(B.preferred_rate(own, 0), [1.0, 0.5])
    assert B.cooperation(own).shape == (2, 10)


def test_last_round_effect_and_signature():
    own = np.array([0] * 9 + [1])
    assert B.last_round_effect(own) == -1.0
    sig = B.signature(GRIM_VS[None], DEFECT_ONCE[None])
    assert sig["forgiveness"] == 0.0 and sig["defect_forever"] == 1.0


def test_errors():
    with pytest.raises(ValueError, match="same shape"):
        B.coordination_rate(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="preferred"):
        B.preferred_rate(np.zeros(3), 2)
