"""Corpus, types: Allo's integer widths, unsigned, fixed point, floats and conversions."""

import numpy as np

import allo_verify as allo
from allo_verify.ir.types import (
    Fixed,
    Int,
    UFixed,
    UInt,
    float32,
    float64,
    int8,
    int16,
    int32,
    uint8,
)

from .corpus_util import assert_proved, rng

N = 8


def test_int8_add_widens_to_int16():
    def kernel(A: int8[N], B: int8[N]) -> int16[N]:
        C: int16[N] = 0
        for i in range(N):
            C[i] = A[i] + B[i]
        return C

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(-128, 128, N).astype(np.int8)
    b = rng(1).integers(-128, 128, N).astype(np.int8)
    np.testing.assert_array_equal(mod(a, b), a.astype(np.int16) + b)
    assert_proved(s, csim=True)


def test_arbitrary_width_int():
    def kernel(A: Int(17)[N], B: Int(17)[N]) -> Int(17)[N]:
        C: Int(17)[N] = 0
        for i in range(N):
            C[i] = A[i] + B[i]
        return C

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(-(2**16), 2**16, N).astype(np.int32)
    b = rng(1).integers(-(2**16), 2**16, N).astype(np.int32)
    want = (a.astype(np.int64) + b + 2**16) % 2**17 - 2**16
    np.testing.assert_array_equal(mod(a, b), want)
    assert_proved(s, csim=True)


def test_unsigned_wraparound():
    def kernel(A: uint8[N], B: uint8[N]) -> uint8[N]:
        C: uint8[N] = 0
        for i in range(N):
            C[i] = A[i] - B[i]
        return C

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(0, 256, N).astype(np.uint8)
    b = rng(1).integers(0, 256, N).astype(np.uint8)
    np.testing.assert_array_equal(mod(a, b), a - b)
    assert_proved(s)


def test_uint_n_and_cast():
    def kernel(A: UInt(4)[N]) -> int32[N]:
        B: int32[N] = 0
        for i in range(N):
            B[i] = int32(A[i]) * 3
        return B

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(0, 16, N).astype(np.uint8)
    np.testing.assert_array_equal(mod(a), a.astype(np.int32) * 3)
    assert_proved(s)


def test_fixed_point_add():
    def kernel(A: Fixed(12, 4)[N], B: Fixed(12, 4)[N]) -> Fixed(12, 4)[N]:
        C: Fixed(12, 4)[N] = 0
        for i in range(N):
            C[i] = A[i] + B[i]
        return C

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(-40, 40, N) / 16.0
    b = rng(1).integers(-40, 40, N) / 16.0
    np.testing.assert_array_equal(mod(a, b, fixed_as_float=True), a + b)
    assert_proved(s, csim=True)


def test_ufixed_mul_truncates():
    def kernel(A: UFixed(8, 4)[N], B: UFixed(8, 4)[N]) -> UFixed(8, 4)[N]:
        C: UFixed(8, 4)[N] = 0
        for i in range(N):
            C[i] = A[i] * B[i]
        return C

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(0, 48, N) / 16.0
    b = rng(1).integers(0, 48, N) / 16.0
    want = (np.floor(a * b * 16) % 256) / 16.0  # truncation, then wrap to 8 bits
    np.testing.assert_array_equal(mod(a, b, fixed_as_float=True), want)
    assert_proved(s)


def test_float64_and_float32_mix():
    def kernel(A: float32[N], B: float64[N]) -> float64[N]:
        C: float64[N] = 0.0
        for i in range(N):
            C[i] = A[i] * B[i] + 1.0
        return C

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().random(N).astype(np.float32)
    b = rng(1).random(N)
    np.testing.assert_array_equal(mod(a, b), a.astype(np.float64) * b + 1.0)
    assert_proved(s)


def test_int_to_float_conversion():
    def kernel(A: int32[N]) -> float32[N]:
        B: float32[N] = 0.0
        for i in range(N):
            B[i] = float32(A[i]) / 2.0
        return B

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(-100, 100, N).astype(np.int32)
    np.testing.assert_array_equal(mod(a), a.astype(np.float32) / np.float32(2.0))
    assert_proved(s)


def test_numpy_dtype_conversion_of_arguments():
    def kernel(A: int16[N]) -> int16[N]:
        B: int16[N] = 0
        for i in range(N):
            B[i] = A[i] * 2
        return B

    s = allo.customize(kernel)
    mod = s.build()
    a = np.arange(N, dtype=np.int64)  # converted: every value fits int16
    np.testing.assert_array_equal(mod(a), 2 * a)
    assert_proved(s)
