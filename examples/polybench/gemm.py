"""PolyBench gemm: C = alpha * A @ B + beta * C (alpha = 1.5, beta = 1.2).

    allo-verify verify examples/polybench/gemm.py      # Allo's schedule, MEDIUM size
"""


from typing import Any

import numpy as np
from common import const, design_size, rand

import allo_verify as av
from allo_verify import float32, int32

POLYBENCH = "gemm"
SIZES = {"MINI": {"NI": 20, "NJ": 25, "NK": 30}, "SMALL": {"NI": 60, "NJ": 70, "NK": 80},
         "MEDIUM": {"NI": 200, "NJ": 220, "NK": 240}}
TYPES = (float32, int32)
TOLERANCE = None
ALPHA, BETA = 1.5, 1.2


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    ni, nj, nk = SIZES[size].values()
    alpha, beta = (ALPHA, BETA) if dtype is float32 else (int(ALPHA), int(BETA))
    T = dtype

    def gemm(C: T[ni, nj], A: T[ni, nk], B: T[nk, nj]):
        for i in range(ni):
            for j in range(nj):
                C[i, j] *= beta
            for k in range(nk):
                for j in range(nj):
                    C[i, j] += alpha * A[i, k] * B[k, j]

    return gemm


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    ni, nj, nk = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return rand(rng, (ni, nj), dtype), rand(rng, (ni, nk), dtype), rand(rng, (nk, nj), dtype)


def reference(C: np.ndarray, A: np.ndarray, B: np.ndarray) -> None:
    alpha, beta = const(ALPHA, C.dtype.type), const(BETA, C.dtype.type)
    C *= beta
    for k in range(A.shape[1]):
        C += (alpha * A[:, k:k + 1]) * B[k:k + 1, :]


def schedule(size: str = "MEDIUM") -> av.Schedule:
    """Allo's gemm design: k outside j (as written), the row of C in a local buffer at loop i
    (read once, updated by every k, written back once), the k loop pipelined at II=1 (which
    unrolls j: one whole row of C updated per cycle), so the row buffer and the columns of B
    are completely partitioned; the buffer's load and write-back loops pipelined too."""
    s = av.customize(kernel(size))
    row = s.buffer_at(s.C, axis="i")
    s.pipeline("C_buf.init0")
    s.pipeline("j")
    s.pipeline("k")
    s.pipeline("C_buf.wb0")
    s.partition(row, av.Partition.Complete, dim=1)
    s.partition(s.B, av.Partition.Complete, dim=2)
    return s


def __getattr__(name: str) -> Any:  # the design file: built only when allo-verify asks
    if name == "DESIGNS":
        return {"gemm": schedule(design_size())}
    raise AttributeError(name)
