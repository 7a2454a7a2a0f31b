"""Two designs in one file: a schedule and a hand-written pair, both correct."""

import allo_verify as av
from allo_verify import grid, int32

M = 8


def add(A: int32[M, M], B: int32[M, M]) -> int32[M, M]:
    C: int32[M, M] = 0
    for i, j in grid(M, M):
        C[i, j] = A[i, j] + B[i, j]
    return C


def add_transposed_loops(A: int32[M, M], B: int32[M, M]) -> int32[M, M]:
    C: int32[M, M] = 0
    for j, i in grid(M, M):
        C[i, j] = B[i, j] + A[i, j]
    return C


fused = av.customize(add)
fused.fuse("i", "j")
by_hand = av.equivalence(add, add_transposed_loops)
