"""Fixed point, exactly, against a Python model on the scaled integers.

Fixed(W, F) is carried as the integer x * 2**F in the carrier of Int(W). Arithmetic is
exact at the typing table's widths (`+`/`-`: Fixed(max I + F + 1, F); `*`: Fixed(Wa + Wb,
Fa + Fb)); conversion to a fixed type floors (toward minus infinity) then wraps; fixed to
integer truncates toward zero; float to fixed floors then wraps.
"""

import math

import numpy as np
import pytest
from lang_util import as_ints, build, carrier, wrap, zeros

import allo_verify as av
from allo_verify import Fixed, UFixed, float32, int8, int32

N = 16
FA = Fixed(16, 8)
FB = Fixed(12, 4)
FC = Fixed(20, 6)
FS = Fixed(8, 4)
F17 = Fixed(17, 8)
F28 = Fixed(28, 12)
F32 = Fixed(32, 16)


def to_frac(q: int, f_from: int, f_to: int) -> int:
    """Re-scale a scaled integer to `f_to` fractional bits, flooring."""
    return q << (f_to - f_from) if f_to >= f_from else q >> (f_from - f_to)


def store(q: int, f_from: int, t: Fixed) -> int:
    """Conversion by assignment into fixed type `t`: floor, then wrap."""
    return wrap(to_frac(q, f_from, t.frac), t.bits, True)


def fixed_to_int(q: int, f: int) -> int:
    """Truncation toward zero of q / 2**f."""
    return q >> f if q >= 0 else -((-q) >> f)


def _rng_ints(rng, bits: int, n: int) -> list[int]:
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    vals = [int(v) for v in rng.integers(lo, hi + 1, size=n - 4)]
    return vals + [lo, hi, 0, -1]


def fixed_arith(A: FA[N], B: FB[N], K: int8[N], Sum: FC[N], Prod: FA[N], Exact: F28[N],
                Diff: FS[N], AddInt: F17[N], CastS: FS[N]):
    for i in range(N):
        Sum[i] = A[i] + B[i]
        Prod[i] = A[i] * B[i]
        Exact[i] = A[i] * B[i]
        Diff[i] = A[i] - B[i]
        AddInt[i] = A[i] + K[i]
        CastS[i] = FS(A[i])


def test_fixed_arithmetic_and_store_rounding():
    rng = np.random.default_rng(1)
    qa, qb, k = _rng_ints(rng, 16, N), _rng_ints(rng, 12, N), _rng_ints(rng, 8, N)
    a, b = carrier(qa, 16, True), carrier(qb, 12, True)
    assert a.dtype == np.int16 and b.dtype == np.int16
    s, prod, exact = zeros(N, 20, True), zeros(N, 16, True), zeros(N, 28, True)
    diff, addi, casts = zeros(N, 8, True), zeros(N, 17, True), zeros(N, 8, True)
    build(fixed_arith)(a, b, carrier(k, 8, True), s, prod, exact, diff, addi, casts)
    trip = list(zip(qa, qb, k, strict=True))
    # a + b is exact in Fixed(17, 8); the store into Fixed(20, 6) floors two bits
    assert as_ints(s) == [store(x + (y << 4), 8, FC) for x, y, _ in trip]
    # a * b is exact in Fixed(28, 12)
    assert as_ints(exact) == [x * y for x, y, _ in trip]
    assert as_ints(prod) == [store(x * y, 12, FA) for x, y, _ in trip]
    assert as_ints(diff) == [store(x - (y << 4), 8, FS) for x, y, _ in trip]
    assert as_ints(addi) == [x + (z << 8) for x, _, z in trip]
    assert as_ints(casts) == [store(x, 8, FS) for x, _, _ in trip]


def fixed_compare(A: FA[N], B: FB[N], Lt: int8[N], Eq: int8[N], Ge: int8[N]):
    for i in range(N):
        Lt[i] = A[i] < B[i]
        Eq[i] = A[i] == B[i]
        Ge[i] = A[i] >= B[i]


def test_fixed_comparisons_compare_real_values():
    qa = [256, -256, 16, 17, 15, -4096, 32767, -32768] + [0, 1, -1, 4096, 100, 7, -7, 2]
    qb = [16, -16, 1, 1, 1, -256, 2047, -2048] + [0, 0, 0, 256, 6, 0, -1, 1]
    lt, eq, ge = (zeros(N, 8, True) for _ in range(3))
    build(fixed_compare)(carrier(qa, 16, True), carrier(qb, 12, True), lt, eq, ge)
    # compare a/256 with b/16 exactly: a against b * 16
    assert as_ints(lt) == [int(x < y * 16) for x, y in zip(qa, qb, strict=True)]
    assert as_ints(eq) == [int(x == y * 16) for x, y in zip(qa, qb, strict=True)]
    assert as_ints(ge) == [int(x >= y * 16) for x, y in zip(qa, qb, strict=True)]


def fixed_to_int_kernel(A: FA[N], I: int32[N], J: int32[N], S: int8[N]):
    for i in range(N):
        I[i] = int32(A[i])  # toward zero
        J[i] = A[i]  # conversion by assignment: the same
        S[i] = int8(A[i])  # toward zero, then wrap


