"""Property tests: fixed-point arithmetic over random Fixed(W, F) types, and conversions
between integers of widths 1..128 and float32/float64, against Python models.

Fixed: `+ - *` and comparisons are exact at the table's widths; storing into a fixed type
floors to its fractional bits and wraps to its width. Floats to integers truncate toward
zero and saturate (NaN gives 0; integers wider than 64 bits saturate at the 64-bit range
of their signedness); integers to floats round to nearest even.
"""

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from lang_util import as_ints, build, carrier, int_range, wrap, zeros

from allo_verify import Fixed, Int, float32, float64

N = 6
WIDE_F = Fixed(320, 140)  # holds every exact intermediate below
NFIX = 9


@dataclass(frozen=True)
class FT:
    """A fixed-point type of the model: total bits, fractional bits, signedness."""

    bits: int
    frac: int
    signed: bool

    def dtype(self) -> Fixed:
        return Fixed(self.bits, self.frac, self.signed)


def rescale(q: int, f_from: int, f_to: int) -> int:
    return q << (f_to - f_from) if f_to >= f_from else q >> (f_from - f_to)  # floor


def make_fixed(ta: Fixed, tb: Fixed, tt: Fixed, n: int):
    def fixed_ops(A: ta[n], B: tb[n], R: WIDE_F[NFIX, n], Q: tt[NFIX, n], C: Int(300)[2, n]):
        for i in range(n):
            a: ta = A[i]
            b: tb = B[i]
            R[0, i] = a + b
            Q[0, i] = a + b
            R[1, i] = a - b
            Q[1, i] = a - b
            R[2, i] = a * b
            Q[2, i] = a * b
            R[3, i] = a < b
            Q[3, i] = a < b
            R[4, i] = a == b
            Q[4, i] = a == b
            R[5, i] = a >= b
            Q[5, i] = a >= b
            R[6, i] = tt(a)
            Q[6, i] = tt(a)
            R[7, i] = a
            Q[7, i] = a
            R[8, i] = tt(b) * a
            Q[8, i] = tt(b) * a
            C[0, i] = a  # fixed to integer: toward zero
            C[1, i] = b

    return fixed_ops


def fixed_model(qa: int, qb: int, ta: FT, tb: FT, tt: FT) -> list[tuple[int, int]]:
    """(scaled value, fractional bits) of each row of `fixed_ops`, exactly."""
    f = max(ta.frac, tb.frac)
    a_, b_ = rescale(qa, ta.frac, f), rescale(qb, tb.frac, f)
    cast_a = wrap(rescale(qa, ta.frac, tt.frac), tt.bits, tt.signed)
    cast_b = wrap(rescale(qb, tb.frac, tt.frac), tt.bits, tt.signed)
    return [
        (a_ + b_, f),
        (a_ - b_, f),
        (qa * qb, ta.frac + tb.frac),
        (int(a_ < b_), 0),
        (int(a_ == b_), 0),
        (int(a_ >= b_), 0),
        (cast_a, tt.frac),
        (qa, ta.frac),
        (cast_b * qa, tt.frac + ta.frac),
    ]


def toward_zero(q: int, f: int) -> int:
    return q >> f if q >= 0 else -((-q) >> f)


@st.composite
def fixed_types(draw) -> FT:
    bits = draw(st.one_of(st.integers(1, 8), st.integers(1, 64)))
    frac = draw(st.one_of(st.just(bits), st.just(0), st.integers(0, bits)))
    return FT(bits, frac, draw(st.booleans()))


@st.composite
def fixed_case(draw):
    ta, tb, tt = draw(fixed_types()), draw(fixed_types()), draw(fixed_types())

    def vals(t: FT):
        lo, hi = int_range(t.bits, t.signed)
        return st.lists(st.one_of(st.sampled_from([lo, hi, 0, max(lo, min(hi, 1))]),
                                  st.integers(lo, hi)), min_size=N, max_size=N)

    return ta, tb, tt, draw(vals(ta)), draw(vals(tb))


