"""PolyBench ludcmp: LU decomposition without pivoting, then forward and back
substitution solving A x = b. Float only; diagonally dominant inputs.
"""

from typing import Any

import numpy as np
from lu import dominant

from allo_verify import float32

POLYBENCH = "ludcmp"
SIZES = {"MINI": {"N": 40}, "SMALL": {"N": 120}, "MEDIUM": {"N": 400}}
TYPES = (float32,)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    (n,) = SIZES[size].values()
    T = dtype

    def ludcmp(A: T[n, n], b: T[n], x: T[n], y: T[n]):
        w: T = 0.0
        for i in range(n):
            for j in range(i):
                w = A[i, j]
                for k in range(j):
                    w -= A[i, k] * A[k, j]
                A[i, j] = w / A[j, j]
            for j in range(i, n):
                w = A[i, j]
                for k in range(i):
                    w -= A[i, k] * A[k, j]
                A[i, j] = w
        for i in range(n):
            w = b[i]
            for j in range(i):
                w -= A[i, j] * y[j]
            y[i] = w
        for i in range(n - 1, -1, -1):
            w = y[i]
            for j in range(i + 1, n):
                w -= A[i, j] * x[j]
            x[i] = w / A[i, i]

    return ludcmp


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    (n,) = SIZES[size].values()
    rng = np.random.default_rng(seed)
    a = dominant(n, rng)
    b = rng.uniform(-1, 1, n).astype(np.float32)
    return a, b, np.zeros(n, np.float32), np.zeros(n, np.float32)


def reference(A: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    n = A.shape[0]
    for i in range(n):
        for k in range(i):
            A[i, k] /= A[k, k]
            A[i, k + 1:] -= A[i, k] * A[k, k + 1:]
    for i in range(n):
        w = b[i]
        for j in range(i):
            w = w - A[i, j] * y[j]
        y[i] = w
    for i in range(n - 1, -1, -1):
        w = y[i]
        for j in range(i + 1, n):
            w = w - A[i, j] * x[j]
        x[i] = w / A[i, i]