def test_fixed_to_int_truncates_toward_zero():
    rng = np.random.default_rng(2)
    qa = _rng_ints(rng, 16, N - 4) + [-1, -255, -256, -257]
    i_, j_, s_ = zeros(N, 32, True), zeros(N, 32, True), zeros(N, 8, True)
    build(fixed_to_int_kernel)(carrier(qa, 16, True), i_, j_, s_)
    assert as_ints(i_) == [fixed_to_int(q, 8) for q in qa]
    assert as_ints(j_) == [fixed_to_int(q, 8) for q in qa]
    assert as_ints(s_) == [wrap(fixed_to_int(q, 8), 8, True) for q in qa]
    assert as_ints(i_)[-4:] == [0, 0, -1, -1]


def float_fixed_kernel(X: float32[N], A: FA[N], Q: FA[N], QC: FA[N], Y: float32[N],
                       Z: float32[N]):
    for i in range(N):
        Q[i] = X[i]  # floor, then wrap
        QC[i] = FA(X[i])
        Y[i] = A[i]  # exact: q / 256
        Z[i] = A[i] * X[i]  # fixed meets float: computed in float32


def test_float_fixed_conversions():
    xs = np.array([1.5, -1.3, 0.00390625, -0.001, 127.99, -128.0, 200.5, -200.25,
                   0.0, 3.14159, -2.71828, 1e-9, -1e-9, 64.0, -0.5, 100.123], dtype=np.float32)
    qa = [384, -333, 1, -1, 32767, -32768, 0, 12345, -12345, 256, -256, 128, -128, 7, 99, -99]
    q, qc = zeros(N, 16, True), zeros(N, 16, True)
    y, z = np.zeros(N, np.float32), np.zeros(N, np.float32)
    build(float_fixed_kernel)(xs, carrier(qa, 16, True), q, qc, y, z)
    want_q = [wrap(math.floor(float(x) * 256), 16, True) for x in xs]
    assert as_ints(q) == want_q
    assert as_ints(qc) == want_q
    assert want_q[1] == -333 and want_q[6] == wrap(51328, 16, True)
    np.testing.assert_array_equal(y, np.array([v / 256 for v in qa], dtype=np.float32))
    np.testing.assert_array_equal(z, np.array([v / 256 for v in qa], dtype=np.float32) * xs)


F44, F80, F11, UF10 = Fixed(4, 4), Fixed(8, 0), Fixed(1, 1), UFixed(1, 0)


def all_fraction_bits_dropped(A: F44[4], B: F11[4], C: F80[4], D: UF10[4], E: F80[4]):
    for i in range(4):
        C[i] = A[i]  # every bit of A is fractional: floor(-0.5) == -1
        D[i] = B[i]
        E[i] = F80(A[i])


def test_conversion_dropping_every_fraction_bit_floors():
    qa, qb = [-8, -1, 7, 0], [-1, 0, -1, 0]  # A: -0.5, -1/16, 7/16, 0; B: -0.5, 0, -0.5, 0
    c, d, e = zeros(4, 8, True), zeros(4, 1, False), zeros(4, 8, True)
    build(all_fraction_bits_dropped)(carrier(qa, 4, True), carrier(qb, 1, True), c, d, e)
    assert as_ints(c) == [-1, -1, 0, 0]
    assert as_ints(e) == [-1, -1, 0, 0]
    assert as_ints(d) == [1, 0, 1, 0]  # floor(-0.5) == -1, wrapped to one unsigned bit


def fixed_dot(A: FA[N], B: FA[N]) -> F32:
    acc: F32 = 0
    for i in range(N):
        acc += A[i] * B[i]  # Fixed(32, 16) + Fixed(32, 16) -> Fixed(33, 16), stored: wraps
    return acc


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fixed_dot_product_accumulates_with_wrap(seed):
    rng = np.random.default_rng(seed)
    qa, qb = _rng_ints(rng, 16, N), _rng_ints(rng, 16, N)
    got = build(fixed_dot)(carrier(qa, 16, True), carrier(qb, 16, True))
    acc = 0
    for x, y in zip(qa, qb, strict=True):
        acc = wrap(acc + x * y, 32, True)
    assert int(got) == acc


def fixed_scalar(a: FA, b: FA) -> FA:
    return a * b


@pytest.mark.parametrize("qa,qb", [(384, 384), (-333, 512), (32767, 32767), (-32768, 1)])
def test_fixed_scalar_args_are_scaled_ints(qa, qb):
    assert int(build(fixed_scalar)(qa, qb)) == store(qa * qb, 16, FA)


def test_to_fixed_and_from_fixed_helpers():
    t = Fixed(8, 4)
    q = av.to_fixed([1.5, -0.3, 8.0, -8.0, 7.9375, -8.0625], t)
    assert q.dtype == np.int8
    assert as_ints(q) == [24, -5, -128, -128, 127, wrap(-129, 8, True)]
    back = av.from_fixed(np.array([24, -5, 127, -128], dtype=np.int8), t)
    np.testing.assert_array_equal(back, [1.5, -5 / 16, 127 / 16, -8.0])
