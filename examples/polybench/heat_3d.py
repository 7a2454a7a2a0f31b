"""PolyBench heat-3d: TSTEPS steps of the 3-D heat equation's 7-point stencil, A into B and
back. Float only."""

from typing import Any

import numpy as np
from common import rand

from allo_verify import float32

POLYBENCH = "heat-3d"
SIZES = {"MINI": {"TSTEPS": 20, "N": 10}, "SMALL": {"TSTEPS": 40, "N": 20},
         "MEDIUM": {"TSTEPS": 100, "N": 40}}
TYPES = (float32,)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    tsteps, n = SIZES[size].values()
    T = dtype

    def heat_3d(A: T[n, n, n], B: T[n, n, n]):
        for t in range(1, tsteps + 1):  # noqa: B007 - the time loop
            for i in range(1, n - 1):
                for j in range(1, n - 1):
                    for k in range(1, n - 1):
                        B[i, j, k] = (0.125 * (A[i + 1, j, k] - 2.0 * A[i, j, k] + A[i - 1, j, k])
                                      + 0.125 * (A[i, j + 1, k] - 2.0 * A[i, j, k]
                                                 + A[i, j - 1, k])
                                      + 0.125 * (A[i, j, k + 1] - 2.0 * A[i, j, k]
                                                 + A[i, j, k - 1])
                                      + A[i, j, k])
            for i in range(1, n - 1):
                for j in range(1, n - 1):
                    for k in range(1, n - 1):
                        A[i, j, k] = (0.125 * (B[i + 1, j, k] - 2.0 * B[i, j, k] + B[i - 1, j, k])
                                      + 0.125 * (B[i, j + 1, k] - 2.0 * B[i, j, k]
                                                 + B[i, j - 1, k])
                                      + 0.125 * (B[i, j, k + 1] - 2.0 * B[i, j, k]
                                                 + B[i, j, k - 1])
                                      + B[i, j, k])

    return heat_3d


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    tsteps, n = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return rand(rng, (n, n, n), dtype), rand(rng, (n, n, n), dtype)


def _step(src: np.ndarray, dst: np.ndarray) -> None:
    c, two = np.float32(0.125), np.float32(2.0)
    x = src[1:-1, 1:-1, 1:-1]
    dst[1:-1, 1:-1, 1:-1] = (((c * ((src[2:, 1:-1, 1:-1] - two * x) + src[:-2, 1:-1, 1:-1])
                               + c * ((src[1:-1, 2:, 1:-1] - two * x) + src[1:-1, :-2, 1:-1]))
                              + c * ((src[1:-1, 1:-1, 2:] - two * x) + src[1:-1, 1:-1, :-2]))
                             + x)


def reference(A: np.ndarray, B: np.ndarray) -> None:
    tsteps = next(v["TSTEPS"] for v in SIZES.values() if v["N"] == A.shape[0])
    for _ in range(tsteps):
        _step(A, B)
        _step(B, A)