@settings(max_examples=30)
@given(fixed_case())
def test_fixed_point_matches_model(case):
    ta, tb, tt, qa, qb = case
    f = build(make_fixed(ta.dtype(), tb.dtype(), tt.dtype(), N), key=("fixed", ta, tb, tt))
    r = zeros((NFIX, N), WIDE_F.bits, True)
    q = zeros((NFIX, N), tt.bits, tt.signed)
    c = zeros((2, N), 300, True)
    f(carrier(qa, ta.bits, ta.signed), carrier(qb, tb.bits, tb.signed), r, q, c)
    got_r, got_q, got_c = as_ints(r), as_ints(q), as_ints(c)
    for i, (x, y) in enumerate(zip(qa, qb, strict=True)):
        for row, (v, fr) in enumerate(fixed_model(x, y, ta, tb, tt)):
            what = f"row {row}: a={x} ({ta}), b={y} ({tb}), target {tt}"
            assert got_r[row * N + i] == rescale(v, fr, WIDE_F.frac), what
            want_q = wrap(rescale(v, fr, tt.frac), tt.bits, tt.signed)
            assert got_q[row * N + i] == want_q, what
        assert got_c[i] == toward_zero(x, ta.frac)
        assert got_c[N + i] == toward_zero(y, tb.frac)


# ----------------------------------------------------------------- int <-> float


def make_conv(ti: Int, n: int):
    def conv(X: float32[n], Y: float64[n], A: ti[n], QX: ti[n], QY: ti[n], CX: ti[n],
             F: float32[n], D: float64[n]):
        for i in range(n):
            QX[i] = X[i]  # by assignment
            QY[i] = Y[i]
            CX[i] = ti(X[i])  # explicit cast
            F[i] = A[i]
            D[i] = float64(A[i])

    return conv


def saturate(x: float, bits: int, signed: bool) -> int:
    if math.isnan(x):
        return 0
    lo, hi = int_range(min(bits, 64), signed)
    if math.isinf(x):
        return hi if x > 0 else lo
    return max(lo, min(hi, math.trunc(x)))


def round_to_float(v: int, mant: int) -> float:
    """`v` rounded to nearest even with a `mant`-bit significand (exact, no double rounding)."""
    m = abs(v)
    e = m.bit_length()
    if e > mant:
        shift = e - mant
        q, r = divmod(m, 1 << shift)
        half = 1 << (shift - 1)
        if r > half or (r == half and q & 1):
            q += 1
        m = q << shift
    return float(-m if v < 0 else m)


def f32_of_int(v: int) -> np.float32:
    r = round_to_float(v, 24)
    if abs(r) >= 2.0**128:
        return np.float32(math.copysign(math.inf, r))
    return np.float32(r)


floats = st.one_of(
    st.sampled_from([0.0, -0.0, 0.5, -0.5, 0.999, -1.5, math.nan, math.inf, -math.inf]),
    st.floats(-1e6, 1e6),
    st.floats(width=32, allow_nan=True, allow_infinity=True),
    st.integers(-(2**70), 2**70).map(float),
)


@st.composite
def conv_case(draw):
    ti = draw(st.builds(lambda b, s: (b, s), st.integers(1, 128), st.booleans()))
    lo, hi = int_range(*ti)
    xs = draw(st.lists(floats, min_size=N, max_size=N))
    # ties of round-to-nearest-even for float32 and float64 significands, where in range
    ties = [(1 << 24) + 1, (1 << 24) + 3, (1 << 53) + 1, (1 << 53) + 3, (1 << 60) + (1 << 36)]
    edges = [lo, hi, 0] + [v for t in ties for v in (t, -t) if lo <= v <= hi]
    ints = draw(st.lists(st.one_of(st.sampled_from(edges), st.integers(lo, hi)),
                         min_size=N, max_size=N))
    return ti, xs, ints


@settings(max_examples=30)
@given(conv_case())
def test_int_float_conversions_match_model(case):
    (bits, signed), xs, ints = case
    f = build(make_conv(Int(bits, signed), N), key=("conv", bits, signed))
    y64 = np.array(xs, dtype=np.float64)
    qx, qy, cx = (zeros(N, bits, signed) for _ in range(3))
    out32, out64 = np.zeros(N, np.float32), np.zeros(N, np.float64)
    with np.errstate(over="ignore"):
        x32 = y64.astype(np.float32)
        f(x32, y64, carrier(ints, bits, signed), qx, qy, cx, out32, out64)
        want32 = np.array([f32_of_int(v) for v in ints], dtype=np.float32)
    assert as_ints(qx) == [saturate(float(v), bits, signed) for v in x32]
    assert as_ints(cx) == [saturate(float(v), bits, signed) for v in x32]
    assert as_ints(qy) == [saturate(float(v), bits, signed) for v in y64]
    np.testing.assert_array_equal(out32, want32)
    np.testing.assert_array_equal(out64, [round_to_float(v, 53) for v in ints])
