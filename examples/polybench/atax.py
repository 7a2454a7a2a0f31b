"""PolyBench atax: y = A^T (A x).

PolyBench's scratch vector `tmp` is a local array.

    allo-verify verify examples/polybench/atax.py   # Allo's schedule, MEDIUM size
"""

from typing import Any

import numpy as np
from common import design_size, rand

import allo_verify as av
from allo_verify import float32, int32

POLYBENCH = "atax"
SIZES = {"MINI": {"M": 38, "N": 42}, "SMALL": {"M": 116, "N": 124},
         "MEDIUM": {"M": 390, "N": 410}}
TYPES = (float32, int32)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    m, n = SIZES[size].values()
    T = dtype

    def atax(A: T[m, n], x: T[n], y: T[n]):
        tmp: T[m] = 0
        for i in range(n):
            y[i] = 0
        for i in range(m):
            for j in range(n):
                tmp[i] += A[i, j] * x[j]
            for j in range(n):
                y[j] += A[i, j] * tmp[i]

    return atax


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    m, n = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return rand(rng, (m, n), dtype), rand(rng, (n,), dtype), rand(rng, (n,), dtype)


def reference(A: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    y[:] = 0
    for i in range(A.shape[0]):
        t = A.dtype.type(0)
        for j in range(A.shape[1]):
            t = t + A[i, j] * x[j]
        y += A[i, :] * t


def schedule(size: str = "MEDIUM") -> av.Schedule:
    """Allo's atax design, on this port's loop order: the row loop i_1 pipelined, which
    unrolls both sweeps over j (a row of A times x into tmp[i], then tmp[i] times the row into
    every cell of y: y's update is the only recurrence), so the row of A, x and y are
    completely partitioned (each sweep touches all their cells per row), tmp too (its cell is
    the running sum); the initialisations of tmp and y pipelined."""
    s = av.customize(kernel(size))
    s.pipeline("tmp.init0")
    s.pipeline("i")
    s.pipeline("i_1")
    s.partition(s.A, av.Partition.Complete, dim=2)
    s.partition(s.x, av.Partition.Complete, dim=1)
    s.partition(s.y, av.Partition.Complete, dim=1)
    s.partition(s.tmp, av.Partition.Complete, dim=1)
    return s


def __getattr__(name: str) -> Any:  # the design file: built only when allo-verify asks
    if name == "DESIGNS":
        return {"atax": schedule(design_size())}
    raise AttributeError(name)
