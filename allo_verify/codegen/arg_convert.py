"""NumPy arguments as Allo users pass them: another dtype is converted, never wrapped.

Allo users pass `np.random.randint(...)` (int64) to an `int8[...]` argument, float64 arrays
to `float32` ones and real numbers to `Fixed` ones. The LLVM simulation takes exactly the
carrier dtype (packing.py); this module converts the rest before validation, with these
laws (an array already of the carrier dtype is untouched and still updated in place):

- integer target (`Int`, `UInt`, `index`): integer or bool arrays convert when every value
  fits the declared type; float arrays when every value is integral and fits. Otherwise a
  ValueError names the argument, the first bad index and its value (no silent wrap).
- float target: any integer or float array converts with NumPy's rounding to nearest (so
  float64 into float32 rounds, as NumPy's `astype` and Allo do); a finite value that
  overflows to infinity in the narrower type is a ValueError naming the argument and index.
- fixed target (`Fixed`, `UFixed`): a float array is quantized as `ap_fixed<W, I, AP_TRN>`
  does (scaled by 2**frac, truncated toward minus infinity); a value outside the type's
  range is a ValueError naming argument and index (never AP_WRAP's wrap-around); NaN and
  infinity too. Integer arrays keep their meaning: the scaled integers (`av.to_fixed`).
- anything but a NumPy array (a list, say) is left to the validation, which refuses it.
A converted argument the kernel writes is written back into the caller's array, converted
back (scaled integers to reals for fixed point given as floats), so in-place updates work
as in Allo.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from allo_verify.lang.types import DType, Fixed, Float, from_fixed, int_range


def _show(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _where(name: str, idx: tuple[int, ...]) -> str:
    return f"argument '{name}': value at index {idx}"


def convert_array(name: str, value: Any, dtype: DType) -> tuple[Any, bool]:
    """(the array to pass, whether it is a converted copy) for argument `name`."""
    from allo_verify.codegen.packing import elem_of

    if not isinstance(value, np.ndarray):
        return value, False
    elem = elem_of(dtype)
    kind = value.dtype.kind
    if value.dtype == elem.carrier or kind not in "biuf" or \
            (elem.wide and kind in "iu") or \
            (elem.bits == 1 and kind == "b" and elem.is_int and not elem.signed):
        return value, False
    if isinstance(dtype, Float):
        return _to_float(name, value, dtype), True
    if isinstance(dtype, Fixed) and kind == "f":
        return _to_fixed(name, value, dtype), True
    return _to_int(name, value, dtype, elem.carrier), True


def _to_float(name: str, value: np.ndarray, dtype: Float) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        out = value.astype(dtype.np_dtype)
    bad = np.isinf(out) & ~np.isinf(value) if value.dtype.kind == "f" else np.isinf(out)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{_where(name, idx)} {_show(value[idx])!r} overflows {dtype!r}")
    return out


def _scaled(v: float, frac: int) -> int:
    """floor(v * 2**frac), exactly (a float product could overflow to infinity)."""
    return math.floor(Fraction(v) * 2 ** frac)


def _to_fixed(name: str, value: np.ndarray, dtype: Fixed) -> np.ndarray:
    lo, hi = int_range(dtype)
    flat = value.astype(np.float64).ravel()
    out = []
    for k, v in enumerate(flat):
        idx = tuple(int(i) for i in np.unravel_index(k, value.shape))
        if not np.isfinite(v):
            raise ValueError(f"{_where(name, idx)} {v!r} is not a finite number, so it has "
                             f"no {dtype!r} value")
        q = _scaled(float(v), dtype.frac)
        if not lo <= q <= hi:
            raise ValueError(f"{_where(name, idx)} {v!r} does not fit {dtype!r} (range "
                             f"{lo / 2 ** dtype.frac}..{hi / 2 ** dtype.frac})")
        out.append(q)
    return np.array(out, dtype=dtype.np_dtype).reshape(value.shape)


def _to_int(name: str, value: np.ndarray, dtype: DType, carrier: np.dtype) -> np.ndarray:
    lo, hi = int_range(dtype)
    if value.dtype.kind == "f":
        frac = ~np.isfinite(value) | (np.floor(value) != value)
        if frac.any():
            idx = tuple(int(i) for i in np.argwhere(frac)[0])
            raise ValueError(f"{_where(name, idx)} {_show(value[idx])!r} is not an integer, so it "
                             f"has no {dtype!r} value")
    vals = value.astype(object) if value.dtype.kind == "f" else \
        value.astype(np.int64) if value.dtype.kind == "b" else value
    bad = (vals < lo) | (vals > hi)
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{_where(name, idx)} {_show(value[idx])!r} does not fit {dtype!r} "
                         f"(range {lo}..{hi})")
    if carrier.kind == "O":
        return np.array([int(v) for v in value.ravel()], dtype=object).reshape(value.shape)
    return value.astype(carrier)


def write_back(user: np.ndarray, passed: np.ndarray, before: np.ndarray, dtype: DType) -> None:
    """Copy into the caller's array the cells the kernel changed in the converted copy
    (`before`: the copy as passed); cells it did not write keep the caller's exact value."""
    changed = np.asarray(passed != before)
    if passed.dtype.kind == "f":
        changed &= ~(np.isnan(passed) & np.isnan(before))
    if not changed.any() or not user.flags.writeable:
        return
    back = from_fixed(passed, dtype) if isinstance(dtype, Fixed) and user.dtype.kind == "f" \
        else passed
    user[changed] = np.asarray(back)[changed].astype(user.dtype)


def convert_scalar(value: Any, dtype: DType, name: str = "") -> Any:
    """A real number given for a fixed-point scalar becomes its scaled integer (truncated
    exactly, as ap_fixed's AP_TRN; out of range left to the range check, which names it).
    Anything else is unchanged. Errors name the argument `name`."""
    if isinstance(dtype, Fixed) and isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise ValueError(f"argument '{name}': {value!r} is not a finite number, so it "
                             f"has no {dtype!r} value")
        return _scaled(float(value), dtype.frac)
    return value


def results_as_float(values: list[Any], types: list[Any]) -> list[Any]:
    """Fixed-point results (arrays or scalars) as float64 reals; others unchanged."""
    from allo_verify.lang.types import ArrayType

    out = []
    for v, t in zip(values, types, strict=True):
        dt = t.dtype if isinstance(t, ArrayType) else t
        if isinstance(dt, Fixed):
            v = from_fixed(v, dt) if isinstance(t, ArrayType) else int(v) / 2 ** dt.frac
        out.append(v)
    return out
