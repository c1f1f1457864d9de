"""Seeds per second: ``nets.vit.fit_seeds`` (all seeds in one vmapped pass) against the
obvious alternative, one ordinary training loop per seed.

Both train the same ViT-style classifier (``--mixer``) on sklearn digits with Adam, with the
same initialisations and batch orders (the two paths are tested equal in
``tests/lib/test_nets_vit.py``). The script prints the wall and CPU time of each path, their
ratio, and the largest difference in test logits.

    python benchmarks/bench_vit_fit_seeds.py [--mixer ninformer --seeds 3 --epochs 1]
"""

from __future__ import annotations

import argparse
import time

import torch

from replib.data.smallsets import digits
from replib.nets.vit import ViTClassifier, fit_seeds


def loop(build, seeds, x, y, epochs, batch_size, lr):
    models = []
    for s in seeds:
        torch.manual_seed(s)
        m = build()
        opt = torch.optim.Adam(m.parameters(), lr=lr)
        g = torch.Generator().manual_seed(s)
        for _ in range(epochs):
            perm = torch.randperm(len(y), generator=g)
            for i in range(0, len(y), batch_size):
                idx = perm[i:i + batch_size]
                loss = torch.nn.functional.cross_entropy(m(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        models.append(m.eval())
    return models


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mixer", default="ninformer")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--d-model", type=int, default=32)
    ap.add_argument("--n-train", type=int, default=None, help="first n training images")
    a = ap.parse_args()
    data = digits(seed=0)
    x, y = data.x_train[:a.n_train], data.y_train[:a.n_train]
    seeds = list(range(a.seeds))

    def build():
        return ViTClassifier(input_shape=(1, 8, 8), n_classes=10, patch=2, d_model=a.d_model,
                             d_ff=2 * a.d_model, n_layers=2, mixer=a.mixer)

    fit_seeds(build, seeds=seeds, x_train=x[:64], y_train=y[:64], epochs=1,  # warm-up both
              batch_size=a.batch_size, lr=1e-3)
    loop(build, seeds, x[:64], y[:64], 1, a.batch_size, 1e-3)
    t0, c0 = time.perf_counter(), time.process_time()
    fit = fit_seeds(build, seeds=seeds, x_train=x, y_train=y, epochs=a.epochs,
                    batch_size=a.batch_size, lr=1e-3)
    t_vec, c_vec = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    models = loop(build, seeds, x, y, a.epochs, a.batch_size, 1e-3)
    t_loop, c_loop = time.perf_counter() - t0, time.process_time() - c0
    with torch.no_grad():
        diff = max(float((fit.logits(data.x_test)[i] - m(data.x_test)).abs().max())
                   for i, m in enumerate(models))
    print(f"mixer={a.mixer} seeds={a.seeds} epochs={a.epochs} threads={torch.get_num_threads()}")
    print(f"fit_seeds (vmap): {t_vec:.2f} s wall, {c_vec:.2f} s CPU")
    print(f"per-seed loop:    {t_loop:.2f} s wall, {c_loop:.2f} s CPU")
    print(f"ratio loop/vmap: {t_loop / t_vec:.2f} (wall), {c_loop / c_vec:.2f} (CPU)")
    print(f"max |logit difference|: {diff:.2e}")


if __name__ == "__main__":
    main()
