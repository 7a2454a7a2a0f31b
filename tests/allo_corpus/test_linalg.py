"""Corpus, linalg: tensor operators and library calls (`A @ B`, `allo.matmul`, `allo.bmm`,
`allo.linear2d`, `allo.transpose`, elementwise arithmetic on whole arrays)."""

import numpy as np

import allo_verify as allo
from allo_verify.ir.types import float32, int8, int32

from .corpus_util import assert_proved, rng


def test_matmul_operator_int():
    def kernel(A: int32[8, 4], B: int32[4, 8]) -> int32[8, 8]:
        C: int32[8, 8] = A @ B
        return C

    s = allo.customize(kernel)
    a = rng().integers(-8, 8, (8, 4)).astype(np.int32)
    b = rng(1).integers(-8, 8, (4, 8)).astype(np.int32)
    np.testing.assert_array_equal(s.build()(a, b), a @ b)
    assert_proved(s, csim=True)


def test_matmul_int8_into_int32():
    def kernel(A: int8[4, 8], B: int8[8, 4]) -> int32[4, 4]:
        C: int32[4, 4] = A @ B
        return C

    s = allo.customize(kernel)
    a = rng().integers(-128, 128, (4, 8)).astype(np.int8)
    b = rng(1).integers(-128, 128, (8, 4)).astype(np.int8)
    np.testing.assert_array_equal(s.build()(a, b), a.astype(np.int32) @ b)
    assert_proved(s)


def test_allo_matmul_float():
    def kernel(A: float32[4, 8], B: float32[8, 4]) -> float32[4, 4]:
        return allo.matmul(A, B)

    s = allo.customize(kernel)
    a = rng().random((4, 8)).astype(np.float32)
    b = rng(1).random((8, 4)).astype(np.float32)
    np.testing.assert_allclose(s.build()(a, b), a @ b, rtol=1e-5)
    assert_proved(s)


def test_bmm_operator():
    def kernel(A: float32[2, 4, 8], B: float32[2, 8, 4]) -> float32[2, 4, 4]:
        return A @ B

    s = allo.customize(kernel)
    a = rng().random((2, 4, 8)).astype(np.float32)
    b = rng(1).random((2, 8, 4)).astype(np.float32)
    np.testing.assert_allclose(s.build()(a, b), a @ b, rtol=1e-5)
    assert_proved(s)


def test_linear_layer():
    def kernel(X: float32[4, 8], W: float32[6, 8], b: float32[6]) -> float32[4, 6]:
        return allo.linear(X, W, b)

    s = allo.customize(kernel)
    x = rng().random((4, 8)).astype(np.float32)
    w = rng(1).random((6, 8)).astype(np.float32)
    b = rng(2).random(6).astype(np.float32)
    np.testing.assert_allclose(s.build()(x, w, b), x @ w.T + b, rtol=1e-5)
    assert_proved(s)


def test_transpose_then_matmul():
    def kernel(A: int32[4, 8]) -> int32[4, 4]:
        return A @ allo.transpose(A)

    s = allo.customize(kernel)
    a = rng().integers(-8, 8, (4, 8)).astype(np.int32)
    np.testing.assert_array_equal(s.build()(a), a @ a.T)
    assert_proved(s)


def test_elementwise_expression():
    def kernel(A: float32[4, 8], B: float32[4, 8]) -> float32[4, 8]:
        return (A + B) * A - B

    s = allo.customize(kernel)
    a = rng().random((4, 8)).astype(np.float32)
    b = rng(1).random((4, 8)).astype(np.float32)
    np.testing.assert_array_equal(s.build()(a, b), (a + b) * a - b)
    assert_proved(s, csim=True)


def test_gemm_plus_bias_loop_and_operator():
    def kernel(A: int32[8, 8], B: int32[8, 8], bias: int32[8]) -> int32[8, 8]:
        C: int32[8, 8] = A @ B
        D: int32[8, 8] = 0
        for i, j in allo.grid(8, 8):
            D[i, j] = C[i, j] + bias[j]
        return D

    s = allo.customize(kernel)
    s.pipeline("j")  # the top kernel's j, not the matmul instance's
    assert s.log()[-1]["args"]["axis"] == "kernel:j"
    a = rng().integers(-8, 8, (8, 8)).astype(np.int32)
    b = rng(1).integers(-8, 8, (8, 8)).astype(np.int32)
    c = rng(2).integers(-8, 8, 8).astype(np.int32)
    np.testing.assert_array_equal(s.build()(a, b, c), a @ b + c)
    assert_proved(s)
