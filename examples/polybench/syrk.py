"""PolyBench syrk: C = alpha * A A^T + beta * C on the lower triangle (alpha = 1.5,
beta = 1.2).

    allo-verify verify examples/polybench/syrk.py   # Allo's schedule, MEDIUM size
"""

from typing import Any

import numpy as np
from common import const, design_size, rand

import allo_verify as av
from allo_verify import float32, int32

POLYBENCH = "syrk"
SIZES = {"MINI": {"M": 20, "N": 30}, "SMALL": {"M": 60, "N": 80},
         "MEDIUM": {"M": 200, "N": 240}}
TYPES = (float32, int32)
TOLERANCE = None
ALPHA, BETA = 1.5, 1.2


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    m, n = SIZES[size].values()
    alpha, beta = (ALPHA, BETA) if dtype is float32 else (int(ALPHA), int(BETA))
    T = dtype

    def syrk(C: T[n, n], A: T[n, m]):
        for i in range(n):
            for j in range(i + 1):
                C[i, j] *= beta
            for k in range(m):
                for j in range(i + 1):
                    C[i, j] += alpha * A[i, k] * A[j, k]

    return syrk


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    m, n = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return rand(rng, (n, n), dtype), rand(rng, (n, m), dtype)


def reference(C: np.ndarray, A: np.ndarray) -> None:
    alpha, beta = const(ALPHA, C.dtype), const(BETA, C.dtype)
    for i in range(C.shape[0]):
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, :i + 1] += (alpha * A[i, k]) * A[:i + 1, k]


def schedule(size: str = "MEDIUM") -> av.Schedule:
    """Allo's syrk design: row i of C in a local buffer (buffer_at: read once, updated by
    every k, written back once), the k loop pipelined at II=1, which unrolls the triangular
    j loop inside it (one row of C updated per cycle), so the row buffer and the columns of A
    (read down a column by j) are completely partitioned; the scaling loop and the
    buffer's load and write-back loops pipelined too."""
    s = av.customize(kernel(size))
    row = s.buffer_at(s.C, axis="i")
    s.pipeline("C_buf.init0")
    s.pipeline("j")
    s.pipeline("k")
    s.pipeline("C_buf.wb0")
    s.partition(row, av.Partition.Complete, dim=1)
    s.partition(s.A, av.Partition.Complete, dim=1)
    return s


def __getattr__(name: str) -> Any:  # the design file: built only when allo-verify asks
    if name == "DESIGNS":
        return {"syrk": schedule(design_size())}
    raise AttributeError(name)
