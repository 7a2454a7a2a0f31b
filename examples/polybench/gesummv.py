"""PolyBench gesummv: y = alpha * A x + beta * B x (alpha = 1.5, beta = 1.2).

PolyBench's scratch vector `tmp` is a local array.

    allo-verify verify examples/polybench/gesummv.py   # Allo's schedule, MEDIUM size
"""

from typing import Any

import numpy as np
from common import const, design_size, rand

import allo_verify as av
from allo_verify import float32, int32

POLYBENCH = "gesummv"
SIZES = {"MINI": {"N": 30}, "SMALL": {"N": 90}, "MEDIUM": {"N": 250}}
TYPES = (float32, int32)
TOLERANCE = None
ALPHA, BETA = 1.5, 1.2


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    (n,) = SIZES[size].values()
    alpha, beta = (ALPHA, BETA) if dtype is float32 else (int(ALPHA), int(BETA))
    T = dtype

    def gesummv(A: T[n, n], B: T[n, n], x: T[n], y: T[n]):
        tmp: T[n] = 0
        for i in range(n):
            tmp[i] = 0
            y[i] = 0
            for j in range(n):
                tmp[i] = A[i, j] * x[j] + tmp[i]
                y[i] = B[i, j] * x[j] + y[i]
            y[i] = alpha * tmp[i] + beta * y[i]

    return gesummv


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    (n,) = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return (rand(rng, (n, n), dtype), rand(rng, (n, n), dtype), rand(rng, (n,), dtype),
            rand(rng, (n,), dtype))


def reference(A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    alpha, beta = const(ALPHA, y.dtype), const(BETA, y.dtype)
    tmp = np.zeros_like(y)
    y[:] = 0
    for j in range(A.shape[1]):
        tmp = A[:, j] * x[j] + tmp
        y[:] = B[:, j] * x[j] + y
    y[:] = alpha * tmp + beta * y


def schedule(size: str = "MEDIUM") -> av.Schedule:
    """Allo's gesummv design: the row loop pipelined, which unrolls both row reductions, so
    the rows of A and B and the vector x are completely partitioned, and tmp and y too (the
    running sums of a row live in their cells); the reductions themselves stay in order (the
    float sums are not reassociated); tmp's initialisation pipelined."""
    s = av.customize(kernel(size))
    s.pipeline("tmp.init0")
    s.pipeline("i")
    s.partition(s.A, av.Partition.Complete, dim=2)
    s.partition(s.B, av.Partition.Complete, dim=2)
    s.partition(s.x, av.Partition.Complete, dim=1)
    s.partition(s.tmp, av.Partition.Complete, dim=1)
    s.partition(s.y, av.Partition.Complete, dim=1)
    return s


def __getattr__(name: str) -> Any:  # the design file: built only when allo-verify asks
    if name == "DESIGNS":
        return {"gesummv": schedule(design_size())}
    raise AttributeError(name)
