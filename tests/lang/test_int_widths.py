"""Bit-precise integer semantics at fixed widths, against Python integer arithmetic.

int8 wraps like hardware at the store but computes intermediates at the widths of the
typing table; int17, uint33 and int128 results are exact; `/` truncates, `//` floors and
`%` has the divisor's sign; shifts, unary ops, literals, `**`, `min/max/abs`, bit access
and bit slices, and explicit casts.
"""

import numpy as np
import pytest
from lang_util import as_ints, build, carrier, wrap, zeros

from allo_verify import Int, UInt, int8, int16, int32, int64, uint8

N = 8
I17 = Int(17)
I34 = Int(34)
U33 = UInt(33)
I35 = Int(35)
I128 = Int(128)
I256 = Int(256)
U1 = UInt(1)
U12 = UInt(12)
U10 = UInt(10)
U16 = UInt(16)


# --------------------------------------------------------------------------- int8


def int8_store_wraps(A: int8[N], B: int8[N]) -> int8[N]:
    C: int8[N] = 0
    for i in range(N):
        C[i] = A[i] * B[i]
    return C


def int8_intermediate_is_int16(A: int8[N], B: int8[N], Q: int8[N], H: int8[N]):
    for i in range(N):
        Q[i] = (A[i] * B[i]) // 4  # product held in Int(16): wraps only at the store
        H[i] = (A[i] + B[i]) >> 1  # sum held in Int(9)


def int8_scalar_mul(x: int8, y: int8) -> int8:
    z: int8 = x * y
    return z


def int8_scalar_mul_wide(x: int8, y: int8) -> int32:
    z: int32 = x * y
    return z


A8 = [-128, -128, 127, 127, 100, -100, 0, 77]
B8 = [-128, 127, 127, -1, 100, 3, -128, -77]


def test_int8_product_wraps_at_store():
    f = build(int8_store_wraps)
    a, b = carrier(A8, 8, True), carrier(B8, 8, True)
    c = f(a, b)
    assert c.dtype == np.int8
    assert as_ints(c) == [wrap(x * y, 8, True) for x, y in zip(A8, B8, strict=True)]


