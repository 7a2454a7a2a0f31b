"""Scalar values as bit patterns: MLIR scalar type strings ("i32", "f32", "index"), two's
complement readings, and IEEE float encodings.

Law: `int_to_float_bits(v, t)` rounds the exact integer `v` once to `t` (nearest, ties to
even; +-inf past the largest finite value), as LLVM's `sitofp`/`uitofp` do, never through
float64; `bits_to_float` and `float_to_bits` are inverse on every non-NaN pattern.
"""

from __future__ import annotations

import struct

import numpy as np

FLOAT_NP = {"f16": np.float16, "f32": np.float32, "f64": np.float64}
_UINT_NP = {"f16": np.uint16, "f32": np.uint32, "f64": np.uint64}


def width(t: str) -> int:
    """Bit width of an MLIR scalar type string; index -> 64 (only for running)."""
    if t == "index":
        return 64
    return int(t[1:])


def is_float(t: str) -> bool:
    """Whether the MLIR scalar type string `t` is a float type (f16, f32, f64)."""
    return t in FLOAT_NP


def to_signed(v: int, w: int) -> int:
    """Two's complement reading of the bit pattern `v` of width `w`."""
    return v - (1 << w) if v >> (w - 1) & 1 else v


def bits_to_float(b: int, t: str) -> np.floating:
    """The float of type `t` whose IEEE bit pattern is `b`."""
    return np.array([b], dtype=_UINT_NP[t]).view(FLOAT_NP[t])[0]


def float_to_bits(x: float | np.floating, t: str) -> int:
    """The IEEE bit pattern of `x` rounded to the float type `t`."""
    with np.errstate(all="ignore"):
        return int(np.array([x], dtype=FLOAT_NP[t]).view(_UINT_NP[t])[0])


def py_float_bits(x: float, t: str) -> int:
    """Bit pattern of the Python float `x` rounded to `t`."""
    if t == "f64":
        return struct.unpack("<Q", struct.pack("<d", x))[0]
    return float_to_bits(x, t)


MANTISSA_BITS = {"f16": 11, "f32": 24, "f64": 53}
MAX_EXPONENT = {"f16": 15, "f32": 127, "f64": 1023}


def int_to_float_bits(v: int, t: str) -> int:
    """Bit pattern of the integer `v` rounded once to float type `t` (nearest, ties to even;
    +inf/-inf past the largest finite value). This is `sitofp`/`uitofp` on the exact value:
    rounding through float64 first would round twice."""
    w, p = width(t), MANTISSA_BITS[t]
    sign = 1 << (w - 1) if v < 0 else 0
    m = abs(v)
    if m == 0:
        return 0
    shift = max(0, m.bit_length() - p)
    q = m >> shift
    if shift:
        rem, half = m & ((1 << shift) - 1), 1 << (shift - 1)
        if rem > half or (rem == half and q & 1):
            q += 1
            if q >> p:
                q >>= 1
                shift += 1
    e = q.bit_length() - 1 + shift  # unbiased exponent; q has p significant bits or fewer
    if e > MAX_EXPONENT[t]:
        return sign | (((1 << (w - p)) - 1) << (p - 1))  # infinity
    frac = (q << (p - q.bit_length())) & ((1 << (p - 1)) - 1)
    return sign | ((e + MAX_EXPONENT[t]) << (p - 1)) | frac
