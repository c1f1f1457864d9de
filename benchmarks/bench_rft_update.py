"""RFT update of a tabular policy: sufficient statistics against the per-sample loss.

``replib.rl.rejection.rft_update`` reduces the batch loss (winners' NLL + β KL to the initial
policy, El & Zou 2025's RFT with a truthfulness pull) to counts over (slot, state, choice),
which is exact for a tabular policy. The obvious alternative evaluates the loss on every
(context, slot) of the batch. Both run the same Adam steps from the same start; the script
prints updates per second, the speed-up and the largest parameter difference after one
update from the same start.

    python benchmarks/bench_rft_update.py [--n 160 --slots 30 --steps 10 --repeats 20]
"""

from __future__ import annotations

import argparse
import time

import torch

from replib.rl.rejection import TabularPolicy, rft_update


def per_sample_update(policy, states, winners, *, beta_kl, lr, steps):
    """Reference: the loss on the full (n, slots, choices) batch, same hand-written Adam."""
    th = policy.theta
    slots = torch.arange(th.shape[0])
    ref = torch.log_softmax(policy.theta0[slots[None, :], states], -1)
    m1, m2 = torch.zeros_like(th), torch.zeros_like(th)
    for t in range(1, steps + 1):
        lp = torch.log_softmax(th[slots[None, :], states], -1)
        nll = -lp.gather(-1, winners[..., None]).squeeze(-1).sum(-1).mean()
        kl = (lp.exp() * (lp - ref)).sum(-1).sum(-1).mean()
        (g,) = torch.autograd.grad(nll + beta_kl * kl, th)
        with torch.no_grad():
            m1.mul_(0.9).add_(g, alpha=0.1)
            m2.mul_(0.999).addcmul_(g, g, value=0.001)
            th.sub_(lr * (m1 / (1 - 0.9 ** t)) / ((m2 / (1 - 0.999 ** t)).sqrt() + 1e-8))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=160)
    ap.add_argument("--slots", type=int, default=30)
    ap.add_argument("--levels", type=int, default=4)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=20)
    a = ap.parse_args()
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    states = torch.randint(0, a.levels, (a.n, a.slots), generator=g)
    winners = torch.randint(0, a.levels, (a.n, a.slots), generator=g)
    kw = dict(n_slots=a.slots, n_states=a.levels, n_choices=a.levels, strength=3.0)
    fast, ref = TabularPolicy(**kw), TabularPolicy(**kw)
    rft_update(fast, states, winners, beta_kl=0.1, lr=0.05, steps=a.steps)
    per_sample_update(ref, states, winners, beta_kl=0.1, lr=0.05, steps=a.steps)
    diff = float((fast.theta - ref.theta).abs().max().detach())  # one update, same start
    times = {}
    for name, pol, fn in (("sufficient statistics", fast, rft_update),
                          ("per-sample loss", ref, per_sample_update)):
        fn(pol, states, winners, beta_kl=0.1, lr=0.05, steps=a.steps)  # warm-up
        t0 = time.perf_counter()
        for _ in range(a.repeats):
            fn(pol, states, winners, beta_kl=0.1, lr=0.05, steps=a.steps)
        times[name] = (time.perf_counter() - t0) / a.repeats
        print(f"{name:22s} {1 / times[name]:9.1f} updates/s")
    print(f"speed-up {times['per-sample loss'] / times['sufficient statistics']:.1f}x; "
          f"max |diff| of parameters after one update ({a.steps} Adam steps): {diff:.2e}")


if __name__ == "__main__":
    main()
