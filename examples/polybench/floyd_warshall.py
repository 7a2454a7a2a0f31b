"""PolyBench floyd-warshall: all-pairs shortest paths, relaxing through each k in turn.
PolyBench's default type here is int; float32 too. Inputs are non-negative edge weights."""

from typing import Any

import numpy as np

from allo_verify import float32, int32

POLYBENCH = "floyd-warshall"
SIZES = {"MINI": {"N": 60}, "SMALL": {"N": 180}, "MEDIUM": {"N": 500}}
TYPES = (int32, float32)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = int32) -> Any:
    (n,) = SIZES[size].values()
    T = dtype

    def floyd_warshall(paths: T[n, n]):
        for k in range(n):
            for i in range(n):
                for j in range(n):
                    paths[i, j] = (paths[i, j] if paths[i, j] < paths[i, k] + paths[k, j]
                                   else paths[i, k] + paths[k, j])

    return floyd_warshall


def inputs(size: str = "MINI", dtype: Any = int32, seed: int = 0) -> tuple[np.ndarray, ...]:
    (n,) = SIZES[size].values()
    rng = np.random.default_rng(seed)
    w = rng.integers(1, 1000, (n, n))
    np.fill_diagonal(w, 0)
    return (w.astype(np.float32 if dtype is float32 else np.int32),)


def reference(paths: np.ndarray) -> None:
    """Step k leaves row and column k unchanged (weights are non-negative, paths[k, k] = 0),
    so each step is one vectorized relaxation."""
    for k in range(paths.shape[0]):
        through = paths[:, k:k + 1] + paths[k:k + 1, :]
        paths[...] = np.where(paths < through, paths, through)
