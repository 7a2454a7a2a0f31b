"""Regressions found by breaking the frontend on purpose (each was a crash or a wrong
number before)."""

from __future__ import annotations

import numpy as np
import pytest

import allo_verify as av
from allo_verify import Fixed, Int, float16, float32, float64, int32

Q = Fixed(24, 8)
WIDE = Fixed(100, 60)
I200 = Int(200)


def half_to_fixed(X: float16[3], A: Q[3]) -> (Q[3], float16[3]):
    Y: Q[3] = 0.0
    Z: float16[3] = 0.0
    for i in range(3):
        Y[i] = X[i]
        Z[i] = A[i] + X[i]
    return Y, Z


def to_wide_fixed(x: float64) -> WIDE:
    y: WIDE = x
    return y


def wide_int_to_float(a: I200) -> float32:
    return float32(a)


def triangular_window(x: int32[10]) -> int32[10]:
    y: int32[10] = 0
    for i in range(10):
        for j in range(i, 10):
            y[j] += x[j - i]
    return y


def guarded_far_store(A: int32[8]) -> int32[8]:
    B: int32[8] = 0
    for i in range(8):
        if A[i] > 0:
            B[i + 1] = A[i]
    return B


def reversed_runtime(A: int32[8], n: int32) -> int32:
    s: int32 = 0
    for i in range(n, -1, -1):
        s = s * 2 + A[i]
    return s


def same_array_twice(A: int32[4]) -> (int32[4], int32[4]):
    B: int32[4] = 0
    for i in range(4):
        B[i] = A[i]
    return B, B


def inverse_square(x: float32) -> float32:
    return x ** -2


def test_float16_and_fixed_convert_exactly() -> None:
    y, z = av.customize(half_to_fixed).build()(
        np.array([300, -1000.5, 200], np.float16), av.to_fixed([300, 1, 2], Q))
    np.testing.assert_array_equal(y, [76800, -256128, 51200])
    np.testing.assert_array_equal(z, np.array([600, -999.5, 202], np.float16))


def test_float_to_fixed_wider_than_64_bits() -> None:
    assert av.customize(to_wide_fixed).build()(300.0) == 300 * 2**60


def test_wide_integers_to_float32_overflow_to_infinity() -> None:
    f = av.customize(wide_int_to_float).build()
    assert [f(v) for v in (2**129, -(2**150), 12345)] == [np.inf, -np.inf, 12345.0]


def test_triangular_window_is_accepted_and_correct() -> None:
    x = np.arange(10, dtype=np.int32)
    want = [sum(int(x[j - i]) for i in range(j + 1)) for j in range(10)]
    np.testing.assert_array_equal(av.customize(triangular_window).build()(x), want)


def test_guarded_store_past_the_end_writes_nothing() -> None:
    A = np.array([1, -1, 2, 3, -4, 5, 6, 7], np.int32)
    np.testing.assert_array_equal(av.customize(guarded_far_store).build()(A),
                                  [0, 1, 0, 2, 3, 0, 5, 6])


def test_reversed_range_with_a_runtime_start() -> None:
    A = np.arange(8, dtype=np.int32)
    assert av.customize(reversed_runtime).build()(A, 3) == sum(int(A[i]) * 2**i for i in range(4))


def test_returning_one_array_twice_is_refused() -> None:
    with pytest.raises(av.FrontendError, match="returned twice"):
        av.customize(same_array_twice)


def test_negative_float_power() -> None:
    assert av.customize(inverse_square).build()(np.float32(2.0)) == np.float32(0.25)


def inline_type(x: float32) -> Fixed(8, 2):
    return Fixed(8, 2)(x) + Int(3)(1)


def test_types_built_inline_can_cast() -> None:
    want = int(av.to_fixed(1.25, Fixed(8, 2))) + 4  # 1.3 floors to 1.25; + 1 is + 4 scaled
    assert av.customize(inline_type).build()(np.float32(1.3)) == want
