"""The built kernel's argument checking, from the user's side: a wrong argument count,
shape or dtype, or a value outside the declared integer type, is refused with TypeError or
ValueError before anything runs (argument arrays stay untouched)."""

import numpy as np
import pytest
from lang_util import as_ints, build, carrier, zeros

from allo_verify import Int, UInt, grid, int32

N = 4
BAD = (TypeError, ValueError)
I17 = Int(17)
U33 = UInt(33)
U1 = UInt(1)
I128 = Int(128)


def add(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:
    C: int32[N, N] = 0
    for i, j in grid(N, N):
        C[i, j] = A[i, j] + B[i, j]
    return C


def _ab():
    a = np.arange(N * N, dtype=np.int32).reshape(N, N)
    return a, a * 10


def test_valid_call_works():
    a, b = _ab()
    np.testing.assert_array_equal(build(add)(a, b), a + b)


@pytest.mark.parametrize("nargs", [0, 1, 3])
def test_wrong_argument_count(nargs):
    a, b = _ab()
    with pytest.raises(BAD):
        build(add)(*([a, b, b][:nargs]))


@pytest.mark.parametrize("shape", [(N, N + 1), (N * N,), (N, N, 1), (N - 1, N)])
def test_wrong_shape(shape):
    a, _ = _ab()
    with pytest.raises(BAD):
        build(add)(a, np.zeros(shape, dtype=np.int32))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int16, np.uint32])
def test_other_dtype_converted(dtype):
    # issue 14: an array of another dtype is converted when every value fits (Allo users
    # pass int64 arrays); see tests/compat/test_numpy_args.py for the refusals
    a, b = _ab()
    np.testing.assert_array_equal(build(add)(a, b.astype(dtype)), a + b)


@pytest.mark.parametrize("bad", [np.array(2.5), np.array(2**40), np.array(np.nan)])
def test_other_dtype_that_does_not_fit(bad):
    a, b = _ab()
    b = b.astype(bad.dtype)
    b[1, 2] = bad
    with pytest.raises(ValueError, match=r"'B'.*index \(1, 2\)"):
        build(add)(a, b)


def test_scalar_where_array_expected():
    a, _ = _ab()
    with pytest.raises(BAD):
        build(add)(a, 3)


def test_non_contiguous_input_is_correct_or_refused():
    a, b = _ab()
    bt = b.T  # a view with Fortran strides
    try:
        c = build(add)(a, bt)
    except BAD:
        return
    np.testing.assert_array_equal(c, a + bt)


def in_place17(B: I17[N], A: I17[N], x: I17):
    for i in range(N):
        B[i] = A[i] + x


@pytest.mark.parametrize("bad", [1 << 16, -(1 << 16) - 1, 1 << 30, -(1 << 31)])
def test_int17_array_value_out_of_range(bad):
    b = carrier([7, 7, 7, 7], 17, True)
    a = carrier([1, 2, bad, 4], 17, True)
    assert a.dtype == np.int32  # the carrier holds it, the type does not
    with pytest.raises(ValueError):
        build(in_place17)(b, a, 0)
    assert as_ints(b) == [7, 7, 7, 7]  # refused before running


@pytest.mark.parametrize("bad", [1 << 16, -(1 << 16) - 1, 1 << 40])
def test_int17_scalar_value_out_of_range(bad):
    b = carrier([7, 7, 7, 7], 17, True)
    with pytest.raises(ValueError):
        build(in_place17)(b, carrier([0, 0, 0, 0], 17, True), bad)
    assert as_ints(b) == [7, 7, 7, 7]


def test_int17_extremes_accepted():
    lo, hi = -(1 << 16), (1 << 16) - 1
    b = zeros(N, 17, True)
    build(in_place17)(b, carrier([lo, hi, 0, lo], 17, True), 0)
    assert as_ints(b) == [lo, hi, 0, lo]


def u33_id(A: U33[N], B: U33[N]):
    for i in range(N):
        B[i] = A[i]


def test_uint33_value_out_of_range():
    a = np.array([0, 1, 1 << 33, 5], dtype=np.uint64)
    with pytest.raises(ValueError):
        build(u33_id)(a, np.zeros(N, np.uint64))
    ok = np.array([0, 1, (1 << 33) - 1, 5], dtype=np.uint64)
    out = np.zeros(N, np.uint64)
    build(u33_id)(ok, out)
    np.testing.assert_array_equal(out, ok)


def flags(A: U1[N], B: int32[N]):
    for i in range(N):
        B[i] = A[i]


def test_uint1_accepts_bool_arrays():
    out = np.zeros(N, np.int32)
    build(flags)(np.array([True, False, True, True]), out)
    np.testing.assert_array_equal(out, [1, 0, 1, 1])
    with pytest.raises(ValueError):
        build(flags)(np.array([1, 0, 2, 1], dtype=np.uint8), out)


def wide_id(A: I128[N], B: I128[N]):
    for i in range(N):
        B[i] = A[i]


def test_int128_object_arrays_checked():
    out = zeros(N, 128, True)
    good = carrier([1 << 126, -(1 << 127), 0, 5], 128, True)
    build(wide_id)(good, out)
    assert as_ints(out) == as_ints(good)
    with pytest.raises(ValueError):
        build(wide_id)(carrier([1 << 127, 0, 0, 0], 128, True), out)
    # issue 14: integral floats are converted exactly; a fraction is refused
    build(wide_id)(np.array([0.0, 1.0, 2.0, 3.0]), out)
    assert as_ints(out) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match=r"index \(2,\)"):
        build(wide_id)(np.array([0.0, 1.0, 2.5, 3.0]), out)
    with pytest.raises(BAD):
        build(wide_id)(np.array([0, 1, 2.5, 3], dtype=object), out)


def test_int128_accepts_fixed_width_int_input_exactly():
    # The runner lets a fixed-width integer array stand in for a wide type: no value of
    # it can be out of range, so it must arrive exactly.
    out = zeros(N, 128, True)
    a = np.array([-(1 << 63), (1 << 63) - 1, -1, 5], dtype=np.int64)
    build(wide_id)(a, out)
    assert as_ints(out) == [int(v) for v in a]
