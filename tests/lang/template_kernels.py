"""Kernel templates the template and compose tests use (decorator spelling, so they load on
Python 3.11). The template parameters bind only when a template is instantiated."""
# ruff: noqa: F821

import allo_verify as av
from allo_verify import float32, grid, int8, int16, int32, reduction


@av.template("T", "M", "N", "K")
def gemm(A: "T[M, K]", B: "T[K, N]") -> "T[M, N]":
    C: T[M, N] = 0
    for i, j in grid(M, N):
        for k in reduction(K):
            C[i, j] += A[i, k] * B[k, j]
    return C


def two_mm(A: int32[8, 6], B: int32[6, 4], C: int32[4, 8]) -> int32[8, 8]:
    tmp = gemm[int32, 8, 4, 6, "mm1"](A, B)
    D = gemm[int32, 8, 8, 4, "mm2"](tmp, C)
    return D


def two_mm_same(A: int32[8, 8], B: int32[8, 8], C: int32[8, 8]) -> int32[8, 8]:
    tmp = gemm[int32, 8, 8, 8, "mm1"](A, B)
    D = gemm[int32, 8, 8, 8, "mm2"](tmp, C)
    return D


def mixed(A: int32[6, 4], B: int32[4, 5], X: float32[3, 2], Y: float32[2, 3]
          ) -> (int32[6, 5], float32[3, 3]):
    C = gemm[int32, 6, 5, 4](A, B)
    Z = gemm[float32, 3, 3, 2](X, Y)
    return C, Z


def twice_unnamed(A: int32[4, 4], B: int32[4, 4]) -> int32[4, 4]:
    C = gemm[int32, 4, 4, 4](A, B)
    D = gemm[int32, 4, 4, 4](C, B)
    return D


@av.template("T", "N")
def scale(A: "T[N]") -> "T[N]":
    B: T[N] = 0
    for i in range(N):
        B[i] = A[i] * 3
    return B


@av.template("T", "N")
def nested(A: "T[N]") -> "T[N]":
    B = scale[T, N](A)
    C: T[N] = 0
    for i in range(N):
        C[i] = B[i] + 1
    return C


def calls_nested(A: int16[8], X: int8[4]) -> (int16[8], int8[4]):
    B = nested[int16, 8](A)
    Y = nested[int8, 4](X)
    return B, Y


@av.template("N", "D")
def lagged(A: "int32[N]") -> "int32[N]":
    B: int32[N] = 0
    for i in range(D, N):
        B[i] = B[i - D] + A[i]
    return B


def two_lags(A: int32[8]) -> (int32[8], int32[8]):
    X = lagged[8, 4, "far"](A)
    Y = lagged[8, 1, "near"](A)
    return X, Y


@av.template("N")
def gather(A: "int32[N]", idx: "int32[N]") -> "int32[N]":
    B: int32[N] = 0
    for i in range(N):
        B[i] = A[idx[i]]
    return B


def gather_top(A: int32[8], idx: int32[8]) -> int32[8]:
    return gather[8, "g"](A, idx)


@av.template("N")
def keyworded(A: "int32[N, N]") -> "int32[N, N]":
    B: int32[N, N] = 0
    for i, j in grid(N, N, pipeline=True):
        B[i, j] = A[i, j] + 1
    return B


def keyworded_top(A: int32[8, 8]) -> int32[8, 8]:
    return keyworded[8, "kw"](A)
