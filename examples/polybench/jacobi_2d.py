"""PolyBench jacobi-2d: TSTEPS sweeps of the 5-point average, A into B and back.

    allo-verify verify examples/polybench/jacobi_2d.py   # Allo's schedule, MEDIUM size
"""

from typing import Any

import numpy as np
from common import design_size, rand

import allo_verify as av
from allo_verify import float32

POLYBENCH = "jacobi-2d"
SIZES = {"MINI": {"TSTEPS": 20, "N": 30}, "SMALL": {"TSTEPS": 40, "N": 90},
         "MEDIUM": {"TSTEPS": 100, "N": 250}}
TYPES = (float32,)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    tsteps, n = SIZES[size].values()
    T = dtype

    def jacobi_2d(A: T[n, n], B: T[n, n]):
        for t in range(tsteps):  # noqa: B007 - the time loop
            for i in range(1, n - 1):
                for j in range(1, n - 1):
                    B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j]
                                     + A[i - 1, j])
            for i in range(1, n - 1):
                for j in range(1, n - 1):
                    A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j]
                                     + B[i - 1, j])

    return jacobi_2d


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    tsteps, n = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return rand(rng, (n, n), dtype), rand(rng, (n, n), dtype)


def reference(A: np.ndarray, B: np.ndarray) -> None:
    tsteps = next(v["TSTEPS"] for v in SIZES.values() if v["N"] == A.shape[0])
    c = np.float32(0.2)
    for _ in range(tsteps):
        B[1:-1, 1:-1] = c * ((((A[1:-1, 1:-1] + A[1:-1, :-2]) + A[1:-1, 2:]) + A[2:, 1:-1])
                             + A[:-2, 1:-1])
        A[1:-1, 1:-1] = c * ((((B[1:-1, 1:-1] + B[1:-1, :-2]) + B[1:-1, 2:]) + B[2:, 1:-1])
                             + B[:-2, 1:-1])


def schedule(size: str = "MEDIUM") -> av.Schedule:
    """Allo's jacobi-2d design: each sweep reads its input through a 3-row line buffer
    (reuse_at at the row loop: one new row per row), completely partitioned (registers); the
    row loop pipelined at II=1, which unrolls the sweep along the row (a whole row of the
    output per cycle), so A and B are completely partitioned along their columns."""
    s = av.customize(kernel(size))
    a_rows = s.reuse_at(s.A, "i")
    b_rows = s.reuse_at(s.B, "i_1")
    s.partition(a_rows)
    s.partition(b_rows)
    s.partition(s.A, av.Partition.Complete, dim=2)
    s.partition(s.B, av.Partition.Complete, dim=2)
    s.pipeline("i")
    s.pipeline("i_1")
    return s


def __getattr__(name: str) -> Any:  # the design file: built only when allo-verify asks
    if name == "DESIGNS":
        return {"jacobi_2d": schedule(design_size())}
    raise AttributeError(name)
