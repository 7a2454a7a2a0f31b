"""PolyBench seidel-2d: TSTEPS in-place Gauss-Seidel sweeps of the 9-point average. Float
only.

The reference updates the cells of one sweep hyperplane by hyperplane (2i + j constant):
every neighbour a cell reads new is on an earlier hyperplane and every neighbour it reads
old on a later one, so each cell sees exactly the values of the sequential sweep."""

from typing import Any

import numpy as np
from common import rand

from allo_verify import float32

POLYBENCH = "seidel-2d"
SIZES = {"MINI": {"TSTEPS": 20, "N": 40}, "SMALL": {"TSTEPS": 40, "N": 120},
         "MEDIUM": {"TSTEPS": 100, "N": 400}}
TYPES = (float32,)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    tsteps, n = SIZES[size].values()
    T = dtype

    def seidel_2d(A: T[n, n]):
        for t in range(tsteps):  # noqa: B007 - the time loop
            for i in range(1, n - 1):
                for j in range(1, n - 1):
                    A[i, j] = (A[i - 1, j - 1] + A[i - 1, j] + A[i - 1, j + 1]
                               + A[i, j - 1] + A[i, j] + A[i, j + 1]
                               + A[i + 1, j - 1] + A[i + 1, j] + A[i + 1, j + 1]) / 9.0

    return seidel_2d


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    tsteps, n = SIZES[size].values()
    return (rand(np.random.default_rng(seed), (n, n), dtype),)


def reference(A: np.ndarray) -> None:
    n = A.shape[0]
    tsteps = next(v["TSTEPS"] for v in SIZES.values() if v["N"] == n)
    ii, jj = np.meshgrid(np.arange(1, n - 1), np.arange(1, n - 1), indexing="ij")
    planes = [(ii[2 * ii + jj == d], jj[2 * ii + jj == d]) for d in range(3, 3 * n)]
    planes = [(i, j) for i, j in planes if i.size]
    nine = np.float32(9.0)
    for _ in range(tsteps):
        for i, j in planes:
            s = A[i - 1, j - 1] + A[i - 1, j]
            for di, dj in ((-1, 1), (0, -1), (0, 0), (0, 1), (1, -1), (1, 0), (1, 1)):
                s = s + A[i + di, j + dj]
            A[i, j] = s / nine
