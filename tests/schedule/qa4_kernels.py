"""Kernels of the qa4 regression tests (in a file so their source is readable)."""

from allo_verify import int32

N = 8


def diagonal(A: int32[N, N]):
    for i in range(1, N):
        for j in range(1, N):
            A[i, j] = A[i - 1, j - 1] + 1
