"""Kernels the dataflow and stream tests use (in a file so their source is readable)."""

from allo_verify import grid, int32

M, N = 6, 5


def pc_ok(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 3 + 1
    for i1, j1 in grid(M, N):
        C[i1, j1] = B[i1, j1] - 2
    return C


def pc_transposed(A: int32[M, M]) -> int32[M, M]:
    B: int32[M, M] = 0
    C: int32[M, M] = 0
    for i, j in grid(M, M):
        B[i, j] = A[i, j] * 3 + 1
    for i1, j1 in grid(M, M):
        C[i1, j1] = B[j1, i1] - 2
    return C


def pc_reversed(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 3 + 1
    for i1, j1 in grid(M, N):
        C[i1, j1] = B[M - 1 - i1, j1] - 2
    return C


def pc_read_twice(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 3 + 1
    for r, i1, j1 in grid(2, M, N):  # noqa: B007 - the loop repeats the reads
        C[i1, j1] += B[i1, j1]
    return C


def pc_write_twice(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for r, i, j in grid(2, M, N):
        B[i, j] = A[i, j] * 3 + r
    for i1, j1 in grid(M, N):
        C[i1, j1] = B[i1, j1] - 2
    return C


def pc_read_part(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 3 + 1
    for i1, j1 in grid(M - 1, N):
        C[i1, j1] = B[i1, j1] - 2
    return C


def pc_write_part(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M - 1, N):
        B[i, j] = A[i, j] * 3 + 1
    for i1, j1 in grid(M - 1, N):
        C[i1, j1] = B[i1, j1] - 2
    return C


def pc_reconverge(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    X: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 3 + 1
        X[i, j] = A[i, j] - 1
    for i1, j1 in grid(M, N):
        C[i1, j1] = B[i1, j1] + X[M - 1 - i1, j1]
    return C


def two_producers(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 3
    for i1, j1 in grid(M, N):
        B[i1, j1] = A[i1, j1] + 1
    for i2, j2 in grid(M, N):
        C[i2, j2] = B[i2, j2]
    return C


def two_consumers(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    D: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 3
    for i1, j1 in grid(M, N):
        C[i1, j1] = B[i1, j1] + 1
    for i2, j2 in grid(M, N):
        D[i2, j2] = B[i2, j2] + C[i2, j2]
    return D


def feedback(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        C[i, j] = B[i, j] + A[i, j]
    for i1, j1 in grid(M, N):
        B[i1, j1] = A[i1, j1] * 2
    return C


def loose_access(A: int32[M, N]) -> int32[M, N]:
    C: int32[M, N] = 0
    x: int32 = A[0, 0]
    for i, j in grid(M, N):
        C[i, j] = A[i, j] + x
    return C


def twice(X: int32[M, N]) -> int32[M, N]:
    Y: int32[M, N] = 0
    for i, j in grid(M, N):
        Y[i, j] = X[i, j] * 2
    return Y


def two_calls(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = twice(A)
    C: int32[M, N] = twice(B)
    return C


def rows(A: int32[M, N]) -> int32[M, N]:
    C: int32[M, N] = 0
    for r in range(M):
        T: int32[N] = 0
        for j in range(N):
            T[j] = A[r, j] + 1
        for j1 in range(N):
            C[r, j1] = T[j1] * 2
    return C


def rows_two_writers(A: int32[M, N]) -> int32[M, N]:
    C: int32[M, N] = 0
    for r in range(M):
        for j in range(N):
            C[r, j] = A[r, j] + 1
        for j1 in range(N):
            C[r, j1] = A[r, j1] * 2
    return C


def mm3_transposed(A: int32[M, M], B: int32[M, M], C: int32[M, M], D: int32[M, M]
                   ) -> int32[M, M]:
    E: int32[M, M] = 0
    F: int32[M, M] = 0
    G: int32[M, M] = 0
    for i, j in grid(M, M):
        acc: int32 = 0
        for k in range(M):
            acc += A[i, k] * B[k, j]
        E[i, j] = acc
    for i1, j1 in grid(M, M):
        acc1: int32 = 0
        for k1 in range(M):
            acc1 += C[i1, k1] * D[k1, j1]
        F[i1, j1] = acc1
    for i2, k2 in grid(M, M):
        e: int32 = E[k2, i2]
        for j2 in range(M):
            G[i2, j2] += e * F[k2, j2]
    return G
