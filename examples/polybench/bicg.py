"""PolyBench bicg: s = A^T r and q = A p, in one sweep over A.

    allo-verify verify examples/polybench/bicg.py   # Allo's schedule, MEDIUM size
"""

from typing import Any

import numpy as np
from common import design_size, rand

import allo_verify as av
from allo_verify import float32, int32

POLYBENCH = "bicg"
SIZES = {"MINI": {"M": 38, "N": 42}, "SMALL": {"M": 116, "N": 124},
         "MEDIUM": {"M": 390, "N": 410}}
TYPES = (float32, int32)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    m, n = SIZES[size].values()
    T = dtype

    def bicg(A: T[n, m], s: T[m], q: T[n], p: T[m], r: T[n]):
        for i in range(m):
            s[i] = 0
        for i in range(n):
            q[i] = 0
            for j in range(m):
                s[j] += r[i] * A[i, j]
                q[i] += A[i, j] * p[j]

    return bicg


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    m, n = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return (rand(rng, (n, m), dtype), rand(rng, (m,), dtype), rand(rng, (n,), dtype),
            rand(rng, (m,), dtype), rand(rng, (n,), dtype))


def reference(A: np.ndarray, s: np.ndarray, q: np.ndarray, p: np.ndarray,
              r: np.ndarray) -> None:
    s[:] = 0
    for i in range(A.shape[0]):
        s += r[i] * A[i, :]
        t = A.dtype.type(0)
        for j in range(A.shape[1]):
            t = t + A[i, j] * p[j]
        q[i] = t


def schedule(size: str = "MEDIUM") -> av.Schedule:
    """Allo's bicg design: the row loop i_1 pipelined, which unrolls the sweep over a row of
    A (every cell of s updated by r[i] times the row, q[i] summed along it), so the row of A,
    s and p are completely partitioned, and q (the running
    sum of a row lives in its cell); the initialisation of s pipelined."""
    s = av.customize(kernel(size))
    s.pipeline("i")
    s.pipeline("i_1")
    s.partition(s.A, av.Partition.Complete, dim=2)
    s.partition(s.s, av.Partition.Complete, dim=1)
    s.partition(s.p, av.Partition.Complete, dim=1)
    s.partition(s.q, av.Partition.Complete, dim=1)
    return s


def __getattr__(name: str) -> Any:  # the design file: built only when allo-verify asks
    if name == "DESIGNS":
        return {"bicg": schedule(design_size())}
    raise AttributeError(name)
