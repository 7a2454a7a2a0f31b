"""PolyBench covariance: the covariance matrix of the columns of `data` (float_n = N).
Float only."""

from typing import Any

import numpy as np
from common import rand

from allo_verify import float32

POLYBENCH = "covariance"
SIZES = {"MINI": {"M": 28, "N": 32}, "SMALL": {"M": 80, "N": 100},
         "MEDIUM": {"M": 240, "N": 260}}
TYPES = (float32,)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    m, n = SIZES[size].values()
    float_n = float(n)
    T = dtype

    def covariance(data: T[n, m], cov: T[m, m], mean: T[m]):
        for j in range(m):
            mean[j] = 0.0
            for i in range(n):
                mean[j] += data[i, j]
            mean[j] /= float_n
        for i in range(n):
            for j in range(m):
                data[i, j] -= mean[j]
        for i in range(m):
            for j in range(i, m):
                cov[i, j] = 0.0
                for k in range(n):
                    cov[i, j] += data[k, i] * data[k, j]
                cov[i, j] /= float_n - 1.0
                cov[j, i] = cov[i, j]

    return covariance


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    m, n = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return rand(rng, (n, m), dtype), rand(rng, (m, m), dtype), rand(rng, (m,), dtype)


def reference(data: np.ndarray, cov: np.ndarray, mean: np.ndarray) -> None:
    n, m = data.shape
    mean[:] = 0
    for i in range(n):
        mean += data[i, :]
    mean /= np.float32(n)
    data -= mean
    full = np.zeros((m, m), np.float32)
    for k in range(n):
        full += data[k, :, None] * data[k, None, :]
    full /= np.float32(n - 1)
    upper = np.triu(np.ones((m, m), bool))
    cov[upper] = full[upper]
    cov[upper.T] = full.T[upper.T]
