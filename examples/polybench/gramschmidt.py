"""PolyBench gramschmidt: QR decomposition of A (M x N) by modified Gram-Schmidt. Float
only. With M < N (PolyBench's sizes) the columns past the rank are rounding residue, as in
PolyBench itself; the comparison is still exact (NaN matches NaN)."""

from typing import Any

import numpy as np
from common import rand

from allo_verify import float32, sqrt

POLYBENCH = "gramschmidt"
SIZES = {"MINI": {"M": 20, "N": 30}, "SMALL": {"M": 60, "N": 80},
         "MEDIUM": {"M": 200, "N": 240}}
TYPES = (float32,)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    m, n = SIZES[size].values()
    T = dtype

    def gramschmidt(A: T[m, n], R: T[n, n], Q: T[m, n]):
        for k in range(n):
            nrm: T = 0.0
            for i in range(m):
                nrm += A[i, k] * A[i, k]
            R[k, k] = sqrt(nrm)
            for i in range(m):
                Q[i, k] = A[i, k] / R[k, k]
            for j in range(k + 1, n):
                R[k, j] = 0.0
                for i in range(m):
                    R[k, j] += Q[i, k] * A[i, j]
                for i in range(m):
                    A[i, j] = A[i, j] - Q[i, k] * R[k, j]

    return gramschmidt


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    m, n = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return rand(rng, (m, n), dtype), np.zeros((n, n), np.float32), np.zeros((m, n), np.float32)


def reference(A: np.ndarray, R: np.ndarray, Q: np.ndarray) -> None:
    m, n = A.shape
    for k in range(n):
        nrm = np.float32(0)
        for i in range(m):
            nrm = nrm + A[i, k] * A[i, k]
        R[k, k] = np.sqrt(nrm)
        Q[:, k] = A[:, k] / R[k, k]
        R[k, k + 1:] = 0
        for i in range(m):
            R[k, k + 1:] += Q[i, k] * A[i, k + 1:]
        A[:, k + 1:] = A[:, k + 1:] - Q[:, k:k + 1] * R[k:k + 1, k + 1:]