def test_int8_intermediates_have_table_widths():
    f = build(int8_intermediate_is_int16)
    a, b = carrier(A8, 8, True), carrier(B8, 8, True)
    q, h = zeros(N, 8, True), zeros(N, 8, True)
    f(a, b, q, h)
    assert as_ints(q) == [wrap((x * y) // 4, 8, True) for x, y in zip(A8, B8, strict=True)]
    assert as_ints(h) == [wrap((x + y) >> 1, 8, True) for x, y in zip(A8, B8, strict=True)]


@pytest.mark.parametrize("x,y", [(100, 100), (-128, -128), (127, -128), (-3, 5), (16, 16)])
def test_int8_scalar_store(x, y):
    assert int(build(int8_scalar_mul)(x, y)) == wrap(x * y, 8, True)
    assert int(build(int8_scalar_mul_wide)(x, y)) == x * y


# --------------------------------------------------------------------------- int17


def int17_ops(A: I17[N], B: I17[N], S: I17[N], P: I34[N], W: I17[N], D: I34[N]):
    for i in range(N):
        S[i] = A[i] + B[i]
        P[i] = A[i] * B[i]
        W[i] = A[i] * B[i]
        D[i] = A[i] - B[i]


def test_int17_wraps_and_exact():
    lo, hi = -(1 << 16), (1 << 16) - 1
    av_ = [lo, lo, hi, hi, 12345, -54321, 0, 1]
    bv = [lo, hi, hi, -1, 54321, 3, lo, -1]
    a, b = carrier(av_, 17, True), carrier(bv, 17, True)
    assert a.dtype == np.int32
    s, w = zeros(N, 17, True), zeros(N, 17, True)
    p, d = zeros(N, 34, True), zeros(N, 34, True)
    build(int17_ops)(a, b, s, p, w, d)
    pairs = list(zip(av_, bv, strict=True))
    assert as_ints(s) == [wrap(x + y, 17, True) for x, y in pairs]
    assert as_ints(p) == [x * y for x, y in pairs]
    assert as_ints(w) == [wrap(x * y, 17, True) for x, y in pairs]
    assert as_ints(d) == [x - y for x, y in pairs]


def int17_return(A: I17[N], B: I17[N]) -> I17[N]:
    C: I17[N] = 0
    for i in range(N):
        C[i] = A[i] * B[i] + 1
    return C


def test_int17_return_carrier():
    av_ = [-65536, 65535, 300, -300, 7, 0, 1, -1]
    bv = [2, 2, 300, 301, -9, 5, 65535, 65535]
    c = build(int17_return)(carrier(av_, 17, True), carrier(bv, 17, True))
    assert c.dtype == np.int32 and c.shape == (N,)
    assert as_ints(c) == [wrap(x * y + 1, 17, True) for x, y in zip(av_, bv, strict=True)]


# --------------------------------------------------------------------------- uint33


def uint33_ops(A: U33[N], B: U33[N], S: U33[N], D: I35[N], DW: U33[N], P: UInt(66)[N]):
    for i in range(N):
        S[i] = A[i] + B[i]
        D[i] = A[i] - B[i]  # subtraction is always signed
        DW[i] = A[i] - B[i]
        P[i] = A[i] * B[i]


def test_uint33_wraps_and_exact():
    m = (1 << 33) - 1
    av_ = [m, m, 0, 1 << 32, 123456789, 5, 0, m - 1]
    bv = [m, 1, m, 1 << 32, 987654321, 7, 0, 2]
    a, b = carrier(av_, 33, False), carrier(bv, 33, False)
    assert a.dtype == np.uint64
    s, dw = zeros(N, 33, False), zeros(N, 33, False)
    d, p = zeros(N, 35, True), zeros(N, 66, False)
    build(uint33_ops)(a, b, s, d, dw, p)
    pairs = list(zip(av_, bv, strict=True))
    assert as_ints(s) == [(x + y) % (1 << 33) for x, y in pairs]
    assert as_ints(d) == [x - y for x, y in pairs]
    assert as_ints(dw) == [(x - y) % (1 << 33) for x, y in pairs]
    assert p.dtype == np.dtype(object)
    assert as_ints(p) == [x * y for x, y in pairs]


def uint33_return(A: U33[N]) -> U33[N]:
    C: U33[N] = 0
    for i in range(N):
        C[i] = A[i] * 3
    return C


def test_uint33_return_carrier():
    m = (1 << 33) - 1
    av_ = [m, 0, 1, 1 << 32, 12345, m // 3, m // 3 + 1, 7]
    c = build(uint33_return)(carrier(av_, 33, False))
    assert c.dtype == np.uint64 and c.shape == (N,)
    assert as_ints(c) == [(x * 3) % (1 << 33) for x in av_]


# --------------------------------------------------------------------------- int128


def int128_ops(
    A: I128[N], B: I128[N], S: I128[N], P: I256[N], W: I128[N], Q: I128[N], R: I128[N],
    T: I128[N],
):
    for i in range(N):
        S[i] = A[i] + B[i]
        P[i] = A[i] * B[i]
        W[i] = A[i] * B[i]
        Q[i] = A[i] // B[i]
        R[i] = A[i] % B[i]
        T[i] = A[i] / B[i]


def _pydiv_trunc(x: int, y: int) -> int:
    if y == 0:
        return 0
    q = abs(x) // abs(y)
    return q if (x >= 0) == (y >= 0) else -q


def _pyfloordiv(x: int, y: int) -> int:
    return 0 if y == 0 else x // y


def _pymod(x: int, y: int) -> int:
    return x if y == 0 else x % y


def test_int128_exact():
    lo, hi = -(1 << 127), (1 << 127) - 1
    av_ = [lo, hi, hi, 3**70, -(5**50), 10**30, lo, 12345]
    bv = [-1, hi, -7, -(3**69), 2**64 + 1, 0, lo, -(10**20)]
    a, b = carrier(av_, 128, True), carrier(bv, 128, True)
    assert a.dtype == np.dtype(object)
    s, w, q, r, t = (zeros(N, 128, True) for _ in range(5))
    p = zeros(N, 256, True)
    build(int128_ops)(a, b, s, p, w, q, r, t)
    pairs = list(zip(av_, bv, strict=True))
    assert as_ints(s) == [wrap(x + y, 128, True) for x, y in pairs]
    assert as_ints(p) == [x * y for x, y in pairs]
    assert as_ints(w) == [wrap(x * y, 128, True) for x, y in pairs]
    assert as_ints(q) == [wrap(_pyfloordiv(x, y), 128, True) for x, y in pairs]
    assert as_ints(r) == [_pymod(x, y) for x, y in pairs]
    assert as_ints(t) == [wrap(_pydiv_trunc(x, y), 128, True) for x, y in pairs]


def int128_scalar(a: I128, b: I128) -> I256:
    return a * b + 1


def test_int128_scalar_args_and_return():
    a, b = -(1 << 127), (1 << 127) - 1
    assert int(build(int128_scalar)(a, b)) == a * b + 1


# --------------------------------------------------------------------------- division


def int32_division(A: int32[N], B: int32[N], T: int64[N], F: int64[N], M: int64[N]):
    for i in range(N):
        T[i] = A[i] / B[i]
        F[i] = A[i] // B[i]
        M[i] = A[i] % B[i]


def test_int32_division_semantics():
    imin = -(1 << 31)
    av_ = [7, -7, 7, -7, imin, 5, -5, 0]
    bv = [2, 2, -2, -2, -1, 0, 0, -3]
    t, f, m = zeros(N, 64, True), zeros(N, 64, True), zeros(N, 64, True)
    build(int32_division)(carrier(av_, 32, True), carrier(bv, 32, True), t, f, m)
    pairs = list(zip(av_, bv, strict=True))
    assert as_ints(t) == [_pydiv_trunc(x, y) for x, y in pairs]
    assert as_ints(f) == [_pyfloordiv(x, y) for x, y in pairs]
    assert as_ints(m) == [_pymod(x, y) for x, y in pairs]
    # spot checks of the three conventions
    assert as_ints(t)[:4] == [3, -3, -3, 3]
    assert as_ints(f)[:4] == [3, -4, -4, 3]
    assert as_ints(m)[:4] == [1, 1, -1, -1]
    assert as_ints(t)[4] == 1 << 31  # computed in Int(33): no overflow


# --------------------------------------------------------------------------- literals, unary


def literal_and_unary(
    U: uint8[N], S: int8[N], Dec: int16[N], Inc: int16[N], Neg: int16[N], NotU: int16[N],
    NotS: int16[N], AbsS: int16[N], MulNeg: int16[N],
):
    for i in range(N):
        Dec[i] = U[i] - 1  # always signed: 0 - 1 == -1
        Inc[i] = U[i] + 1  # UInt(9): 255 + 1 == 256
        Neg[i] = -S[i]  # Int(9): -(-128) == 128
        NotU[i] = ~U[i]  # type of the operand (uint8), zero-extended at the store
        NotS[i] = ~S[i]
        AbsS[i] = abs(S[i])  # Int(9)
        MulNeg[i] = U[i] * -1


def test_literals_and_unary_ops():
    uv = [0, 255, 1, 128, 5, 254, 100, 17]
    sv = [-128, 127, -1, 0, 5, -6, 100, -100]
    outs = [zeros(N, 16, True) for _ in range(7)]
    build(literal_and_unary)(carrier(uv, 8, False), carrier(sv, 8, True), *outs)
    dec, inc, neg, notu, nots, abss, mulneg = (as_ints(o) for o in outs)
    assert dec == [u - 1 for u in uv]
    assert inc == [u + 1 for u in uv]
    assert neg == [-s for s in sv]
    assert notu == [255 - u for u in uv]
    assert nots == [~s for s in sv]
    assert abss == [abs(s) for s in sv]
    assert mulneg == [-u for u in uv]


def pow_minmax(S: int8[N], U: uint8[N], P2: int32[N], P3: int32[N], P0: int32[N],
               Mn: int16[N], Mx: int16[N], Mn8: int8[N]):
    for i in range(N):
        P2[i] = S[i] ** 2
        P3[i] = S[i] ** 3  # Int(24): exact
        P0[i] = S[i] ** 0
        Mn[i] = min(S[i], U[i])  # compared in Int(9)
        Mx[i] = max(S[i], U[i])
        Mn8[i] = min(S[i], -3)


def test_pow_min_max():
    sv = [-128, 127, -1, 0, 5, -6, 100, -100]
    uv = [255, 0, 200, 1, 5, 250, 99, 128]
    p2, p3, p0 = (zeros(N, 32, True) for _ in range(3))
    mn, mx = zeros(N, 16, True), zeros(N, 16, True)
    mn8 = zeros(N, 8, True)
    build(pow_minmax)(carrier(sv, 8, True), carrier(uv, 8, False), p2, p3, p0, mn, mx, mn8)
    assert as_ints(p2) == [s**2 for s in sv]
    assert as_ints(p3) == [s**3 for s in sv]
    assert as_ints(p0) == [1] * N
    assert as_ints(mn) == [min(s, u) for s, u in zip(sv, uv, strict=True)]
    assert as_ints(mx) == [max(s, u) for s, u in zip(sv, uv, strict=True)]
    assert as_ints(mn8) == [min(s, -3) for s in sv]


# --------------------------------------------------------------------------- shifts


def shifts(S: int8[N], U: uint8[N], K: int32[N], SL: int16[N], SR: int16[N], UL: int16[N],
           UR: int16[N]):
    for i in range(N):
        SL[i] = S[i] << K[i]  # type of the left operand: wraps at 8 bits
        SR[i] = S[i] >> K[i]  # arithmetic
        UL[i] = U[i] << K[i]
        UR[i] = U[i] >> K[i]  # logical


def _shl(a: int, k: int, bits: int, signed: bool) -> int:
    return 0 if k < 0 or k >= bits else wrap(a << k, bits, signed)


def _shr(a: int, k: int, bits: int, signed: bool) -> int:
    if k < 0 or k >= bits:
        return -1 if (signed and a < 0) else 0
    return a >> k


def test_shifts_by_amount():
    sv = [100, -7, -128, 1, -1, 64, -100, 5]
    uv = [200, 7, 128, 1, 255, 64, 100, 5]
    kv = [1, 1, 7, 8, 9, 2, 100, -1]
    outs = [zeros(N, 16, True) for _ in range(4)]
    build(shifts)(carrier(sv, 8, True), carrier(uv, 8, False), carrier(kv, 32, True), *outs)
    sl, sr, ul, ur = (as_ints(o) for o in outs)
    assert sl == [_shl(a, k, 8, True) for a, k in zip(sv, kv, strict=True)]
    assert sr == [_shr(a, k, 8, True) for a, k in zip(sv, kv, strict=True)]
    assert ul == [_shl(a, k, 8, False) for a, k in zip(uv, kv, strict=True)]
    assert ur == [_shr(a, k, 8, False) for a, k in zip(uv, kv, strict=True)]
    assert sl[0] == -56  # 100 << 1 == 200 wraps in int8


# --------------------------------------------------------------------------- bit access


def bit_access(X: int32[N], B3: U1[N], B31: int32[N], S: U12[N], Top: U16[N]):
    for i in range(N):
        v: int32 = X[i]
        B3[i] = v[3]
        B31[i] = v[31]  # UInt(1) zero-extends: 0 or 1, never -1
        S[i] = v[4:16]
        Top[i] = v[16:32]


def test_bit_access_and_slices():
    xv = [0, -1, 8, 0x12345678, -(1 << 31), 0x7FFFFFFF, -12345, 4095 << 4]
    b3, b31 = zeros(N, 1, False), zeros(N, 32, True)
    s, top = zeros(N, 12, False), zeros(N, 16, False)
    build(bit_access)(carrier(xv, 32, True), b3, b31, s, top)
    assert b3.dtype == np.uint8
    assert as_ints(b3) == [(x >> 3) & 1 for x in xv]
    assert as_ints(b31) == [(x >> 31) & 1 for x in xv]
    assert as_ints(s) == [(x >> 4) & 0xFFF for x in xv]
    assert as_ints(top) == [(x >> 16) & 0xFFFF for x in xv]


def bits_by_loop(x: int32, B: U1[32]):
    for k in range(32):
        B[k] = x[k]


@pytest.mark.parametrize("x", [0, -1, 0x5A5A5A5A, -(1 << 31) + 3])
def test_bit_access_with_loop_index(x):
    b = zeros(32, 1, False)
    build(bits_by_loop)(x, b)
    assert as_ints(b) == [(x >> k) & 1 for k in range(32)]


def int128_slice(x: I128, S: U10[1], B: U1[1]):
    S[0] = x[60:70]
    B[0] = x[127]


@pytest.mark.parametrize("x", [(1 << 127) - 1, -(1 << 127), 0x3FF << 60, -(0x155 << 60), 12345])
def test_int128_bit_slice_across_words(x):
    s, b = zeros(1, 10, False), zeros(1, 1, False)
    build(int128_slice)(x, s, b)
    assert as_ints(s) == [(x >> 60) & 0x3FF]
    assert as_ints(b) == [(x >> 127) & 1]


# --------------------------------------------------------------------------- casts


def casts(X: int32[N], S: int8[N], U: uint8[N], C8: int32[N], CU8: int32[N], C17: int32[N],
          SExt: U16[N], ZExt: int32[N]):
    for i in range(N):
        C8[i] = int8(X[i])  # wraps, then sign-extends into int32
        CU8[i] = uint8(X[i])
        C17[i] = I17(X[i])
        SExt[i] = U16(S[i])  # extends by the source's signedness, then reinterprets
        ZExt[i] = int32(U[i])



def test_explicit_casts():
    xv = [300, -1, 128, -129, 65536 + 5, -(1 << 31), (1 << 31) - 1, 70000]
    sv = [-1, -128, 127, 0, 5, -5, 100, -100]
    uv = [255, 0, 128, 127, 1, 200, 99, 254]
    c8, cu8, c17, zext = (zeros(N, 32, True) for _ in range(4))
    sext = zeros(N, 16, False)
    build(casts)(carrier(xv, 32, True), carrier(sv, 8, True), carrier(uv, 8, False),
                 c8, cu8, c17, sext, zext)
    assert as_ints(c8) == [wrap(x, 8, True) for x in xv]
    assert as_ints(cu8) == [wrap(x, 8, False) for x in xv]
    assert as_ints(c17) == [wrap(x, 17, True) for x in xv]
    assert as_ints(sext) == [wrap(s, 16, False) for s in sv]
    assert as_ints(zext) == uv


def implicit_store(X: int32[N], S8: int8[N], U8: uint8[N], W: int64[N]):
    for i in range(N):
        S8[i] = X[i]
        U8[i] = X[i]
        W[i] = X[i]


def test_implicit_conversion_on_store():
    xv = [300, -1, 128, -129, 65536 + 5, -(1 << 31), (1 << 31) - 1, 70000]
    s8, u8, w = zeros(N, 8, True), zeros(N, 8, False), zeros(N, 64, True)
    build(implicit_store)(carrier(xv, 32, True), s8, u8, w)
    assert as_ints(s8) == [wrap(x, 8, True) for x in xv]
    assert as_ints(u8) == [wrap(x, 8, False) for x in xv]
    assert as_ints(w) == xv
