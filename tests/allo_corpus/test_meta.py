"""Corpus, compile-time code, structs and sub-arrays: ConstExpr, meta_if / meta_elif /
meta_else, meta_for, Struct, partial indexing and slices."""

import numpy as np

import allo_verify as allo
from allo_verify.ir.types import ConstExpr, Struct, int32

from .corpus_util import assert_proved, rng

N = 8


def test_constexpr_sizes():
    def kernel(A: int32[N]) -> int32[N]:
        K: ConstExpr[int32] = N * 2 + 1
        B: int32[N] = 0
        for i in range(N):
            B[i] = A[i] * K
        return B

    s = allo.customize(kernel)
    a = rng().integers(-8, 8, N).astype(np.int32)
    np.testing.assert_array_equal(s.build()(a), a * 17)
    assert_proved(s)


def test_meta_if_elif_else():
    MODE = 1

    def kernel(A: int32[N]) -> int32[N]:
        B: int32[N] = 0
        for i in range(N):
            with allo.meta_if(MODE == 0):
                B[i] = A[i]
            with allo.meta_elif(MODE == 1):
                B[i] = A[i] * 2
            with allo.meta_else():
                B[i] = -A[i]
        return B

    s = allo.customize(kernel)
    a = rng().integers(-8, 8, N).astype(np.int32)
    np.testing.assert_array_equal(s.build()(a), a * 2)
    assert_proved(s, csim=True)


def test_meta_for_unrolled_taps():
    def kernel(A: int32[N + 3]) -> int32[N]:
        B: int32[N] = 0
        for i in range(N):
            acc: int32 = 0
            with allo.meta_for(4) as k:
                acc += A[i + k] * (k + 1)
            B[i] = acc
        return B

    s = allo.customize(kernel)
    a = rng().integers(-8, 8, N + 3).astype(np.int32)
    want = sum(a[k:k + N] * (k + 1) for k in range(4))
    np.testing.assert_array_equal(s.build()(a), want)
    assert_proved(s)


def test_struct_fields():
    Point = Struct({"x": int32, "y": int32})

    def kernel(A: int32[N], B: int32[N]) -> int32[N]:
        P: Point[N] = 0
        out: int32[N] = 0
        for i in range(N):
            P[i].x = A[i]
            P[i].y = B[i]
        for i in range(N):
            out[i] = P[i].x * P[i].y
        return out

    s = allo.customize(kernel)
    a = rng().integers(-8, 8, N).astype(np.int32)
    b = rng(1).integers(-8, 8, N).astype(np.int32)
    np.testing.assert_array_equal(s.build()(a, b), a * b)
    assert_proved(s)


def test_row_passed_to_kernel():
    def row_sum(r: int32[N]) -> int32:
        t: int32 = 0
        for k in range(N):
            t += r[k]
        return t

    def kernel(A: int32[4, N]) -> int32[4]:
        B: int32[4] = 0
        for i in range(4):
            B[i] = row_sum(A[i])
        return B

    s = allo.customize(kernel)
    a = rng().integers(-8, 8, (4, N)).astype(np.int32)
    np.testing.assert_array_equal(s.build()(a), a.sum(axis=1))
    assert_proved(s)


def test_slice_copy():
    def kernel(A: int32[N, N]) -> int32[N, N]:
        B: int32[N, N] = 0
        B[0:4, :] = A[4:8, :]
        B[4:8, :] = A[0:4, :]
        return B

    s = allo.customize(kernel)
    a = rng().integers(-8, 8, (N, N)).astype(np.int32)
    np.testing.assert_array_equal(s.build()(a), np.concatenate([a[4:], a[:4]]))
    assert_proved(s, csim=True)
