"""PolyBench 3mm: G = (A @ B) @ (C @ D).

PolyBench passes the intermediates E and F as arguments only to hold them; here they are
local arrays (the observable effect, G, is unchanged). Each cell is accumulated in a scalar
from 0: the same additions in the same order as PolyBench's `E[i][j] = 0; E[i][j] += ...`.

    allo-verify verify examples/polybench/three_mm.py   # Allo's schedule, MEDIUM size
"""

from typing import Any

import numpy as np
from common import design_size, rand

import allo_verify as av
from allo_verify import float32, int32

POLYBENCH = "3mm"
SIZES = {"MINI": {"NI": 16, "NJ": 18, "NK": 20, "NL": 22, "NM": 24},
         "SMALL": {"NI": 40, "NJ": 50, "NK": 60, "NL": 70, "NM": 80},
         "MEDIUM": {"NI": 180, "NJ": 190, "NK": 200, "NL": 210, "NM": 220}}
TYPES = (float32, int32)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    ni, nj, nk, nl, nm = SIZES[size].values()
    T = dtype

    def three_mm(A: T[ni, nk], B: T[nk, nj], C: T[nj, nm], D: T[nm, nl], G: T[ni, nl]):
        E: T[ni, nj] = 0
        F: T[nj, nl] = 0
        for i in range(ni):
            for j in range(nj):
                e: T = 0
                for k in range(nk):
                    e += A[i, k] * B[k, j]
                E[i, j] = e
        for i in range(nj):
            for j in range(nl):
                f: T = 0
                for k in range(nm):
                    f += C[i, k] * D[k, j]
                F[i, j] = f
        for i in range(ni):
            for j in range(nl):
                g: T = 0
                for k in range(nj):
                    g += E[i, k] * F[k, j]
                G[i, j] = g

    return three_mm


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    ni, nj, nk, nl, nm = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return (rand(rng, (ni, nk), dtype), rand(rng, (nk, nj), dtype), rand(rng, (nj, nm), dtype),
            rand(rng, (nm, nl), dtype), rand(rng, (ni, nl), dtype))


def _mm(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    Z = np.zeros((X.shape[0], Y.shape[1]), X.dtype)
    for k in range(X.shape[1]):
        Z += X[:, k:k + 1] * Y[k:k + 1, :]
    return Z


def reference(A: np.ndarray, B: np.ndarray, C: np.ndarray, D: np.ndarray,
              G: np.ndarray) -> None:
    G[...] = _mm(_mm(A, B), _mm(C, D))


def schedule(size: str = "MEDIUM") -> av.Schedule:
    """Allo's 3mm design: three product stages under dataflow, E streamed into the third
    stage (which reads each row of E once, into a row buffer); in each product the j loop is
    pipelined at II=1, which unrolls its reduction (one dot product per cycle), so the rows
    of A, C and E's buffer and the columns of B, D and F are completely partitioned; the
    initialisation of F and the row buffer's load pipelined."""
    s = av.customize(kernel(size))
    row = s.buffer_at(s.E, axis="i_2")   # the third stage reads each row of E once
    s.dataflow("three_mm")
    s.to(s.E, "i_2", depth=1)
    s.pipeline("F.init1")
    s.pipeline("E_buf.init0")
    s.pipeline("j")
    s.pipeline("j_1")
    s.pipeline("j_2")
    s.partition(s.A, av.Partition.Complete, dim=2)
    s.partition(s.B, av.Partition.Complete, dim=1)
    s.partition(s.C, av.Partition.Complete, dim=2)
    s.partition(s.D, av.Partition.Complete, dim=1)
    s.partition(row, av.Partition.Complete, dim=1)
    s.partition(s.F, av.Partition.Complete, dim=1)
    return s


def __getattr__(name: str) -> Any:  # the design file: built only when allo-verify asks
    if name == "DESIGNS":
        return {"three_mm": schedule(design_size())}
    raise AttributeError(name)
