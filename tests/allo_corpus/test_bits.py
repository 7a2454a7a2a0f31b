"""Corpus, bit operations: bit access, bit slices, bit assignment, shifts and masks."""

import numpy as np

import allo_verify as allo
from allo_verify.ir.types import int32, uint8, uint16, uint32

from .corpus_util import assert_proved, rng

N = 8


def test_get_bit():
    def kernel(A: int32[N]) -> int32[N]:
        B: int32[N] = 0
        for i in range(N):
            B[i] = A[i][0]
        return B

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(-50, 50, N).astype(np.int32)
    np.testing.assert_array_equal(mod(a), a & 1)
    assert_proved(s, csim=True)


def test_get_bit_slice():
    def kernel(A: int32[N]) -> int32[N]:
        B: int32[N] = 0
        for i in range(N):
            B[i] = A[i][0:4]
        return B

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(0, 1000, N).astype(np.int32)
    np.testing.assert_array_equal(mod(a), a & 0xF)
    assert_proved(s, csim=True)


def test_set_bit():
    def kernel(A: int32[N]):
        for i in range(N):
            A[i][0] = 1

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(0, 100, N).astype(np.int32)
    want = a | 1
    mod(a)
    np.testing.assert_array_equal(a, want)
    assert_proved(s)


def test_set_bit_slice():
    def kernel(A: uint16[N], B: uint8[N]):
        for i in range(N):
            A[i][4:12] = B[i]

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(0, 2**16, N).astype(np.uint16)
    b = rng(1).integers(0, 256, N).astype(np.uint8)
    want = (a & ~np.uint16(0x0FF0)) | (b.astype(np.uint16) << 4)
    mod(a, b)
    np.testing.assert_array_equal(a, want)
    assert_proved(s)


def _reversed_bits(a: np.ndarray) -> np.ndarray:
    return np.array([int(f"{x:08b}"[::-1], 2) for x in a], dtype=np.uint8)


def test_bit_reverse_meta_for():
    def kernel(A: uint8[N]) -> uint8[N]:
        B: uint8[N] = 0
        for i in range(N):
            v: uint8 = 0
            for k in allo.meta_for(8):
                v[k] = A[i][7 - k]
            B[i] = v
        return B

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(0, 256, N).astype(np.uint8)
    np.testing.assert_array_equal(mod(a), _reversed_bits(a))
    assert_proved(s, csim=True)


def test_bit_reverse_loop_position():
    def kernel(A: uint8[N]) -> uint8[N]:
        B: uint8[N] = 0
        for i in range(N):
            v: uint8 = 0
            for k in range(8):
                v[k] = A[i][7 - k]
            B[i] = v
        return B

    s = allo.customize(kernel)
    a = rng().integers(0, 256, N).astype(np.uint8)
    np.testing.assert_array_equal(s.build()(a), _reversed_bits(a))
    assert_proved(s, csim=True)


def test_set_bit_computed_position_in_element():
    def kernel(A: int32[N], P: int32[N], V: uint8[N]):
        for i in range(N):
            A[i][P[i]] = V[i]

    s = allo.customize(kernel)
    a = rng().integers(-1000, 1000, N).astype(np.int32)
    p = np.array([0, 3, 31, 7, 40, -1, 16, 30], dtype=np.int32)  # 40 and -1: no bit changes
    v = rng(1).integers(0, 4, N).astype(np.uint8)  # the bit written is v's lowest
    want = a.copy()
    for i in range(N):
        if 0 <= p[i] < 32:
            m = np.int32(np.uint32(1 << int(p[i])).view(np.int32))
            want[i] = (want[i] & ~m) | (m if v[i] & 1 else 0)
    s.build()(a, p, v)
    np.testing.assert_array_equal(a, want)
    assert_proved(s, csim=True)


def test_bit_reverse_method():
    def kernel(A: uint8[N]) -> uint8[N]:
        B: uint8[N] = 0
        for i in range(N):
            B[i] = (A[i][0:8]).reverse()
        return B

    s = allo.customize(kernel)
    a = rng().integers(0, 256, N).astype(np.uint8)
    np.testing.assert_array_equal(s.build()(a), _reversed_bits(a))
    assert_proved(s, csim=True)


def test_reverse_of_a_narrow_slice():
    def kernel(A: int32[N]) -> int32[N]:
        B: int32[N] = 0
        for i in range(N):
            B[i] = A[i][2:6].reverse()
        return B

    s = allo.customize(kernel)
    a = rng().integers(-1000, 1000, N).astype(np.int32)
    nib = (a >> 2) & 0xF
    want = np.array([int(f"{x:04b}"[::-1], 2) for x in nib], dtype=np.int32)
    np.testing.assert_array_equal(s.build()(a), want)
    assert_proved(s)


def test_bits_of_an_expression():
    def kernel(A: int32[N]) -> int32[N]:
        B: int32[N] = 0
        for i in range(N):
            B[i] = (A[i] + 1)[0:2]
        return B

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(0, 100, N).astype(np.int32)
    np.testing.assert_array_equal(mod(a), (a + 1) & 3)
    assert_proved(s)


def test_scalar_bit_slice():
    def kernel(a: int32) -> int32:
        return a[28:32]

    s = allo.customize(kernel)
    assert s.build()(0x1BCD0123) == 0x1
    assert_proved(s)


def test_popcount():
    def kernel(A: uint32[N]) -> int32[N]:
        B: int32[N] = 0
        for i in range(N):
            c: int32 = 0
            for k in range(32):
                c += A[i][k]
            B[i] = c
        return B

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(0, 2**32, N).astype(np.uint32)
    np.testing.assert_array_equal(mod(a), [bin(int(x)).count("1") for x in a])
    assert_proved(s)


def test_shift_and_mask():
    def kernel(A: int32[N], B: int32[N]) -> int32[N]:
        C: int32[N] = 0
        for i in range(N):
            C[i] = ((A[i] << 2) ^ (B[i] >> 1)) & 0xFF | (A[i] & B[i])
        return C

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(-1000, 1000, N).astype(np.int32)
    b = rng(1).integers(-1000, 1000, N).astype(np.int32)
    np.testing.assert_array_equal(mod(a, b), ((a << 2) ^ (b >> 1)) & 0xFF | (a & b))
    assert_proved(s)
