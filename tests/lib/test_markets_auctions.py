import numpy as np
import pytest
from scipy.special import logit

from replib.markets.auctions import AuctionLog, make_campaign, replay


def _campaign(seed=0, **kw):
    args = dict(n_fields=4, n_values=5, mean_ctr=0.02, rho=0.5, sigma=0.5, delta_max=50,
                n_train=20_000, n_test=10_000, rng=np.random.default_rng(seed))
    args.update(kw)
    return make_campaign(**args)


def test_generator_shapes_ranges_and_targets():
    cp = _campaign()
    tr, te = cp.train, cp.test
    assert tr.features.shape == (20_000, 4) and te.features.shape == (10_000, 4)
    assert tr.click.dtype == np.int8 and tr.market_price.dtype == np.int64
    assert tr.features.min() >= 0 and tr.features.max() < 5
    prices = np.concatenate([tr.market_price, te.market_price])
    assert prices.min() >= 1 and prices.max() <= 50
    ctr = np.concatenate([tr.ctr, te.ctr])
    assert ctr.mean() == pytest.approx(0.02, rel=1e-6)  # intercept solved on the rows
    clicks = np.concatenate([tr.click, te.click])
    assert abs(clicks.mean() - 0.02) < 4 * np.sqrt(0.02 / 30_000)
    assert abs(prices.mean() - 50 / 3) < 0.6  # mean_price default delta_max/3 (before rounding)
    # valuable impressions are pricier when rho > 0
    assert np.corrcoef(np.log(prices), logit(ctr))[0, 1] > 0.3
    assert cp.params.weights.shape == (4, 5)


def test_generator_is_deterministic_under_seed():
    a, b, c = _campaign(1), _campaign(1), _campaign(2)
    for f in ("features", "ctr", "market_price", "click"):
        assert np.array_equal(getattr(a.train, f), getattr(b.train, f))
        assert np.array_equal(getattr(a.test, f), getattr(b.test, f))
    assert not np.array_equal(a.train.market_price, c.train.market_price)


def test_generator_rejects_bad_targets():
    with pytest.raises(ValueError):
        _campaign(mean_price=60.0)
    with pytest.raises(ValueError):
        _campaign(mean_ctr=1.5)


def _log(n=200, seed=0, delta_max=20):
    rng = np.random.default_rng(seed)
    ctr = rng.uniform(0.0, 0.3, n)
    return AuctionLog(features=np.zeros((n, 1), dtype=np.int64), ctr=ctr,
                      market_price=rng.integers(1, delta_max + 1, n),
                      click=(rng.random(n) < ctr).astype(np.int8), delta_max=delta_max)


def test_replay_zero_bids_win_nothing():
    res = replay(_log(), lambda t, b, th: np.zeros_like(b), horizon=10, budget=100, n_episodes=20)
    assert res.impressions == 0 and res.clicks == 0 and res.cost == 0
    assert np.isnan(res.ecpc) and np.isnan(res.cpm) and res.win_rate == 0.0


def test_replay_max_bids_with_ample_budget_win_everything():
    log = _log()
    res = replay(log, lambda t, b, th: np.full(b.shape, 10**9), horizon=10,
                 budget=10**9, n_episodes=20)
    assert res.impressions == 200 and res.win_rate == 1.0
    assert res.cost == log.market_price.sum() and res.clicks == log.click.sum()
    assert res.exp_clicks == pytest.approx(log.ctr.sum())
    assert res.ecpc == pytest.approx(res.cost / res.clicks)


def test_replay_accounting_and_budget_cap():
    log = _log(seed=3)
    calls = []

    def policy(t_left, budget_left, theta):
        calls.append(t_left)
        assert not budget_left.flags.writeable
        return np.full(budget_left.shape, 10**6)  # capped by the evaluator

    res = replay(log, policy, horizon=10, budget=25, n_episodes=20)
    assert calls == list(range(10, 0, -1))
    assert np.all(res.episode_cost <= 25)
    assert np.all(res.episode_clicks <= res.episode_impressions)
    assert res.n_episodes == 20 and np.all(res.budget == 25)


def test_replay_episode_slicing_and_copies():
    log = _log(seed=4)

    def lin(t, b, th):
        return np.floor(60 * th).astype(np.int64)

    full = replay(log, lin, horizon=10, budget=np.array([15] * 20 + [40] * 20), n_episodes=20,
                  n_copies=2)
    low, high = full.split(2)
    sep = replay(log, lin, horizon=10, budget=40, n_episodes=20)
    assert np.array_equal(high.episode_cost, sep.episode_cost)
    assert low.cost <= high.cost and low.budget[0] == 15
    # episode e only sees auctions [10e, 10e + 10)
    one = replay(AuctionLog(features=log.features[30:40], ctr=log.ctr[30:40],
                            market_price=log.market_price[30:40], click=log.click[30:40],
                            delta_max=20), lin, horizon=10, budget=40, n_episodes=1)
    assert one.clicks == sep.episode_clicks[3] and one.cost == sep.episode_cost[3]


def test_replay_rejects_short_log():
    with pytest.raises(ValueError):
        replay(_log(n=50), lambda t, b, th: b, horizon=10, budget=5, n_episodes=6)
