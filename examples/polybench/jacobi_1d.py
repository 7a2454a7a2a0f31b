"""PolyBench jacobi-1d: TSTEPS sweeps of the 3-point average (0.33333), A into B and back.
Float only."""

from typing import Any

import numpy as np
from common import rand

from allo_verify import float32

POLYBENCH = "jacobi-1d"
SIZES = {"MINI": {"TSTEPS": 20, "N": 30}, "SMALL": {"TSTEPS": 40, "N": 120},
         "MEDIUM": {"TSTEPS": 100, "N": 400}}
TYPES = (float32,)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    tsteps, n = SIZES[size].values()
    T = dtype

    def jacobi_1d(A: T[n], B: T[n]):
        for t in range(tsteps):  # noqa: B007 - the time loop
            for i in range(1, n - 1):
                B[i] = 0.33333 * (A[i - 1] + A[i] + A[i + 1])
            for i in range(1, n - 1):
                A[i] = 0.33333 * (B[i - 1] + B[i] + B[i + 1])

    return jacobi_1d


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    tsteps, n = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return rand(rng, (n,), dtype), rand(rng, (n,), dtype)


def reference(A: np.ndarray, B: np.ndarray) -> None:
    tsteps = next(v["TSTEPS"] for v in SIZES.values() if v["N"] == A.shape[0])
    c = np.float32(0.33333)
    for _ in range(tsteps):
        B[1:-1] = c * ((A[:-2] + A[1:-1]) + A[2:])
        A[1:-1] = c * ((B[:-2] + B[1:-1]) + B[2:])
