"""Issue 14, item 4: NumPy arguments as Allo users pass them. Another dtype is converted
with a range check naming the argument and index (never a silent wrap); reals for
fixed-point arguments are quantized as ap_fixed<AP_TRN> (out of range is an error); fixed
results come back as reals with `fixed_as_float=True`."""

import numpy as np
import pytest

import allo_verify as allo
from allo_verify import Fixed, float32, int8, int32, uint8

N = 4
F = Fixed(8, 4)


def add8(A: int8[N], B: int8[N]) -> int8[N]:
    C: int8[N] = 0
    for i in range(N):
        C[i] = A[i] + B[i]
    return C


def bump(A: int8[N]):
    for i in range(2):
        A[i] = A[i] + 1


def double(A: float32[N]) -> float32[N]:
    C: float32[N] = 0.0
    for i in range(N):
        C[i] = A[i] * 2.0
    return C


def scale_f(A: float32[N]):
    for i in range(1):
        A[i] = A[i] * 2.0


def fx(A: F[N], x: F) -> F[N]:
    C: F[N] = 0.0
    for i in range(N):
        C[i] = A[i] + x
    return C


def fx_inplace(A: F[N]):
    for i in range(N):
        A[i] = A[i] + A[i]


def u8(A: uint8[N]) -> int32:
    s: int32 = 0
    for i in range(N):
        s += A[i]
    return s


def test_int64_into_int8_in_range():
    f = allo.customize(add8).build()
    out = f(np.array([1, 2, 3, 4]), np.array([5, 6, 7, -8]))
    assert out.dtype == np.int8
    np.testing.assert_array_equal(out, [6, 8, 10, -4])


@pytest.mark.parametrize(("value", "why"), [(300, "does not fit int8"),
                                            (-129, "does not fit int8"),
                                            (1.5, "not an integer"),
                                            (np.nan, "not an integer")])
def test_out_of_range_is_an_error_naming_argument_and_index(value, why):
    f = allo.customize(add8).build()
    b = np.array([5, 6, 7, 8], dtype=np.float64 if isinstance(value, float) else np.int64)
    b[2] = value
    with pytest.raises(ValueError, match=rf"argument 'B': value at index \(2,\).*{why}"):
        f(np.array([1, 2, 3, 4]), b)


def test_negative_into_unsigned_is_refused():
    f = allo.customize(u8).build()
    assert f(np.array([1, 2, 3, 250])) == 256
    with pytest.raises(ValueError, match=r"'A'.*index \(0,\).*-1"):
        f(np.array([-1, 2, 3, 4]))


def test_converted_argument_written_back_in_place():
    g = allo.customize(bump).build()
    a = np.array([1, 2, 3, 4], dtype=np.int64)
    g(a)
    np.testing.assert_array_equal(a, [2, 3, 3, 4])
    assert a.dtype == np.int64


def test_unwritten_cells_keep_the_callers_exact_value():
    # float64 into float32 rounds on the way in; cells the kernel does not write must not
    # come back rounded
    g = allo.customize(scale_f).build()
    a = np.array([0.1, 0.1, 0.1, 0.1], dtype=np.float64)
    g(a)
    assert a[1] == 0.1 and a[0] == np.float64(np.float32(0.1) * np.float32(2.0))


def test_float64_into_float32_rounds_and_overflow_is_an_error():
    h = allo.customize(double).build()
    x = np.array([0.1, 1e10, 2.0, -3.5])
    np.testing.assert_array_equal(h(x), (x.astype(np.float32) * np.float32(2)))
    with pytest.raises(ValueError, match=r"'A': value at index \(1,\).*overflows float32"):
        h(np.array([0.1, 1e300, 2.0, 0.0]))
    np.testing.assert_array_equal(h(np.array([1, 2, 3, 4])), [2, 4, 6, 8])  # ints too


def test_reals_for_fixed_point_are_quantized_by_truncation():
    k = allo.customize(fx).build()
    a = np.array([0.5, 1.3, -2.0, -0.03])
    q = k(a, 0.5)
    # AP_TRN: floor(x * 16); 1.3 -> 20 (1.25), -0.03 -> -1 (-0.0625)
    np.testing.assert_array_equal(q, [16, 28, -24, 7])
    np.testing.assert_array_equal(k(a, 0.5, fixed_as_float=True),
                                  [1.0, 1.75, -1.5, 0.4375])
    np.testing.assert_array_equal(k(allo.to_fixed(a, F), 8), q)  # scaled integers unchanged


@pytest.mark.parametrize("bad", [8.0, -8.1, np.inf, np.nan])
def test_fixed_point_out_of_range_is_an_error(bad):
    k = allo.customize(fx).build()
    with pytest.raises(ValueError, match=r"'A': value at index \(3,\)"):
        k(np.array([0.0, 0.0, 0.0, bad]), 0.0)


def test_fixed_scalar_out_of_range_is_an_error():
    k = allo.customize(fx).build()
    with pytest.raises(ValueError, match="'x'"):
        k(np.zeros(N), 100.0)


def test_fixed_inplace_given_as_reals_comes_back_as_reals():
    g = allo.customize(fx_inplace).build()
    a = np.array([0.5, 1.25, -2.0, 3.0])
    g(a)
    np.testing.assert_array_equal(a, [1.0, 2.5, -4.0, 6.0])


def test_fixed_as_float_must_be_a_bool():
    k = allo.customize(fx).build()
    with pytest.raises(TypeError, match="fixed_as_float"):
        k(np.zeros(N), 0.0, fixed_as_float=1)


def one_bit(A: allo.Int(1)[N]) -> allo.Int(1)[N]:
    C: allo.Int(1)[N] = 0
    for i in range(N):
        C[i] = A[i]
    return C


def test_bool_array_into_signed_one_bit_is_range_checked():
    # int1 holds -1..0: True (1) does not fit and must not wrap to -1
    f = allo.customize(one_bit).build()
    with pytest.raises(ValueError, match=r"'A': value at index \(1,\) True does not fit"):
        f(np.array([False, True, False, False]))
    np.testing.assert_array_equal(f(np.array([0, -1, 0, -1], dtype=np.int64)), [0, -1, 0, -1])
