"""Kernels of the interface-type tests (in a file so their source is readable)."""

from allo_verify import grid, int32

M, N = 4, 3


def consume(X: int32[M, N]) -> int32[M, N]:
    Y: int32[M, N] = 0
    for i, j in grid(M, N):
        Y[i, j] = X[i, j] * 2
    return Y


def one_site(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] + 1
    C: int32[M, N] = consume(B)
    return C


def two_sites(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] + 1
    C: int32[M, N] = consume(B)
    D: int32[M, N] = consume(A)
    E: int32[M, N] = 0
    for i1, j1 in grid(M, N):
        E[i1, j1] = C[i1, j1] + D[i1, j1]
    return E
