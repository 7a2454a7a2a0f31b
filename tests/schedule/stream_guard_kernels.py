"""Kernels whose stream accesses run under data-dependent control (kept in a file so their
source is readable)."""

from allo_verify import grid, int32

M, N = 6, 5


def producer_if(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        if A[i, j] > 0:
            B[i, j] = A[i, j] * 3 + 1
    for i1, j1 in grid(M, N):
        C[i1, j1] = B[i1, j1] - 2
    return C


def consumer_if(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 3 + 1
    for i1, j1 in grid(M, N):
        if A[i1, j1] > 0:
            C[i1, j1] = B[i1, j1] - 2
    return C


def consumer_nested_if(A: int32[M, N], t: int32) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] + 1
    for i1 in range(M):
        for j1 in range(N):
            if t > i1:
                if A[i1, j1] != t:
                    C[i1, j1] = B[i1, j1]
    return C


def consumer_while(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] + 1
    for i1, j1 in grid(M, N):
        k: int32 = A[i1, j1]
        while k > 0:
            C[i1, j1] = B[i1, j1] + k
            k = k - 4
    return C


def unguarded(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 3 + 1
    for i1, j1 in grid(M, N):
        C[i1, j1] = B[i1, j1] - 2
    return C
