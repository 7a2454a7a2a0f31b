"""PolyBench doitgen: A[r, q, :] = A[r, q, :] @ C4 for every r, q (multiresolution
analysis kernel). PolyBench's scratch vector `sum` is a local array."""

from typing import Any

import numpy as np
from common import rand

from allo_verify import float32, int32

POLYBENCH = "doitgen"
SIZES = {"MINI": {"NQ": 8, "NR": 10, "NP": 12}, "SMALL": {"NQ": 20, "NR": 25, "NP": 30},
         "MEDIUM": {"NQ": 40, "NR": 50, "NP": 60}}
TYPES = (float32, int32)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = float32) -> Any:
    nq, nr, np_ = SIZES[size].values()
    T = dtype

    def doitgen(A: T[nr, nq, np_], C4: T[np_, np_]):
        acc: T[np_] = 0
        for r in range(nr):
            for q in range(nq):
                for p in range(np_):
                    acc[p] = 0
                    for s in range(np_):
                        acc[p] += A[r, q, s] * C4[s, p]
                for p in range(np_):
                    A[r, q, p] = acc[p]

    return doitgen


def inputs(size: str = "MINI", dtype: Any = float32, seed: int = 0) -> tuple[np.ndarray, ...]:
    nq, nr, np_ = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return rand(rng, (nr, nq, np_), dtype), rand(rng, (np_, np_), dtype)


def reference(A: np.ndarray, C4: np.ndarray) -> None:
    acc = np.zeros_like(A)
    for s in range(C4.shape[0]):
        acc += A[:, :, s:s + 1] * C4[s]
    A[...] = acc
