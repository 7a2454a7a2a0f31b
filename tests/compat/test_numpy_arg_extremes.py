"""NumPy and Python arguments at the extremes: a finite float scalar that rounds to infinity
in float32 is refused as the same value in an array is (it was silently inf); a real for a
wide fixed-point type is quantized exactly (the float product overflowed: OverflowError
traceback), and a value out of range is a ValueError naming the argument."""

import numpy as np
import pytest

import allo_verify as allo
from allo_verify import Fixed, float32

N = 4
W = Fixed(64, 60)


def add_f(A: float32[N], b: float32) -> float32[N]:
    C: float32[N] = 0.0
    for i in range(N):
        C[i] = A[i] + b
    return C


def add_w(A: W[N], b: W) -> W[N]:
    C: W[N] = 0.0
    for i in range(N):
        C[i] = A[i] + b
    return C


@pytest.mark.parametrize("b", [1e300, -1e300, 3.5e38, 10 ** 39, np.float64(1e39)])
def test_float_scalar_overflowing_float32_is_refused(b: object) -> None:
    f = allo.customize(add_f).build()
    with pytest.raises(ValueError, match="argument 'b'.*float32"):
        f(np.zeros(N, np.float32), b)


@pytest.mark.parametrize("b", [float("inf"), float("nan"), 3.4e38, True])
def test_float_scalar_non_overflowing_values_pass(b: object) -> None:
    f = allo.customize(add_f).build()
    got = f(np.zeros(N, np.float32), b)
    assert np.array_equal(got, np.full(N, np.float32(b)), equal_nan=True)


def test_wide_fixed_reals_quantized_exactly_and_range_checked() -> None:
    f = allo.customize(add_w).build()
    with pytest.raises(ValueError, match="argument 'b'"):
        f(np.zeros(N), 1e300, fixed_as_float=True)
    with pytest.raises(ValueError, match="argument 'A'"):
        f(np.array([1e300, 0.0, 0.0, 0.0]), 0.0, fixed_as_float=True)
    with pytest.raises(ValueError, match="argument 'b'.*finite"):
        f(np.zeros(N), float("nan"), fixed_as_float=True)
    # AP_TRN: toward minus infinity, one ulp (2**-60) below zero for a tiny negative real
    got = f(np.array([-1e-30, 0.1, 0.0, 0.0]), 0.0, fixed_as_float=True)
    assert got[0] == -(2.0 ** -60) and got[1] == np.floor(0.1 * 2 ** 60) / 2 ** 60
