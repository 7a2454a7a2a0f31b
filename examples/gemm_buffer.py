"""Allo's GEMM memory schedule: the k loop moved outside j, C accumulated in a row buffer at
loop i (buffer_at), A and B partitioned so the pipelined j loop reads them in parallel.

    allo-verify verify examples/gemm_buffer.py
    python examples/gemm_buffer.py       # runs it against NumPy (exit 1 on a mismatch)
"""

import sys

import numpy as np

import allo_verify as av
from allo_verify import grid, int32, reduction

M, N, K = 32, 32, 32


def gemm(A: int32[M, K], B: int32[K, N]) -> int32[M, N]:
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        for k in reduction(K):
            C[i, j] += A[i, k] * B[k, j]
    return C


gemm_schedule = av.customize(gemm)
gemm_schedule.reorder("k", "j")
row = gemm_schedule.buffer_at(gemm_schedule.C, axis="i")   # C_buf: one row of C
gemm_schedule.pipeline("j")
gemm_schedule.partition(gemm_schedule.A, av.Partition.Cyclic, dim=2, factor=4)
gemm_schedule.partition(gemm_schedule.B, av.Partition.Cyclic, dim=2, factor=4)
gemm_schedule.partition(row, av.Partition.Cyclic, dim=1, factor=4)


def main() -> int:
    rng = np.random.default_rng(0)
    a = rng.integers(-1000, 1000, (M, K), dtype=np.int32)
    b = rng.integers(-1000, 1000, (K, N), dtype=np.int32)
    ok = bool(np.array_equal(gemm_schedule.build()(a, b), a @ b))
    checks = [c for st in gemm_schedule.steps for c in st.checks]
    proved = sum(c.result.status == "proved" for c in checks)
    print(f"gemm int32 {M}x{K}x{N}: {len(gemm_schedule.steps)} steps, {proved}/{len(checks)} "
          "L1 obligations proved")
    print(f"  matches NumPy: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
