"""Bradley–Terry fits per second: batched Newton on win counts against scikit-learn.

``replib.tournaments.ratings.fit_bt_counts`` fits many arenas at once (batched Newton on
(B, N, N) win-count matrices); the obvious alternative is one scikit-learn logistic
regression per arena on the ±1 design matrix (Chatbot Arena's recipe). Both fit the same
simulated 200-match arenas with the same ridge; the script prints fits per second, the ratio,
and the largest rating difference between the two (Elo points).

    python benchmarks/bench_bt.py [--players 10 --matches 200 --arenas 300]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from replib.tournaments import arena as A
from replib.tournaments import ratings as R


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=10)
    parser.add_argument("--matches", type=int, default=200)
    parser.add_argument("--arenas", type=int, default=300)
    parser.add_argument("--ridge", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(args.seed)
    true = rng.normal(1000, 40, args.players)
    a, b = A.random_pairs(args.players, args.matches, rng=rng, n_arenas=args.arenas)
    y = A.simulate_outcomes(true, a, b, rng=rng)

    t0 = time.perf_counter()
    w = np.stack([R.win_counts(a[i], b[i], y[i], n_players=args.players)
                  for i in range(args.arenas)])
    fast = R.fit_bt_counts(w, ridge=args.ridge).ratings
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = np.empty_like(fast)
    rows = np.arange(args.matches)
    for i in range(args.arenas):
        x = np.zeros((args.matches, args.players))
        x[rows, a[i]], x[rows, b[i]] = 1.0, -1.0
        lr = LogisticRegression(C=1.0 / args.ridge, fit_intercept=False, tol=1e-10,
                                max_iter=10_000).fit(x, y[i].astype(int))
        th = lr.coef_[0] - lr.coef_[0].mean()
        ref[i] = 1000.0 + R.ELO_SCALE * th
    t_ref = time.perf_counter() - t0
    diff = np.max(np.abs(fast - ref))
    print(f"batched Newton: {args.arenas / t_fast:,.0f} fits/s; scikit-learn: "
          f"{args.arenas / t_ref:,.0f} fits/s")
    print(f"speed-up (batched / sklearn): {t_ref / t_fast:.1f}x; max |diff| {diff:.2e} Elo")


if __name__ == "__main__":
    main()
