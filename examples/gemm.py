"""A 64x64 int32 GEMM written as a typed Python kernel, built into an LLVM simulation and
checked against NumPy.

    PYTHONPATH=. python examples/gemm.py

Exits with status 1 if the simulation disagrees with NumPy.
"""

import sys
import time

import numpy as np

import allo_verify as av
from allo_verify import grid, int32, reduction

M, N, K = 64, 64, 64


def gemm(A: int32[M, K], B: int32[K, N]) -> int32[M, N]:
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        for k in reduction(K):
            C[i, j] += A[i, k] * B[k, j]
    return C


def main() -> int:
    t0 = time.perf_counter()
    s = av.customize(gemm)
    t1 = time.perf_counter()
    f = s.build()
    t2 = time.perf_counter()

    rng = np.random.default_rng(0)
    a = rng.integers(-1000, 1000, (M, K), dtype=np.int32)
    b = rng.integers(-1000, 1000, (K, N), dtype=np.int32)
    t3 = time.perf_counter()
    c = f(a, b)
    t4 = time.perf_counter()
    ok = bool(np.array_equal(c, a @ b))

    print(f"gemm int32: A {M}x{K} @ B {K}x{N} -> C {M}x{N}")
    print(f"  customize (source -> MLIR): {(t1 - t0) * 1e3:8.1f} ms")
    print(f"  build (MLIR -> LLVM JIT):   {(t2 - t1) * 1e3:8.1f} ms")
    print(f"  run:                        {(t4 - t3) * 1e3:8.1f} ms")
    print(f"  matches NumPy: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
