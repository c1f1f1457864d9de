import numpy as np
import pytest

from replib.games import strategies as St
from replib.games.matrix import battle_of_sexes, prisoners_dilemma
from replib.games.repeated import play

PD = prisoners_dilemma(R=3, S=0, T=5, P=1)


def test_tft_vs_alld_closed_form():
    n = 10
    log = play(PD, [(St.tft(), St.all_d())], n_rounds=n, seeds=[0])
    tot = log.payoffs[0, 0, 0].sum(axis=0)
    assert np.allclose(tot, [0 + (n - 1) * 1, 5 + (n - 1) * 1])
    assert log.actions.shape == (1, 1, 1, n, 2)


def test_grim_vs_wsls_no_noise_full_cooperation():
    log = play(PD, [(St.Grim(), St.wsls()), (St.tft(), St.tft())], n_rounds=20, seeds=[0, 1])
    assert np.all(log.coop_rate() == 1) and np.all(log.mean_payoff() == 3)


def test_noise_rate_and_random_p():
    log = play(PD, [(St.all_c(), St.random_p(p=0.3))], n_rounds=500, seeds=[0, 1, 2, 3],
               noise=0.1)
    c = log.coop_rate()[0, 0]
    assert abs(c[:, 0].mean() - 0.9) < 0.02
    assert abs(c[:, 1].mean() - (0.3 * 0.9 + 0.7 * 0.1)) < 0.02
    assert np.mean(log.intended != log.actions) == pytest.approx(0.1, abs=0.01)


def test_determinism_and_seed_independence():
    pairs = [(St.random_p(p=0.5), St.tft()), (St.wsls(), St.random_p(p=0.5))]
    a = play(PD, pairs, n_rounds=30, seeds=[3, 4], noise=0.05)
    b = play(PD, pairs, n_rounds=30, seeds=[3, 4], noise=0.05)
    c = play(PD, pairs, n_rounds=30, seeds=[4], noise=0.05)
    assert np.array_equal(a.actions, b.actions)
    assert np.array_equal(a.actions[:, :, 1], c.actions[:, :, 0])


def reference_loop(pay, sa, sb, u, noise):
    """One cell, pure python: u (R, 2 players, 2 uses)."""
    sa.reset(1)
    sb.reset(1)
    out = []
    for t in range(u.shape[0]):
        p = [sa.policy()[0], sb.policy()[0]]
        a = [0 if u[t, i, 0] < p[i] else 1 for i in range(2)]
        a = [1 - a[i] if u[t, i, 1] < noise else a[i] for i in range(2)]
        out.append(a + [pay[0, a[0], a[1]], pay[1, a[0], a[1]]])
        sa.observe(np.array([a[0]]), np.array([a[1]]))
        sb.observe(np.array([a[1]]), np.array([a[0]]))
    return np.array(out)


def test_batch_matches_reference_loop():
    games = [PD, battle_of_sexes(high=10, low=7, miss=0)]
    pairs = [(St.gtft(generosity=0.3), St.random_p(p=0.6)), (St.Grim(), St.wsls()),
             (St.Alternate(first=1), St.tft())]
    seeds = [5, 6]
    log = play(games, pairs, n_rounds=25, seeds=seeds, noise=0.1)
    for si, s in enumerate(seeds):
        u = np.random.default_rng(s).random((2, 3, 25, 2, 2))
        for g in range(2):
            for k, (a, b) in enumerate(pairs):
                ref = reference_loop(games[g].payoff, a, b, u[g, k], 0.1)
                assert np.array_equal(log.actions[g, k, si], ref[:, :2])
                assert np.allclose(log.payoffs[g, k, si], ref[:, 2:])


def test_mixed_play_expected_payoffs():
    log = play(PD, [(St.random_p(p=0.5), St.tft())], n_rounds=3, seeds=[0], mixed=True)
    assert log.actions.dtype == np.float64
    assert np.allclose(log.actions[0, 0, 0, :, 1], [1, 0.5, 0.5])
    assert np.allclose(log.payoffs[0, 0, 0, 0], [0.5 * 3 + 0.5 * 5, 0.5 * 3 + 0.5 * 0])
    v = log.view(1)
    assert np.array_equal(v["own"], log.actions[..., 1])


def test_bad_inputs():
    with pytest.raises(ValueError, match="noise"):
        play(PD, [(St.tft(), St.tft())], n_rounds=3, seeds=[0], noise=2)
    with pytest.raises(ValueError, match="2x2"):
        play(np.zeros((2, 3, 3)), [(St.tft(), St.tft())], n_rounds=3, seeds=[0])


def test_memory1_best_response_closed_forms():
    from replib.games.repeated import memory1_best_response
    pd = prisoners_dilemma(R=1, S=-1, T=2, P=0).payoff
    n = 32
    q = np.array([St.tft().q, St.all_c().q, St.all_d().q])
    opt, alld = memory1_best_response(q, pd, n_rounds=n)
    # TFT: cooperate until the last round, then defect: (n - 1) R + T; AllD earns T + (n-1) P
    assert np.allclose(opt, [(n - 1 + 2) / n, 2.0, 0.0])
    assert np.allclose(alld, [2 / n, 2.0, 0.0])
    # the DP value is what the best scripted response actually earns in the runner
    log = play(pd, [(St.Scripted([1] * (n - 1) + [0]), St.tft())], n_rounds=n, seeds=[0])
    assert np.isclose(log.mean_payoff()[0, 0, 0, 0], opt[0])
