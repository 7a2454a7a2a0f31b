"""PolyBench symm: C = alpha * A B + beta * C with A symmetric, only its lower triangle read
(alpha = 1.5, beta = 1.2).

    allo-verify verify examples/polybench/symm.py   # Allo's schedule, MEDIUM size
"""

from typing import Any

import numpy as np
from common import const, design_size, rand

import allo_verify as av
from allo_verify import float32, int32

POLYBENCH = "symm"
SIZES = {"MINI": {"M": 20, "N": 30}, "SMALL": {"M": 60, "N": 80},
         "MEDIUM": {"M": 200, "N": 240}}
TYPES = (float32, int32)
TOLERANCE = None
ALPHA, BETA = 1.5, 1.2


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    m, n = SIZES[size].values()
    alpha, beta = (ALPHA, BETA) if dtype is float32 else (int(ALPHA), int(BETA))
    T = dtype

    def symm(C: T[m, n], A: T[m, m], B: T[m, n]):
        for i in range(m):
            for j in range(n):
                temp2: T = 0
                for k in range(i):
                    C[k, j] += alpha * B[i, j] * A[i, k]
                    temp2 += B[k, j] * A[i, k]
                C[i, j] = beta * C[i, j] + alpha * B[i, j] * A[i, i] + alpha * temp2

    return symm


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    m, n = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return rand(rng, (m, n), dtype), rand(rng, (m, m), dtype), rand(rng, (m, n), dtype)


def reference(C: np.ndarray, A: np.ndarray, B: np.ndarray) -> None:
    alpha, beta = const(ALPHA, C.dtype), const(BETA, C.dtype)
    m = A.shape[0]
    for i in range(m):
        temp2 = np.zeros(C.shape[1], C.dtype)
        for k in range(i):   # over j at once: each column j is independent
            C[k, :] += (alpha * B[i, :]) * A[i, k]
            temp2 += B[k, :] * A[i, k]
        C[i, :] = ((beta * C[i, :]) + ((alpha * B[i, :]) * A[i, i])) + alpha * temp2


def schedule(size: str = "MEDIUM") -> av.Schedule:
    """Allo's symm design: the triangular k loop pipelined, C and B partitioned along the
    columns the k loop's iterations touch."""
    s = av.customize(kernel(size))
    s.pipeline("k")
    s.partition(s.A, av.Partition.Cyclic, dim=2, factor=2)
    s.partition(s.C, av.Partition.Cyclic, dim=1, factor=2)
    s.partition(s.B, av.Partition.Cyclic, dim=1, factor=2)
    return s


def __getattr__(name: str) -> Any:  # the design file: built only when allo-verify asks
    if name == "DESIGNS":
        return {"symm": schedule(design_size())}
    raise AttributeError(name)
