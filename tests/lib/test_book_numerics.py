"""Pinned CPU numerics give the same bits on other CPUs (replib.book.numerics).

The cross-CPU test runs one small torch + NumPy workload (a forward and backward pass of an
MLP and a convolution, BLAS in float32 and float64, MKL and NumPy ``exp``, a LAPACK
inverse) natively and under user-mode QEMU emulating an Intel Haswell (AVX2, no AVX-512)
and an AMD EPYC Rome, all with the pinned environment, and requires identical digests.
Without the pins, a native AVX-512 run differs from them in float64 BLAS, LAPACK, NumPy's
``exp`` and the training step.

Outside what this can check: torch's float32 ``sqrt`` on the CPU is off by 1 ulp on about
15% of inputs and differs under QEMU, as if it refined an approximate reciprocal square
root; QEMU computes ``rsqrtps`` exactly where hardware uses vendor-specific tables, so it
cannot say whether real Intel and AMD chips agree there. An optimizer step (Adam
divides by a square root) is therefore left out; it may still differ in the last bit
between vendors. ``make test`` installs QEMU (Debian's qemu-user) and sets
GG_REQUIRE_QEMU=1, so there the test cannot be skipped.
"""

import os
import platform
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from replib.book.numerics import PINNED_CPU_ENV, cpu_model, numerics_mode, pinned_env

WORKLOAD = r"""
import hashlib, warnings
import numpy as np, torch
warnings.simplefilter("ignore")
torch.manual_seed(0); torch.set_num_threads(2)
digest = {}
def h(name, a):
    digest[name] = hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:12]
net = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.GELU(), torch.nn.Linear(128, 10))
conv = torch.nn.Conv1d(8, 16, 5)
x, y, z = torch.randn(256, 64), torch.randint(0, 10, (256,)), torch.randn(32, 8, 100)
for _ in range(3):  # plain SGD: no sqrt (see the module docstring)
    loss = torch.nn.functional.cross_entropy(net(x), y) + conv(z).pow(2).mean()
    loss.backward()
    with torch.no_grad():
        for p in [*net.parameters(), *conv.parameters()]:
            p -= 0.1 * p.grad
            p.grad = None
params = [*net.parameters(), *conv.parameters()]
h("train", torch.cat([p.detach().flatten() for p in params]).numpy())
a = torch.randn(200, 200, dtype=torch.float64)
h("mm64", (a @ a).numpy()); h("exp", torch.exp(x).numpy())
r = np.random.default_rng(0).standard_normal((200, 200))
h("np_mm", r @ r); h("np_inv", np.linalg.inv(r)); h("np_exp", np.exp(r))
print(sorted(digest.items()))
"""


def _run(prefix: list[str], env: dict) -> str:
    out = subprocess.run([*prefix, sys.executable, "-c", WORKLOAD], env=env, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip().splitlines()[-1]


def test_mode_and_env():
    env = pinned_env({"PATH": "/bin"})
    assert env["PATH"] == "/bin" and numerics_mode(env) == "pinned"
    assert numerics_mode({**env, "MKL_CBWR": "AUTO"}) == "native"
    assert numerics_mode({}) == "native"
    assert isinstance(cpu_model(), str) and cpu_model()


def test_pinned_numerics_are_identical_on_other_cpus():
    qemu = shutil.which("qemu-x86_64")
    if platform.machine() != "x86_64" or qemu is None:
        if os.environ.get("GG_REQUIRE_QEMU") == "1":
            pytest.fail("qemu-x86_64 is missing (make test installs Debian's qemu-user)")
        pytest.skip("needs x86_64 and qemu-x86_64 (Debian qemu-user)")
    env = pinned_env()
    assert all(env[k] == v for k, v in PINNED_CPU_ENV.items())
    runs = {"native": [], "Haswell": [qemu, "-cpu", "Haswell-v4"],
            "EPYC-Rome": [qemu, "-cpu", "EPYC-Rome-v2"]}
    with ThreadPoolExecutor(len(runs)) as ex:
        digests = dict(zip(runs, ex.map(lambda p: _run(p, env), runs.values())))
    assert len(set(digests.values())) == 1, digests
