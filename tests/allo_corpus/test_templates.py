"""Corpus, templates: parameterized kernels instantiated by types and sizes. The venv runs
Python 3.11, where Allo's `def f[T, M](...)` does not parse, so the kernels use the
equivalent `@allo.template("T", "M")` (README: the one spelling that differs)."""

import numpy as np

import allo_verify as allo
from allo_verify.ir.types import float32, int8, int32

from .corpus_util import assert_proved, rng


@allo.template("T", "M", "N", "K")
def gemm(A: "T[M, K]", B: "T[K, N]") -> "T[M, N]":  # noqa: F821 - template parameters
    C: T[M, N] = 0  # noqa: F821
    for i, j in allo.grid(M, N):  # noqa: F821
        for k in allo.reduction(K):  # noqa: F821
            C[i, j] += A[i, k] * B[k, j]
    return C


@allo.template("T", "L")
def vadd(A: "T[L]", B: "T[L]") -> "T[L]":  # noqa: F821
    C: T[L] = 0  # noqa: F821
    for i in range(L):  # noqa: F821
        C[i] = A[i] + B[i]
    return C


def test_instantiate_int32():
    s = allo.customize(gemm, instantiate=[int32, 8, 8, 8])
    s.split("i", 4)
    s.reorder("i.outer", "j", "i.inner")
    a = rng().integers(-10, 10, (8, 8)).astype(np.int32)
    b = rng(1).integers(-10, 10, (8, 8)).astype(np.int32)
    np.testing.assert_array_equal(s.build()(a, b), a @ b)
    assert_proved(s, csim=True)


def test_instantiate_float32_rectangular():
    s = allo.customize(gemm, instantiate=[float32, 4, 6, 8])
    a = rng().random((4, 8)).astype(np.float32)
    b = rng(1).random((8, 6)).astype(np.float32)
    np.testing.assert_allclose(s.build()(a, b), a @ b, rtol=1e-5)
    assert_proved(s)


def test_named_instances_in_one_kernel():
    def two_mm(A: int32[8, 8], B: int32[8, 8], C: int32[8, 8]) -> int32[8, 8]:
        tmp = gemm[int32, 8, 8, 8, "mm1"](A, B)
        D = gemm[int32, 8, 8, 8, "mm2"](tmp, C)
        return D

    s = allo.customize(two_mm)
    a, b, c = (rng(k).integers(-5, 5, (8, 8)).astype(np.int32) for k in range(3))
    np.testing.assert_array_equal(s.build()(a, b, c), a @ b @ c)
    assert_proved(s)


def test_two_types_in_one_kernel():
    def mixed(A: int8[4, 4], B: int8[4, 4], X: float32[4, 4], Y: float32[4, 4]
              ) -> (int8[4, 4], float32[4, 4]):
        C = gemm[int8, 4, 4, 4](A, B)
        Z = gemm[float32, 4, 4, 4](X, Y)
        return C, Z

    s = allo.customize(mixed)
    a = rng().integers(-3, 3, (4, 4)).astype(np.int8)
    b = rng(1).integers(-3, 3, (4, 4)).astype(np.int8)
    x = rng(2).random((4, 4)).astype(np.float32)
    y = rng(3).random((4, 4)).astype(np.float32)
    c, z = s.build()(a, b, x, y)
    np.testing.assert_array_equal(c, (a.astype(np.int32) @ b).astype(np.int8))
    np.testing.assert_allclose(z, x @ y, rtol=1e-5)
    assert_proved(s)


def test_vector_template_sizes():
    def top(A: int32[16], B: int32[16], C: int32[4], D: int32[4]) -> (int32[16], int32[4]):
        return vadd[int32, 16](A, B), vadd[int32, 4](C, D)

    s = allo.customize(top)
    a, b = rng().integers(0, 9, 16).astype(np.int32), rng(1).integers(0, 9, 16).astype(np.int32)
    c, d = rng(2).integers(0, 9, 4).astype(np.int32), rng(3).integers(0, 9, 4).astype(np.int32)
    r1, r2 = s.build()(a, b, c, d)
    np.testing.assert_array_equal(r1, a + b)
    np.testing.assert_array_equal(r2, c + d)
    assert_proved(s, csim=True)
