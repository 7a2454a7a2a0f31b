"""Kernels the memory-customization tests use (in a file so their source is readable)."""

from allo_verify import grid, int32, reduction

M, N = 10, 8


def scale(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 2
    return B


def bump(X: int32[M, N]) -> int32[M, N]:
    Y: int32[M, N] = 0
    for i, j in grid(M, N):
        Y[i, j] = X[i, j] + 1
    return Y


def passes_down(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 2
    C: int32[M, N] = bump(B)
    return C


def two_sites(A: int32[M, N], D: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = bump(A)
    C: int32[M, N] = bump(D)
    E: int32[M, N] = 0
    for i, j in grid(M, N):
        E[i, j] = B[i, j] + C[i, j]
    return E


def gemm(A: int32[M, M], B: int32[M, N]) -> int32[M, N]:
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        for k in reduction(M):
            C[i, j] += A[i, k] * B[k, j]
    return C


def add_one(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] + 1
    return B


def row_calls(A: int32[M, N]) -> int32[M, N]:
    for i in range(M):
        for j in range(N):
            A[i, j] = A[i, j] + 1
        touch(A)
    return A


def touch(X: int32[M, N]):
    X[0, 0] = X[0, 0] + 1
