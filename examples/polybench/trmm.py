"""PolyBench trmm: B = alpha * A^T B with A unit lower triangular (alpha = 1.5).

    allo-verify verify examples/polybench/trmm.py   # Allo's schedule, MEDIUM size
"""

import math
from typing import Any

import numpy as np
from common import const, design_size, rand

import allo_verify as av
from allo_verify import float32, int32

POLYBENCH = "trmm"
SIZES = {"MINI": {"M": 20, "N": 30}, "SMALL": {"M": 60, "N": 80},
         "MEDIUM": {"M": 200, "N": 240}}
TYPES = (float32, int32)
TOLERANCE = None
ALPHA = 1.5


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    m, n = SIZES[size].values()
    alpha = ALPHA if dtype is float32 else int(ALPHA)
    T = dtype

    def trmm(A: T[m, m], B: T[m, n]):
        for i in range(m):
            for j in range(n):
                for k in range(i + 1, m):
                    B[i, j] += A[k, i] * B[k, j]
                B[i, j] = alpha * B[i, j]

    return trmm


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    m, n = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return rand(rng, (m, m), dtype), rand(rng, (m, n), dtype)


def reference(A: np.ndarray, B: np.ndarray) -> None:
    alpha = const(ALPHA, B.dtype)
    m = A.shape[0]
    for i in range(m):
        for k in range(i + 1, m):   # over j at once: each column j is independent
            B[i, :] += A[k, i] * B[k, :]
        B[i, :] = alpha * B[i, :]


def schedule(size: str = "MEDIUM") -> av.Schedule:
    """Allo's trmm design (20 columns at a time): the column loop j split by 20 and its inner
    part unrolled, the triangular k loop inside pipelined, B partitioned cyclically by 20
    along the columns so the 20 copies each read and write their own bank. (Allo also moves
    k outside j over the whole square with a guard `k > i`, so its copies need not wait for
    the sum in B[i, j]; the port's nest keeps k inside j, as the scaling by alpha follows it,
    so here each k waits for the previous update of B[i, j].)"""
    s = av.customize(kernel(size))
    factor = math.gcd(20, SIZES[size]["N"])  # 20 at MEDIUM; a divisor of N at smaller sizes
    s.split("j", factor)
    s.unroll("j.inner")
    s.pipeline("k")
    s.partition(s.B, av.Partition.Cyclic, dim=2, factor=factor)
    return s


def __getattr__(name: str) -> Any:  # the design file: built only when allo-verify asks
    if name == "DESIGNS":
        return {"trmm": schedule(design_size())}
    raise AttributeError(name)
