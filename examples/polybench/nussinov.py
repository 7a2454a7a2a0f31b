"""PolyBench nussinov: RNA folding by dynamic programming (maximum base pairs), over a
sequence of bases 0..3 where (b1, b2) pair when b1 + b2 == 3. Integer only (PolyBench's
table is int): int32 table, int8 sequence. The two bound tests PolyBench keeps
(`j - 1 >= 0`, `i + 1 < N`) are kept as written."""

from typing import Any

import numpy as np

from allo_verify import int8, int32

POLYBENCH = "nussinov"
SIZES = {"MINI": {"N": 60}, "SMALL": {"N": 180}, "MEDIUM": {"N": 500}}
TYPES = (int32,)
TOLERANCE = None


def kernel(size: str = "MINI", dtype: Any = int32) -> Any:
    (n,) = SIZES[size].values()
    T = dtype

    def nussinov(seq: int8[n], table: T[n, n]):
        for i in range(n - 1, -1, -1):
            for j in range(i + 1, n):
                if j - 1 >= 0:
                    table[i, j] = max(table[i, j], table[i, j - 1])
                if i + 1 < n:
                    table[i, j] = max(table[i, j], table[i + 1, j])
                if j - 1 >= 0 and i + 1 < n:
                    if i < j - 1:
                        table[i, j] = max(table[i, j], table[i + 1, j - 1]
                                          + (1 if seq[i] + seq[j] == 3 else 0))
                    else:
                        table[i, j] = max(table[i, j], table[i + 1, j - 1])
                for k in range(i + 1, j):
                    table[i, j] = max(table[i, j], table[i, k] + table[k + 1, j])

    return nussinov


def inputs(size: str = "MINI", dtype: Any = int32, seed: int = 0) -> tuple[np.ndarray, ...]:
    (n,) = SIZES[size].values()
    rng = np.random.default_rng(seed)
    return rng.integers(0, 4, n, dtype=np.int8), np.zeros((n, n), np.int32)


def reference(seq: np.ndarray, table: np.ndarray) -> None:
    n = seq.shape[0]
    s = seq.astype(np.int32)
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            v = max(table[i, j], table[i, j - 1], table[i + 1, j])
            pair = int(s[i] + s[j] == 3) if i < j - 1 else 0
            v = max(v, table[i + 1, j - 1] + pair)
            if j > i + 1:
                v = max(v, int(np.max(table[i, i + 1:j] + table[i + 2:j + 1, j])))
            table[i, j] = v
