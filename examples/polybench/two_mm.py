"""PolyBench 2mm: D = alpha * A @ B @ C + beta * D (alpha = 1.5, beta = 1.2).

PolyBench passes the intermediate `tmp` as an argument only to hold it; here it is a local
array (the kernel's observable effect, D, is unchanged). Each tmp cell is accumulated in a
scalar from 0, the same additions in the same order as PolyBench's `tmp[i][j] = 0; tmp[i][j]
+= ...`.

    allo-verify verify examples/polybench/two_mm.py   # Allo's schedule, MEDIUM size
"""

from typing import Any

import numpy as np
from common import const, design_size, rand

import allo_verify as av
from allo_verify import float32, int32

POLYBENCH = "2mm"
SIZES = {"MINI": {"NI": 16, "NJ": 18, "NK": 22, "NL": 24},
         "SMALL": {"NI": 40, "NJ": 50, "NK": 70, "NL": 80},
         "MEDIUM": {"NI": 180, "NJ": 190, "NK": 210, "NL": 220}}
TYPES = (float32, int32)
TOLERANCE = None
ALPHA, BETA = 1.5, 1.2


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    ni, nj, nk, nl = SIZES[size].values()
    alpha, beta = (ALPHA, BETA) if dtype is float32 else (int(ALPHA), int(BETA))
    T = dtype

    def two_mm(A: T[ni, nk], B: T[nk, nj], C: T[nj, nl], D: T[ni, nl]):
        tmp: T[ni, nj] = 0
        for i in range(ni):
            for j in range(nj):
                acc: T = 0
                for k in range(nk):
                    acc += alpha * A[i, k] * B[k, j]
                tmp[i, j] = acc
        for i in range(ni):
            for j in range(nl):
                D[i, j] *= beta
                for k in range(nj):
                    D[i, j] += tmp[i, k] * C[k, j]

    return two_mm


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    ni, nj, nk, nl = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return (rand(rng, (ni, nk), dtype), rand(rng, (nk, nj), dtype), rand(rng, (nj, nl), dtype),
            rand(rng, (ni, nl), dtype))


def reference(A: np.ndarray, B: np.ndarray, C: np.ndarray, D: np.ndarray) -> None:
    alpha, beta = const(ALPHA, D.dtype), const(BETA, D.dtype)
    tmp = np.zeros((A.shape[0], B.shape[1]), D.dtype)
    for k in range(A.shape[1]):
        tmp += (alpha * A[:, k:k + 1]) * B[k:k + 1, :]
    D *= beta
    for k in range(B.shape[1]):
        D += tmp[:, k:k + 1] * C[k:k + 1, :]


def schedule(size: str = "MEDIUM") -> av.Schedule:
    """Allo's 2mm design: the two products as concurrent dataflow stages with tmp streamed
    between them (the consumer reads each row of tmp once, into a row buffer); in each
    product the j loop is pipelined at II=1, which unrolls its reduction (a whole dot
    product per cycle), so the rows of A and tmp and the columns of B and C are completely
    partitioned, and D along its rows (the running sum lives in its cell)."""
    s = av.customize(kernel(size))
    row = s.buffer_at(s.tmp, axis="i_1")  # the consumer reads each row of tmp once
    s.dataflow("two_mm")
    s.to(s.tmp, "i_1", depth=1)           # so tmp can be a FIFO between the stages
    s.pipeline("tmp_buf.init0")
    s.pipeline("j")
    s.pipeline("j_1")
    s.partition(s.A, av.Partition.Complete, dim=2)
    s.partition(s.B, av.Partition.Complete, dim=1)
    s.partition(row, av.Partition.Complete, dim=1)
    s.partition(s.C, av.Partition.Complete, dim=1)
    s.partition(s.D, av.Partition.Complete, dim=2)
    return s


def composed_kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    """2mm as two calls of product templates (`tmp = alpha A B`, then `D = beta D + tmp C`),
    the shape Allo composes schedules onto. It computes what `kernel` computes, operation for
    operation (`av.check_equivalent(kernel(size), composed_kernel(size))` proves it)."""
    ni, nj, nk, nl = SIZES[size].values()
    alpha, beta = (ALPHA, BETA) if dtype is float32 else (int(ALPHA), int(BETA))
    T = dtype

    @av.template("T", "M", "N", "K")
    def scaled_mm(A: "T[M, K]", B: "T[K, N]") -> "T[M, N]":  # noqa: F821 - template T
        out: T[M, N] = 0  # noqa: F821
        for i, j in av.grid(M, N):  # noqa: F821
            for k in av.reduction(K):  # noqa: F821
                out[i, j] += alpha * A[i, k] * B[k, j]
        return out

    @av.template("T", "M", "N", "K")
    def mm_update(X: "T[M, K]", C: "T[K, N]", D: "T[M, N]"):  # noqa: F821
        for i in range(M):  # noqa: F821
            for j in range(N):  # noqa: F821
                D[i, j] *= beta
                for k in range(K):  # noqa: F821
                    D[i, j] += X[i, k] * C[k, j]

    def two_mm_composed(A: T[ni, nk], B: T[nk, nj], C: T[nj, nl], D: T[ni, nl]):
        tmp = scaled_mm[T, ni, nj, nk, "mm1"](A, B)
        mm_update[T, ni, nl, nj, "mm2"](tmp, C, D)

    two_mm_composed.templates = (scaled_mm, mm_update)
    return two_mm_composed


def composed_schedule(size: str = "MEDIUM") -> av.Schedule:
    """Allo's 2mm design with composition: the first product scheduled on its own (k moved
    outside j, the row of its result in a buffer, k pipelined at II=1 unrolling j, so the
    row buffer and B's columns completely partitioned, the initialisation and buffer loops
    pipelined), the second one too (j pipelined, unrolling its reduction, the rows of X and
    D and the columns of C completely partitioned), both replayed with `compose` onto the
    instances of the top kernel, which runs them as dataflow stages."""
    top_kernel = composed_kernel(size)
    scaled_mm, mm_update = top_kernel.templates
    ni, nj, nk, nl = SIZES[size].values()
    mm1 = av.customize(scaled_mm, instantiate=[float32, ni, nj, nk])
    mm1.reorder("k", "j")
    row = mm1.buffer_at(mm1.out, axis="i")
    mm1.pipeline("out.init1")
    mm1.pipeline("out_buf.init0")
    mm1.pipeline("k")
    mm1.pipeline("out_buf.wb0")
    mm1.partition(row, av.Partition.Complete, dim=1)
    mm1.partition(mm1.B, av.Partition.Complete, dim=2)
    mm2 = av.customize(mm_update, instantiate=[float32, ni, nl, nj])
    mm2.pipeline("j")
    mm2.partition(mm2.X, av.Partition.Complete, dim=2)
    mm2.partition(mm2.C, av.Partition.Complete, dim=1)
    mm2.partition(mm2.D, av.Partition.Complete, dim=2)
    top = av.customize(top_kernel)
    top.compose(mm1, id="mm1")
    top.compose(mm2, id="mm2")
    top.dataflow("two_mm_composed")
    return top


def __getattr__(name: str) -> Any:  # the design file: built only when allo-verify asks
    if name == "DESIGNS":
        size = design_size()
        return {"two_mm": schedule(size), "two_mm_composed": composed_schedule(size)}
    raise AttributeError(name)
