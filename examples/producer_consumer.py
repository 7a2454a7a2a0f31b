"""A producer stage (scale and bias) joined into its consumer (a row difference) with
compute_at, so each row is produced right before it is consumed.

    allo-verify verify examples/producer_consumer.py
"""

import allo_verify as av
from allo_verify import grid, int32

M, N = 16, 16


def scale_then_diff(A: int32[M, N]) -> int32[M, N - 1]:
    B: int32[M, N] = 0
    C: int32[M, N - 1] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 3 + 1
    for i, j in grid(M, N - 1):
        C[i, j] = B[i, j + 1] - B[i, j]
    return C


joined = av.customize(scale_then_diff)
joined.compute_at("i", "i_1")
joined.pipeline("j_1")
