"""Corpus, builder: kernels written as Allo's builder tests and tutorials write them."""

import numpy as np

import allo_verify as allo
from allo_verify.ir.types import float32, index, int32

from .corpus_util import assert_proved, rng

N = 16


def test_grid_gemm_named_band():
    def gemm(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:
        C: int32[N, N] = 0
        for i, j, k in allo.grid(N, N, N, name="C"):
            C[i, j] += A[i, k] * B[k, j]
        return C

    s = allo.customize(gemm)
    s.split("i", 4)
    s.split("j", 4)
    s.reorder("i.outer", "j.outer", "i.inner", "j.inner")
    loops = s.get_loops()
    assert list(loops.C.loops.keys()) == ["i.outer", "j.outer", "i.inner", "j.inner", "k"]
    mod = s.build()
    np_A = rng().integers(0, 10, (N, N)).astype(np.int32)
    np_B = rng(1).integers(0, 10, (N, N)).astype(np.int32)
    np.testing.assert_array_equal(mod(np_A, np_B), np_A @ np_B)
    assert_proved(s, csim=True)


def test_range_for_steps():
    def kernel(A: int32[20]):
        for i in range(10):
            A[i] = i
        for i in range(10, 20):
            A[i] = i
        for i in range(0, 20, 2):
            A[i] = i * 2

    s = allo.customize(kernel)
    mod = s.build()
    np_A = np.zeros(20, dtype=np.int32)
    mod(np_A)
    ref = np.arange(20, dtype=np.int32)
    ref[0:20:2] *= 2
    np.testing.assert_array_equal(np_A, ref)
    assert_proved(s)


def test_variable_bound_for():
    def kernel(A: int32[10]):
        for i in range(10):
            for j in range(i + 1, 10):
                for k in range(j * 2, 10):
                    A[k] += i - j

    s = allo.customize(kernel)
    mod = s.build()
    np_A = np.zeros(10, dtype=np.int32)
    mod(np_A)
    ref = np.zeros(10, dtype=np.int32)
    for i in range(10):
        for j in range(i + 1, 10):
            for k in range(j * 2, 10):
                ref[k] += i - j
    np.testing.assert_array_equal(np_A, ref)
    assert_proved(s)


def test_nested_if():
    def kernel(a: int32, b: int32) -> int32:
        r: int32 = 0
        if a == 0:
            r = 1
        elif a == 1:
            r = 2
            if b == 2:
                r = 3
        else:
            r = 4
        return r

    s = allo.customize(kernel)
    mod = s.build()
    for a, b in [(0, 0), (1, 1), (1, 2), (5, 2)]:
        assert mod(a, b) == kernel(a, b)
    assert_proved(s)


def test_logic_and_or():
    def kernel(A: int32[3], b: int32) -> int32:
        r: int32 = 0
        if A[0] > 0 and b < 0:
            r = 1
        elif A[1] * 2 <= 1 or b + 1 >= 1:
            r = 2
        elif A[2] != 3:
            r = 3
        return r

    s = allo.customize(kernel)
    mod = s.build()
    np_A = np.array([0, 1, 2], dtype=np.int32)
    for b in (-3, 0, 1, 2):
        assert mod(np_A, b) == kernel(np_A, b)
    assert_proved(s)


def test_while_loop():
    def kernel(A: int32[10]):
        i: index = 0
        while i < 10:
            A[i] = i
            i += 1

    s = allo.customize(kernel)
    mod = s.build()
    np_A = rng().integers(0, 10, 10).astype(np.int32)
    mod(np_A)
    np.testing.assert_array_equal(np_A, np.arange(10))
    assert_proved(s)


def test_select_expression():
    def kernel(A: int32[N]) -> int32[N]:
        B: int32[N] = 0
        for i in range(N):
            B[i] = 1 if A[i] % 2 == 0 else 0
        return B

    s = allo.customize(kernel)
    s.pipeline("i")
    mod = s.build()
    np_A = rng().integers(-10, 10, N).astype(np.int32)
    np.testing.assert_array_equal(mod(np_A), (np_A % 2 == 0).astype(np.int32))
    assert_proved(s, csim=True)


def test_scalar_arguments():
    def kernel(A: float32[10], B: int32, C: float32) -> float32:
        v: float32 = 0.0
        v = A[0] + float(B) + C
        return v

    s = allo.customize(kernel)
    mod = s.build()
    np_A = rng().random(10).astype(np.float32)
    assert mod(np_A, 1, 2.0) == np.float32(np_A[0] + np.float32(1.0) + np.float32(2.0))
    assert_proved(s)


def test_multiple_returns():
    M = 10

    def kernel(A: int32[M], B: int32[M]) -> (int32[M], int32[M]):
        res0: int32[M] = 0
        res1: int32[M] = 0
        for i in range(M):
            res0[i] = A[i] + 1
            res1[i] = B[i] + 1
        return res0, res1

    s = allo.customize(kernel)
    mod = s.build()
    np_A = rng().integers(0, 10, M).astype(np.int32)
    np_B = rng(1).integers(0, 10, M).astype(np.int32)
    r0, r1 = mod(np_A, np_B)
    np.testing.assert_array_equal(r0, np_A + 1)
    np.testing.assert_array_equal(r1, np_B + 1)
    assert_proved(s, csim=True)


def test_nested_kernel_call():
    def add_one(x: int32) -> int32:
        return x + 1

    def kernel(A: int32[10]) -> int32[10]:
        B: int32[10] = 0
        for i in range(10):
            B[i] = add_one(A[i])
        return B

    s = allo.customize(kernel)
    mod = s.build()
    np_A = rng().integers(0, 10, 10).astype(np.int32)
    np.testing.assert_array_equal(mod(np_A), np_A + 1)
    assert_proved(s)


def test_subview_returned():
    def kernel(A: int32[10, 10]) -> int32[10]:
        return A[5]

    s = allo.customize(kernel)
    mod = s.build()
    np_A = rng().integers(0, 10, (10, 10)).astype(np.int32)
    np.testing.assert_array_equal(mod(np_A), np_A[5])
    assert_proved(s)

    def kernel3(A: float32[5, 10, 15]) -> float32[10, 15]:
        return A[3]

    s = allo.customize(kernel3)
    np_B = rng().random((5, 10, 15)).astype(np.float32)
    out = s.build()(np_B)
    np.testing.assert_array_equal(out, np_B[3])
    out[0, 0] = -1.0  # a copy: the argument is untouched
    assert np_B[3, 0, 0] != -1.0
    assert_proved(s, csim=True)


def test_subview_through_local_copy():
    def kernel(A: int32[10, 10]) -> int32[10]:
        R: int32[10] = A[5]
        return R

    s = allo.customize(kernel)
    np_A = rng().integers(0, 10, (10, 10)).astype(np.int32)
    np.testing.assert_array_equal(s.build()(np_A), np_A[5])
    assert_proved(s)


def test_copy_argument():
    def kernel(inp: int32[4, 4]) -> int32[4, 4]:
        outp: int32[4, 4] = inp
        return outp

    s = allo.customize(kernel)
    mod = s.build()
    np_inp = rng().integers(0, 10, (4, 4)).astype(np.int32)
    np.testing.assert_array_equal(mod(np_inp), np_inp)
    assert_proved(s)


def test_unary_and_mixed_arith():
    def kernel() -> int32:
        v: int32 = 5
        vi: int32 = -(v + 1)
        vf: float32 = -(v + 1.0)
        return +(vi + vf)

    s = allo.customize(kernel)
    assert s.build()() == -12
    assert_proved(s)
