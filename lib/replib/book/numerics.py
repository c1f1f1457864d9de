"""Pinned CPU numerics: the same bits on every x86-64 machine, for the ci regression suite.

A seeded chapter is deterministic run to run on one machine, but not across machines:
torch, MKL, oneDNN and NumPy each pick their kernels from the CPU's instruction set (and
MKL from its vendor), and a training run amplifies the last-bit differences of a matmul or
an ``exp`` until a metric moves by percent. The ``ci`` profile's stored values
(``data/expected/``) are then only valid on the machine that recorded them.

:data:`PINNED_CPU_ENV` removes that dependence. Every variable caps one library at one code
path that all x86-64 CPUs of the last decade run:

* ``ATEN_CPU_CAPABILITY=avx2`` - torch's vectorised elementwise kernels;
* ``MKL_CBWR=COMPATIBLE`` - MKL's conditional bitwise reproducibility (torch's BLAS and
  vector math; ``AVX2`` is not enough: MKL still takes different paths on Intel and AMD);
* ``ONEDNN_MAX_CPU_ISA=AVX2`` - oneDNN (torch's convolutions and some matmuls);
* ``OPENBLAS_CORETYPE=Haswell`` - NumPy/SciPy's OpenBLAS;
* ``NPY_DISABLE_CPU_FEATURES`` - NumPy's own AVX-512 dispatch (``exp``, ``log``, ...).

Checked with ``tests/lib/test_book_numerics.py``: a small torch + NumPy workload gives
identical bits natively (AMD Zen 4, AVX-512) and under ``qemu-x86_64 -cpu Haswell-v4``
(Intel, AVX2 only) and ``-cpu EPYC-Rome-v2``; without the pins the native run differs.
One gap remains: torch's float32 ``sqrt`` on the CPU is off by 1 ulp on about 15% of
inputs and differs under QEMU, as if it refined an approximate reciprocal square root
(``rsqrtps``: vendor-specific tables in hardware, exact in QEMU), so an optimizer step
(Adam) is outside what the test can vouch for.

The variables are read when each library loads, so they must be in the environment of the
process that imports them: ``scripts/run_chapters.py`` sets them for the ``ci`` profile
(``--native-numerics`` turns them off), and a ``full`` run keeps the native, faster paths.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = ["PINNED_CPU_ENV", "pinned_env", "numerics_mode", "cpu_model"]

PINNED_CPU_ENV: dict[str, str] = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "MKL_CBWR": "COMPATIBLE",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
}


def pinned_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with :data:`PINNED_CPU_ENV` on top."""
    return {**(os.environ if base is None else base), **PINNED_CPU_ENV}


def numerics_mode(env: Mapping[str, str] | None = None) -> str:
    """``"pinned"`` when every pin is set as :data:`PINNED_CPU_ENV` says, else ``"native"``."""
    env = os.environ if env is None else env
    return "pinned" if all(env.get(k) == v for k, v in PINNED_CPU_ENV.items()) else "native"


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), or the platform's processor string."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform
    return platform.processor() or platform.machine()
