"""Kernels the memory-customization tests use (in a file so their source is readable)."""

import numpy as np

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


H, W = 10, 9


def conv3x3(A: int32[H, W], F: int32[3, 3]) -> int32[H - 2, W - 2]:
    B: int32[H - 2, W - 2] = 0
    for y, x in grid(H - 2, W - 2):
        v: int32 = 0
        for r in reduction(3):
            for c in reduction(3):
                v += A[y + r, x + c] * F[r, c]
        B[y, x] = v
    return B


def blur_x(A: int32[H, W]) -> int32[H, W - 2]:
    B: int32[H, W - 2] = 0
    for y, x in grid(H, W - 2):
        B[y, x] = A[y, x] + A[y, x + 1] + A[y, x + 2]
    return B


def in_place(A: int32[H, W]):
    for y in range(1, H):
        for x in range(W):
            A[y, x] = A[y - 1, x] + A[y, x]


def strided(A: int32[H, W]) -> int32[4, W]:
    B: int32[4, W] = 0
    for y, x in grid(4, W):
        B[y, x] = A[2 * y, x] + A[2 * y + 1, x]
    return B


def uneven(A: int32[H, W]) -> int32[4, W]:
    B: int32[4, W] = 0
    for y, x in grid(4, W):
        B[y, x] = A[2 * y, x] + A[y + 1, x]
    return B


def conv_stride2(A: int32[11, 11]) -> int32[5, 5]:
    B: int32[5, 5] = 0
    for y, x in grid(5, 5):
        v: int32 = 0
        for r in reduction(3):
            for c in reduction(3):
                v += A[2 * y + r, 2 * x + c]
        B[y, x] = v
    return B


def accumulate_rows(A: int32[H, W], B: int32[H - 2, W]):
    for y in range(H - 2):
        for r in reduction(3):
            for x in range(W):
                B[y, x] += A[y + r, x]


def two_stage(A: int32[M, M]) -> int32[M, M]:
    B: int32[M, M] = 0
    for x, y in grid(M, M):
        B[x, y] = A[x, y] * 3
    C: int32[M, M] = 0
    for xx, yy in grid(M, M):
        C[xx, yy] = B[xx, yy] + B[yy, xx]
    return C


WEIGHTS = np.arange(M * N, dtype=np.int32).reshape(M, N)


def with_constant(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = bump(A)
    C: int32[M, N] = bump(WEIGHTS)
    E: int32[M, N] = 0
    for i, j in grid(M, N):
        E[i, j] = B[i, j] + C[i, j]
    return E


def apply_broken(s, prim):  # noqa: ANN001, ANN201
    """Apply a deliberately broken test subclass of a primitive: through `Schedule._apply`
    where the schedule gates `apply` to registered primitives, else through `apply`."""
    return getattr(s, "_apply", s.apply)(prim)
