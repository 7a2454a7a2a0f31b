"""PolyBench mvt: x1 += A y_1 and x2 += A^T y_2.

    allo-verify verify examples/polybench/mvt.py   # Allo's schedule, MEDIUM size
"""

from typing import Any

import numpy as np
from common import design_size, rand

import allo_verify as av
from allo_verify import float32, int32

POLYBENCH = "mvt"
SIZES = {"MINI": {"N": 40}, "SMALL": {"N": 120}, "MEDIUM": {"N": 400}}
TYPES = (float32, int32)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    (n,) = SIZES[size].values()
    T = dtype

    def mvt(x1: T[n], x2: T[n], y_1: T[n], y_2: T[n], A: T[n, n]):
        for i in range(n):
            for j in range(n):
                x1[i] = x1[i] + A[i, j] * y_1[j]
        for i in range(n):
            for j in range(n):
                x2[i] = x2[i] + A[j, i] * y_2[j]

    return mvt


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    (n,) = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return tuple(rand(rng, (n,), dtype) for _ in range(4)) + (rand(rng, (n, n), dtype),)


def reference(x1: np.ndarray, x2: np.ndarray, y_1: np.ndarray, y_2: np.ndarray,
              A: np.ndarray) -> None:
    for j in range(A.shape[0]):
        x1[:] = x1 + A[:, j] * y_1[j]
    for j in range(A.shape[0]):
        x2[:] = x2 + A[j, :] * y_2[j]


def schedule(size: str = "MEDIUM") -> av.Schedule:
    """Allo's mvt design: the second product's loops interchanged so both read A by rows;
    each row loop pipelined, which unrolls the sweep along the row (x1[i] summed along it;
    every cell of x2 updated by y_2[j] times it), so the rows of A, y_1 and x2 are completely
    partitioned, and x1 (the running sum of a row lives in its cell)."""
    s = av.customize(kernel(size))
    s.reorder("j_1", "i_1")
    s.pipeline("i")
    s.pipeline("j_1")
    s.partition(s.A, av.Partition.Complete, dim=2)
    s.partition(s.y_1, av.Partition.Complete, dim=1)
    s.partition(s.x2, av.Partition.Complete, dim=1)
    s.partition(s.x1, av.Partition.Complete, dim=1)
    return s


def __getattr__(name: str) -> Any:  # the design file: built only when allo-verify asks
    if name == "DESIGNS":
        return {"mvt": schedule(design_size())}
    raise AttributeError(name)
