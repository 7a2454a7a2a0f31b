"""Floats against NumPy: elementary arithmetic (bit-exact, IEEE ops are correctly rounded),
the math functions (close), float <-> int conversions (truncate toward zero, saturate,
NaN -> 0), mixed int/float and float32/float64 arithmetic, float16, min/max/abs, fmod."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from lang_util import as_ints, build, carrier, zeros

import allo_verify as av
from allo_verify import Int, UInt, float16, float32, float64, int8, int32

N = 16
FUNCS = ["exp", "log", "log2", "sqrt", "sin", "cos", "tanh", "pow"]
I128 = Int(128)
U8 = UInt(8)


def math_av32(X: float32[N], Y: float32[N], O: float32[8, N]):
    for i in range(N):
        O[0, i] = av.exp(X[i])
        O[1, i] = av.log(X[i])
        O[2, i] = av.log2(X[i])
        O[3, i] = av.sqrt(X[i])
        O[4, i] = av.sin(X[i])
        O[5, i] = av.cos(X[i])
        O[6, i] = av.tanh(X[i])
        O[7, i] = av.pow(X[i], Y[i])


def math_py32(X: float32[N], Y: float32[N], O: float32[8, N]):
    for i in range(N):
        O[0, i] = math.exp(X[i])
        O[1, i] = math.log(X[i])
        O[2, i] = math.log2(X[i])
        O[3, i] = math.sqrt(X[i])
        O[4, i] = math.sin(X[i])
        O[5, i] = math.cos(X[i])
        O[6, i] = math.tanh(X[i])
        O[7, i] = math.pow(X[i], Y[i])


def math_np32(X: float32[N], Y: float32[N], O: float32[8, N]):
    for i in range(N):
        O[0, i] = np.exp(X[i])
        O[1, i] = np.log(X[i])
        O[2, i] = np.log2(X[i])
        O[3, i] = np.sqrt(X[i])
        O[4, i] = np.sin(X[i])
        O[5, i] = np.cos(X[i])
        O[6, i] = np.tanh(X[i])
        O[7, i] = np.pow(X[i], Y[i])


def math_av64(X: float64[N], Y: float64[N], O: float64[8, N]):
    for i in range(N):
        O[0, i] = av.exp(X[i])
        O[1, i] = av.log(X[i])
        O[2, i] = av.log2(X[i])
        O[3, i] = av.sqrt(X[i])
        O[4, i] = av.sin(X[i])
        O[5, i] = av.cos(X[i])
        O[6, i] = av.tanh(X[i])
        O[7, i] = av.pow(X[i], Y[i])


def _reference(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.stack([np.exp(x), np.log(x), np.log2(x), np.sqrt(x), np.sin(x), np.cos(x),
                     np.tanh(x), np.power(x, y)])


@pytest.mark.parametrize("kernel", [math_av32, math_py32, math_np32], ids=["av", "math", "np"])
def test_math_functions_float32(kernel):
    rng = np.random.default_rng(0)
    x = rng.uniform(0.05, 6.0, N).astype(np.float32)
    x[:3] = [1.0, 0.5, 4.0]
    y = rng.uniform(-2.5, 2.5, N).astype(np.float32)
    out = np.zeros((8, N), np.float32)
    build(kernel)(x, y, out)
    want = _reference(x, y)
    assert want.dtype == np.float32
    for row, name in enumerate(FUNCS):
        np.testing.assert_allclose(out[row], want[row], rtol=1e-5, atol=1e-6, err_msg=name)


def test_math_functions_float64():
    rng = np.random.default_rng(1)
    x = rng.uniform(0.05, 6.0, N)
    y = rng.uniform(-2.5, 2.5, N)
    out = np.zeros((8, N), np.float64)
    build(math_av64)(x, y, out)
    want = _reference(x, y)
    for row, name in enumerate(FUNCS):
        np.testing.assert_allclose(out[row], want[row], rtol=1e-12, atol=1e-14, err_msg=name)


def math_on_ints(a: int8, b: int32, O: float64[2]):
    O[0] = av.exp(a)  # an int of <= 24 bits computes in float32
    O[1] = av.exp(b)  # a wider int computes in float64


def test_math_on_int_operands_picks_float_width():
    out = np.zeros(2, np.float64)
    build(math_on_ints)(3, 3, out)
    assert out[0] == np.float64(np.float32(out[0]))  # a float32 result
    np.testing.assert_allclose(out[0], np.exp(np.float32(3)), rtol=1e-6)
    np.testing.assert_allclose(out[1], math.exp(3), rtol=1e-14)


def float_arith(X: float32[N], Y: float32[N], O: float32[10, N]):
    for i in range(N):
        O[0, i] = X[i] + Y[i]
        O[1, i] = X[i] - Y[i]
        O[2, i] = X[i] * Y[i]
        O[3, i] = X[i] / Y[i]
        O[4, i] = X[i] % Y[i]  # C fmod
        O[5, i] = X[i] * 0.5 + 1.0  # float literals take float32
        O[6, i] = X[i] ** 2
        O[7, i] = -X[i]
        O[8, i] = abs(X[i])
        O[9, i] = X[i] * X[i] * X[i] - 3.0 * Y[i]


def test_float32_arithmetic_bit_exact():
    rng = np.random.default_rng(2)
    x = rng.normal(0, 10, N).astype(np.float32)
    y = rng.normal(0, 3, N).astype(np.float32)
    y[0] = -y[0] if y[0] > 0 else y[0]
    out = np.zeros((10, N), np.float32)
    build(float_arith)(x, y, out)
    f = np.float32
    want = [x + y, x - y, x * y, x / y, np.fmod(x, y), x * f(0.5) + f(1.0), x * x, -x,
            np.abs(x), x * x * x - f(3.0) * y]
    for row, w in enumerate(want):
        np.testing.assert_array_equal(out[row], w.astype(np.float32), err_msg=f"row {row}")


def float_min_max(X: float32[N], Y: float32[N], Mn: float32[N], Mx: float32[N]):
    for i in range(N):
        Mn[i] = min(X[i], Y[i])
        Mx[i] = max(X[i], Y[i])


def test_float_min_max_propagate_nan():
    x = np.array([1, -2, np.nan, 3, np.inf, -np.inf, 0.5, 7] * 2, dtype=np.float32)
    y = np.array([2, -3, 1, np.nan, 5, 4, 0.25, 7] * 2, dtype=np.float32)
    mn, mx = np.zeros(N, np.float32), np.zeros(N, np.float32)
    build(float_min_max)(x, y, mn, mx)
    np.testing.assert_array_equal(mn, np.minimum(x, y))
    np.testing.assert_array_equal(mx, np.maximum(x, y))


def test_float_min_max_order_signed_zeros():
    # IEEE minimum/maximum: -0 < +0, whatever the operand order
    x = np.array([0.0, -0.0, 0.0, -0.0] * 4, dtype=np.float32)
    y = np.array([-0.0, 0.0, 0.0, -0.0] * 4, dtype=np.float32)
    mn, mx = np.zeros(N, np.float32), np.zeros(N, np.float32)
    build(float_min_max)(x, y, mn, mx)
    assert list(np.signbit(mn[:4])) == [True, True, False, True]
    assert list(np.signbit(mx[:4])) == [False, False, False, True]


def float_to_int(X: float32[N], S8: int8[N], I32: int32[N], UU: U8[N], W: I128[N],
                 C8: int8[N], CU: U8[N], CW: I128[N]):
    for i in range(N):
        S8[i] = X[i]  # conversion by assignment
        I32[i] = X[i]
        UU[i] = X[i]
        W[i] = X[i]
        C8[i] = int8(X[i])  # explicit cast
        CU[i] = U8(X[i])
        CW[i] = I128(X[i])


def _sat(x: float, lo: int, hi: int) -> int:
    if math.isnan(x):
        return 0
    if math.isinf(x):
        return hi if x > 0 else lo
    return max(lo, min(hi, math.trunc(x)))


def test_float_to_int_truncates_and_saturates():
    x = np.array([1.7, -1.7, 300.0, -300.0, np.nan, np.inf, -np.inf, 127.9, -128.9, 0.0,
                  -0.5, 1e30, -1e30, 2.5e9, -2.5e9, 255.5], dtype=np.float32)
    s8, c8 = zeros(N, 8, True), zeros(N, 8, True)
    i32 = zeros(N, 32, True)
    uu, cu = zeros(N, 8, False), zeros(N, 8, False)
    w, cw = zeros(N, 128, True), zeros(N, 128, True)
    build(float_to_int)(x, s8, i32, uu, w, c8, cu, cw)
    xs = [float(v) for v in x]
    i64 = (-(1 << 63), (1 << 63) - 1)
    assert as_ints(s8) == [_sat(v, -128, 127) for v in xs]
    assert as_ints(c8) == [_sat(v, -128, 127) for v in xs]
    assert as_ints(i32) == [_sat(v, -(1 << 31), (1 << 31) - 1) for v in xs]
    assert as_ints(uu) == [_sat(v, 0, 255) for v in xs]
    assert as_ints(cu) == [_sat(v, 0, 255) for v in xs]
    assert as_ints(w) == [_sat(v, *i64) for v in xs]  # > 64 bits: saturate at int64
    assert as_ints(cw) == [_sat(v, *i64) for v in xs]
    assert as_ints(s8)[:7] == [1, -1, 127, -128, 0, 127, -128]


def int_to_float(A: int32[N], W: I128[N], X: float32[N], F: float32[N], D: float64[N],
                 M: float32[N]):
    for i in range(N):
        F[i] = float32(A[i])  # round to nearest even
        D[i] = W[i]
        M[i] = A[i] + X[i]  # int meets float: float32


def test_int_to_float_rounds_to_nearest():
    a = [(1 << 24) + 1, (1 << 24) + 3, -(1 << 31), (1 << 31) - 1, 0, -1, 16777217, 123456789]
    a = a * 2
    w = [(1 << 127) - 1, -(1 << 127), (1 << 53) + 1, 3**70, 0, -5, 1 << 100, (1 << 64) + 1] * 2
    rng = np.random.default_rng(3)
    x = rng.normal(0, 100, N).astype(np.float32)
    f, m = np.zeros(N, np.float32), np.zeros(N, np.float32)
    d = np.zeros(N, np.float64)
    build(int_to_float)(carrier(a, 32, True), carrier(w, 128, True), x, f, d, m)
    np.testing.assert_array_equal(f, np.array(a, dtype=np.int64).astype(np.float32))
    np.testing.assert_array_equal(d, np.array([float(v) for v in w]))
    np.testing.assert_array_equal(m, np.array(a, dtype=np.int64).astype(np.float32) + x)


def mixed_widths(X: float32[N], Y: float64[N], O: float64[N], H: float16[N], K: float16[N]):
    for i in range(N):
        O[i] = X[i] * Y[i]  # the wider float
        K[i] = H[i] * H[i] + H[i]


def test_float32_meets_float64_and_float16():
    rng = np.random.default_rng(4)
    x = rng.normal(0, 10, N).astype(np.float32)
    y = rng.normal(0, 10, N)
    h = rng.normal(0, 4, N).astype(np.float16)
    o, k = np.zeros(N), np.zeros(N, np.float16)
    build(mixed_widths)(x, y, o, h, k)
    np.testing.assert_array_equal(o, x.astype(np.float64) * y)
    np.testing.assert_array_equal(k, h * h + h)


def float_scalar(x: float32, y: float64) -> float64:
    return av.sqrt(x * x + y * y)


def test_float_scalar_args_and_return():
    got = build(float_scalar)(3.0, 4.0)
    assert float(got) == 5.0


def float_ops(X: float32[N], Y: float32[N], O: float32[8, N], C: int8[6, N]):
    for i in range(N):
        O[0, i] = X[i] + Y[i]
        O[1, i] = X[i] - Y[i]
        O[2, i] = X[i] * Y[i]
        O[3, i] = X[i] / Y[i]
        O[4, i] = X[i] % Y[i]
        O[5, i] = min(X[i], Y[i])
        O[6, i] = max(X[i], Y[i])
        O[7, i] = abs(X[i]) - Y[i]
        C[0, i] = X[i] < Y[i]
        C[1, i] = X[i] <= Y[i]
        C[2, i] = X[i] > Y[i]
        C[3, i] = X[i] >= Y[i]
        C[4, i] = X[i] == Y[i]
        C[5, i] = X[i] != Y[i]


def ieee_minimum(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """IEEE 754-2019 minimum: NaN if either is NaN, and -0 < +0 (np.minimum may give +0)."""
    out = np.minimum(x, y)
    zeros = (x == 0) & (y == 0)
    out[zeros] = np.where(np.signbit(x) | np.signbit(y), -0.0, 0.0)[zeros]
    return out


def ieee_maximum(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.maximum(x, y)
    zeros = (x == 0) & (y == 0)
    out[zeros] = np.where(np.signbit(x) & np.signbit(y), -0.0, 0.0)[zeros]
    return out


f32s = hnp.arrays(np.float32, N, elements=st.floats(width=32, allow_subnormal=True))


@settings(max_examples=30)
@given(f32s, f32s)
def test_float32_ops_and_comparisons_match_numpy_bitwise(x, y):
    o = np.zeros((8, N), np.float32)
    c = np.zeros((6, N), np.int8)
    build(float_ops)(x, y, o, c)
    with np.errstate(all="ignore"):
        want = np.stack([x + y, x - y, x * y, x / y, np.fmod(x, y), ieee_minimum(x, y),
                         ieee_maximum(x, y), np.abs(x) - y])
        want_c = np.stack([x < y, x <= y, x > y, x >= y, x == y, x != y]).astype(np.int8)
    np.testing.assert_array_equal(c, want_c)
    # compare bit patterns, except that any NaN matches any NaN
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(o), nan)
    np.testing.assert_array_equal(o[~nan].view(np.uint32), want[~nan].view(np.uint32))
