"""PolyBench cholesky: A = L L^T in place, L in the lower triangle. Float only.

The inputs are symmetric positive definite (PolyBench builds B B^T the same way).
"""

from typing import Any

import numpy as np

from allo_verify import float32, sqrt

POLYBENCH = "cholesky"
SIZES = {"MINI": {"N": 40}, "SMALL": {"N": 120}, "MEDIUM": {"N": 400}}
TYPES = (float32,)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    (n,) = SIZES[size].values()
    T = dtype

    def cholesky(A: T[n, n]):
        for i in range(n):
            for j in range(i):
                for k in range(j):
                    A[i, j] -= A[i, k] * A[j, k]
                A[i, j] /= A[j, j]
            for k in range(i):
                A[i, i] -= A[i, k] * A[i, k]
            A[i, i] = sqrt(A[i, i])

    return cholesky


def spd(n: int, rng: np.random.Generator) -> np.ndarray:
    """A symmetric positive definite float32 matrix, well conditioned."""
    b = rng.uniform(-1, 1, (n, n))
    return (b @ b.T / n + np.eye(n)).astype(np.float32)


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    (n,) = SIZES[size].values()
    return (spd(n, np.random.default_rng(seed)),)


def reference(A: np.ndarray) -> None:
    """The kernel's updates of each cell in its order, the k loop outermost per row."""
    n = A.shape[0]
    for i in range(n):
        for k in range(i):
            A[i, k] /= A[k, k]
            A[i, k + 1:i] -= A[i, k] * A[k + 1:i, k]
        for k in range(i):
            A[i, i] -= A[i, k] * A[i, k]
        A[i, i] = np.sqrt(A[i, i])
