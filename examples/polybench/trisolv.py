"""PolyBench trisolv: forward substitution solving L x = b. Float only; the inputs have a
dominant diagonal."""

from typing import Any

import numpy as np

from allo_verify import float32

POLYBENCH = "trisolv"
SIZES = {"MINI": {"N": 40}, "SMALL": {"N": 120}, "MEDIUM": {"N": 400}}
TYPES = (float32,)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    (n,) = SIZES[size].values()
    T = dtype

    def trisolv(L: T[n, n], x: T[n], b: T[n]):
        for i in range(n):
            x[i] = b[i]
            for j in range(i):
                x[i] -= L[i, j] * x[j]
            x[i] = x[i] / L[i, i]

    return trisolv


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    (n,) = SIZES[size].values()
    rng = np.random.default_rng(seed)
    lo = (np.tril(rng.uniform(-1, 1, (n, n))) + n * np.eye(n)).astype(np.float32)
    return lo, np.zeros(n, np.float32), rng.uniform(-1, 1, n).astype(np.float32)


def reference(L: np.ndarray, x: np.ndarray, b: np.ndarray) -> None:
    for i in range(L.shape[0]):
        w = b[i]
        for j in range(i):
            w = w - L[i, j] * x[j]
        x[i] = w / L[i, i]
