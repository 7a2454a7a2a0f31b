"""PolyBench lu: A = L U in place without pivoting. Float only.

The inputs are diagonally dominant, so no pivot is small (PolyBench makes its matrix
positive definite for the same reason).
"""

from typing import Any

import numpy as np

from allo_verify import float32

POLYBENCH = "lu"
SIZES = {"MINI": {"N": 40}, "SMALL": {"N": 120}, "MEDIUM": {"N": 400}}
TYPES = (float32,)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    (n,) = SIZES[size].values()
    T = dtype

    def lu(A: T[n, n]):
        for i in range(n):
            for j in range(i):
                for k in range(j):
                    A[i, j] -= A[i, k] * A[k, j]
                A[i, j] /= A[j, j]
            for j in range(i, n):
                for k in range(i):
                    A[i, j] -= A[i, k] * A[k, j]

    return lu


def dominant(n: int, rng: np.random.Generator) -> np.ndarray:
    """A float32 matrix with a dominant diagonal."""
    return (rng.uniform(-1, 1, (n, n)) + n * np.eye(n)).astype(np.float32)


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    (n,) = SIZES[size].values()
    return (dominant(n, np.random.default_rng(seed)),)


def reference(A: np.ndarray) -> None:
    """The kernel's updates of each cell in its order, the k loop outermost per row."""
    for i in range(A.shape[0]):
        for k in range(i):
            A[i, k] /= A[k, k]
            A[i, k + 1:] -= A[i, k] * A[k, k + 1:]
