"""PolyBench gemver: A += u1 v1^T + u2 v2^T; x += beta A^T y + z; w += alpha A x
(alpha = 1.5, beta = 1.2)."""

from typing import Any

import numpy as np
from common import const, rand

from allo_verify import float32, int32

POLYBENCH = "gemver"
SIZES = {"MINI": {"N": 40}, "SMALL": {"N": 120}, "MEDIUM": {"N": 400}}
TYPES = (float32, int32)
TOLERANCE = None
ALPHA, BETA = 1.5, 1.2


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    (n,) = SIZES[size].values()
    alpha, beta = (ALPHA, BETA) if dtype is float32 else (int(ALPHA), int(BETA))
    T = dtype

    def gemver(A: T[n, n], u1: T[n], v1: T[n], u2: T[n], v2: T[n], w: T[n], x: T[n],
               y: T[n], z: T[n]):
        for i in range(n):
            for j in range(n):
                A[i, j] = A[i, j] + u1[i] * v1[j] + u2[i] * v2[j]
        for i in range(n):
            for j in range(n):
                x[i] = x[i] + beta * A[j, i] * y[j]
        for i in range(n):
            x[i] = x[i] + z[i]
        for i in range(n):
            for j in range(n):
                w[i] = w[i] + alpha * A[i, j] * x[j]

    return gemver


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    (n,) = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return (rand(rng, (n, n), dtype),) + tuple(rand(rng, (n,), dtype) for _ in range(8))


def reference(A: np.ndarray, u1: np.ndarray, v1: np.ndarray, u2: np.ndarray, v2: np.ndarray,
              w: np.ndarray, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> None:
    alpha, beta = const(ALPHA, A.dtype), const(BETA, A.dtype)
    A[...] = (A + u1[:, None] * v1[None, :]) + u2[:, None] * v2[None, :]
    for j in range(A.shape[0]):
        x[:] = x + (beta * A[j, :]) * y[j]
    x[:] = x + z
    for j in range(A.shape[0]):
        w[:] = w + (alpha * A[:, j]) * x[j]
