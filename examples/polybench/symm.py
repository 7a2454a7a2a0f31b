"""PolyBench symm: C = alpha * A B + beta * C with A symmetric, only its lower triangle read
(alpha = 1.5, beta = 1.2).

    allo-verify verify examples/polybench/symm.py   # Allo's schedule, MEDIUM size
"""

import math
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
    """Allo's symm design (24 columns at a time): the column loop j split by 24 and its inner
    part unrolled, the triangular k loop inside pipelined at II=1 (its float sum temp2 makes
    the II the adder's latency), C and B partitioned cyclically by 24 along the columns so
    the 24 copies each read and write their own bank."""
    s = av.customize(kernel(size))
    factor = math.gcd(24, SIZES[size]["N"])  # 24 at MEDIUM; a divisor of N at smaller sizes
    s.split("j", factor)
    s.unroll("j.inner")
    s.pipeline("k")
    s.partition(s.C, av.Partition.Cyclic, dim=2, factor=factor)
    s.partition(s.B, av.Partition.Cyclic, dim=2, factor=factor)
    return s


def __getattr__(name: str) -> Any:  # the design file: built only when allo-verify asks
    if name == "DESIGNS":
        return {"symm": schedule(design_size())}
    raise AttributeError(name)
