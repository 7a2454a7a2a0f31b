"""Kernels the schedule tests customize (defined in a file so their source is readable)."""

from allo_verify import float32, grid, int32, reduction

M, N, K = 12, 8, 6


def gemm(A: int32[M, K], B: int32[K, N]) -> int32[M, N]:
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        for k in reduction(K):
            C[i, j] += A[i, k] * B[k, j]
    return C


H, W, R = 10, 9, 3


def conv2d(img: int32[H, W], ker: int32[R, R]) -> int32[H - R + 1, W - R + 1]:
    out: int32[H - R + 1, W - R + 1] = 0
    for y, x in grid(H - R + 1, W - R + 1):
        for ry, rx in grid(R, R):
            out[y, x] += img[y + ry, x + rx] * ker[ry, rx]
    return out


def relu(A: float32[M, N]) -> float32[M, N]:
    B: float32[M, N] = 0.0
    for i, j in grid(M, N):
        B[i, j] = max(A[i, j], 0.0)
    return B


def producer_consumer(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] * 3 + 1
    for i, j in grid(M, N):
        C[i, j] = B[i, j] - A[i, j]
    return C


def shifted_consumer(A: int32[M, N]) -> int32[M, N]:
    B: int32[M, N] = 0
    C: int32[M, N] = 0
    for i, j in grid(M, N):
        B[i, j] = A[i, j] + 1
    for i, j in grid(M, N):
        C[i, j] = B[(i + 1) % M, j] * 2
    return C


T = 8


def seidel(A: float32[T, T]):
    for i in range(1, T - 1):
        for j in range(1, T - 1):
            A[i, j] = (A[i - 1, j - 1] + A[i - 1, j] + A[i - 1, j + 1] + A[i, j - 1] + A[i, j]
                       + A[i, j + 1] + A[i + 1, j - 1] + A[i + 1, j] + A[i + 1, j + 1]) / 9.0


def triangular(A: float32[T, T]):
    for i in range(T):
        for j in range(i + 1, T):
            A[i, j] = A[i, j] + A[j, i]


def scale_then_sum(A: int32[T], v: int32[T]) -> int32[T]:
    out: int32[T] = 0
    for p in range(T):
        v[p] = v[p] * 2
    for q in range(T):
        out[q] = A[q] + 1
    return out


def prefix_sum(A: int32[T]):
    for i in range(1, T):
        A[i] = A[i] + A[i - 1]


def row_scale(A: int32[M, N], s: int32[M]):
    for i, j in grid(M, N):
        A[i, j] = A[i, j] * s[i]


def local_accumulator(A: int32[M, N], bias: int32[N]) -> int32[M, N]:
    out: int32[M, N] = 0
    for i, j in grid(M, N):
        acc: int32 = bias[j]
        for k in reduction(4):
            acc += A[i, j] * k
        out[i, j] = acc
    return out


def running_sum(A: int32[M, N]) -> int32[M, N]:
    out: int32[M, N] = 0
    t: int32 = 0
    for i, j in grid(M, N):
        t += A[i, j]
        out[i, j] = t
    return out


def conditional_reset(A: int32[M, N]) -> int32[M, N]:
    out: int32[M, N] = 0
    t: int32 = 0
    for i, j in grid(M, N):
        if j == 0:
            t = 0
        t += A[i, j]
        out[i, j] = t
    return out


def accumulator_returned(A: int32[T, T]) -> int32:
    for i in range(T):
        for j in range(i, T):
            last: int32 = A[i, j]
            A[i, j] = last + 1
    return last


def bump_row(R: int32[N]):
    for j in range(N):
        R[j] = R[j] + 1


def calls_in_loop(A: int32[M, N], R: int32[N]) -> int32[M, N]:
    for i in range(M):
        bump_row(R)
        for j in range(N):
            A[i, j] = A[i, j] + R[j]
    return A


def copy_between(A: int32[T, T]) -> int32[T, T]:
    B: int32[T, T] = 0
    C: int32[T, T] = 0
    for i, j in grid(T, T):
        B[i, j] = A[i, j] + 1
    C = B  # a whole-array copy: reads every cell of B
    for i, j in grid(T, T):
        A[i, j] = C[i, j] * 2
    return A


def time_loop_stages(A: int32[T], C: int32[T]):
    B: int32[T] = 0
    for t in range(3):
        for i in range(T):
            B[i] = A[i] + t
        for i in range(T):
            C[i] = C[i] + B[i]
