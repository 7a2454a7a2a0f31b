"""Kernel data types: bit-precise integers, fixed point, floats, index, and array types.

A `DType` is a frozen value object. `T[d0, d1, ...]` makes an `ArrayType`. Each dtype
knows its MLIR type, the NumPy dtype its values cross the simulation boundary in, and the
range of values it holds.

NumPy carriers (what a user passes to and gets back from a built kernel):

| dtype              | NumPy carrier                                          |
|--------------------|--------------------------------------------------------|
| Int(w), w <= 64    | the smallest of int8/16/32/64 that holds w bits        |
| UInt(w), w <= 64   | the smallest of uint8/16/32/64 (bool arrays accepted for UInt(1)) |
| Int/UInt(w), w>64  | object arrays of Python ints                           |
| Fixed(W, F)        | the carrier of Int(W): the scaled integer x * 2**F      |
| UFixed(W, F)       | the carrier of UInt(W)                                 |
| float16/32/64      | float16/32/64                                          |
| index              | int64                                                  |
"""

from __future__ import annotations

import builtins
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from allo_verify.errors import TypeArgumentError

MAX_INT_WIDTH = 512
#: the most cells an array may have: a cell takes at most 64 bytes (512 bits), and the
#: array's byte size must fit a signed 64-bit index (MLIR's static dimensions are int64,
#: LLVM computes sizes in i64): (2**57 - 1) x 64 bytes < 2**63
MAX_ARRAY_CELLS = 2**57 - 1


def _is_int(x: Any) -> builtins.bool:
    """A Python int that is not a bool (`Int(True)` is a mistake, not int1)."""
    return isinstance(x, int) and not isinstance(x, builtins.bool)


class DType:
    """Base of every scalar type; `T[shape]` builds an array type."""

    bits: int

    def __getitem__(self, shape: Any) -> ArrayType | InvalidArrayType:
        """`T[d0, d1, ...]`. A bad dimension does not raise here: Python evaluates a
        signature's annotations when the `def` runs (at import), where an exception has no
        kernel context; the `InvalidArrayType` it gives instead is a FrontendError naming
        the argument and line when the kernel is customized."""
        dims = shape if isinstance(shape, tuple) else (shape,)
        for d in dims:
            if not isinstance(d, (int, np.integer)) or isinstance(d, builtins.bool) or d <= 0:
                return InvalidArrayType(self, f"array dimension must be a positive int, got "
                                              f"{d!r}", tuple(dims))
        cells = math.prod(int(d) for d in dims)
        if cells > MAX_ARRAY_CELLS:
            shape = " x ".join(str(int(d)) for d in dims)
            return InvalidArrayType(self, f"an array has fewer than 2**57 cells (its size in "
                                          f"bytes must fit a signed 64-bit index), got {shape}"
                                          + (f" = {cells}" if len(dims) > 1 else ""),
                                    tuple(dims))
        return ArrayType(self, tuple(int(d) for d in dims))

    def __call__(self, value: Any) -> Any:
        """Outside a kernel, a type called on a value converts it the way the kernel would."""
        return convert_python(value, self)

    @property
    def np_dtype(self) -> np.dtype:
        raise NotImplementedError

    def mlir_str(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, repr=False)
class InvalidArrayType:
    """`T[...]` with a bad dimension: not a kernel type; using it is a FrontendError (or a
    `TypeArgumentError` where it is qualified: `@ Memory(...)`, `Stream[...]`)."""

    dtype: DType
    reason: str
    dims: tuple[Any, ...] = ()

    def __repr__(self) -> str:
        return f"{self.dtype!r}[{', '.join(map(repr, self.dims))}]"


@dataclass(frozen=True, eq=True, repr=False)
class Int(DType):
    """Two's complement integer of `bits` bits (1..512); `signed=False` for unsigned."""

    bits: int
    signed: bool = True

    def __post_init__(self) -> None:
        name = "Int" if self.signed else "UInt"
        if not _is_int(self.bits) or not 1 <= self.bits <= MAX_INT_WIDTH:
            raise TypeArgumentError(f"{name}({self.bits!r}): the width (bits) must be an int "
                                    f"in 1..{MAX_INT_WIDTH}, got {self.bits!r}")
        if not isinstance(self.signed, (builtins.bool, np.bool_)):
            raise TypeArgumentError(f"Int({self.bits!r}, signed={self.signed!r}): signed must "
                                    f"be True or False, got {self.signed!r}")

    def __repr__(self) -> str:
        return f"{'' if self.signed else 'u'}int{self.bits}"

    @property
    def min(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def max(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    def wrap(self, v: int) -> int:
        """The value `v` takes when stored in this type (truncate to `bits`, reinterpret)."""
        v &= (1 << self.bits) - 1
        if self.signed and v >> (self.bits - 1):
            v -= 1 << self.bits
        return v

    @property
    def np_dtype(self) -> np.dtype:
        if self.bits > 64:
            return np.dtype(object)
        size = max(8, 1 << math.ceil(math.log2(self.bits)))
        return np.dtype(f"{'int' if self.signed else 'uint'}{size}")

    def mlir_str(self) -> str:
        return f"i{self.bits}"


def UInt(bits: int) -> Int:  # noqa: N802 - a type constructor, named like one
    """Unsigned integer of `bits` bits."""
    return Int(bits, signed=False)


@dataclass(frozen=True, eq=True, repr=False)
class Fixed(DType):
    """Fixed point with `bits` total bits of which `frac` are fractional.

    Behaves like `ap_fixed<bits, bits - frac>` (or `ap_ufixed`) with truncation toward minus
    infinity (AP_TRN) and wrap-around (AP_WRAP). Stored as the integer value * 2**frac.
    """

    bits: int
    frac: int
    signed: bool = True

    def __post_init__(self) -> None:
        call = f"{'' if self.signed else 'U'}Fixed({self.bits!r}, {self.frac!r})"
        if not _is_int(self.bits) or not 1 <= self.bits <= MAX_INT_WIDTH:
            raise TypeArgumentError(f"{call}: the total width (first argument) must be an int "
                                    f"in 1..{MAX_INT_WIDTH}, got {self.bits!r}")
        if not _is_int(self.frac) or not 0 <= self.frac <= self.bits:
            raise TypeArgumentError(f"{call}: the fractional bits (second argument) must be an "
                                    f"int in 0..{self.bits} (the total width), got "
                                    f"{self.frac!r}")
        if not isinstance(self.signed, (builtins.bool, np.bool_)):
            raise TypeArgumentError(f"{call}: signed must be True or False, got "
                                    f"{self.signed!r}")

    def __repr__(self) -> str:
        return f"{'' if self.signed else 'U'}Fixed({self.bits}, {self.frac})"

    @property
    def storage(self) -> Int:
        return Int(self.bits, self.signed)

    @property
    def np_dtype(self) -> np.dtype:
        return self.storage.np_dtype

    def mlir_str(self) -> str:
        return f"i{self.bits}"


def UFixed(bits: int, frac: int) -> Fixed:  # noqa: N802 - a type constructor
    """Unsigned fixed point, like `ap_ufixed<bits, bits - frac>`."""
    return Fixed(bits, frac, signed=False)


@dataclass(frozen=True, eq=True, repr=False)
class Float(DType):
    """IEEE-754 binary float of 16, 32 or 64 bits."""

    bits: int

    def __post_init__(self) -> None:
        if not _is_int(self.bits) or self.bits not in (16, 32, 64):
            raise TypeArgumentError(f"Float({self.bits!r}): the width (bits) must be 16, 32 or "
                                    f"64, got {self.bits!r}")

    def __repr__(self) -> str:
        return f"float{self.bits}"

    @property
    def np_dtype(self) -> np.dtype:
        return np.dtype(f"float{self.bits}")

    def mlir_str(self) -> str:
        return f"f{self.bits}"


@dataclass(frozen=True, eq=True, repr=False)
class Index(DType):
    """The type of loop variables and subscripts: unbounded in proofs, 64-bit when run."""

    bits: int = 64

    def __repr__(self) -> str:
        return "index"

    @property
    def np_dtype(self) -> np.dtype:
        return np.dtype(np.int64)

    def mlir_str(self) -> str:
        return "index"


@dataclass(frozen=True)
class ArrayType:
    """A statically shaped array of `dtype`, written `dtype[d0, d1, ...]`."""

    dtype: DType
    shape: tuple[int, ...]

    def __repr__(self) -> str:
        return f"{self.dtype!r}[{', '.join(map(str, self.shape))}]"

    def __getitem__(self, shape: Any) -> InvalidArrayType:
        """`int32[4][8]`: not a kernel type (deferred to the kernel, as a bad dimension is);
        the reason says how to write it."""
        dims = shape if isinstance(shape, tuple) else (shape,)
        every = ", ".join(map(repr, (*self.shape, *dims)))
        return InvalidArrayType(self.dtype, f"an array type is written with all its "
                                            f"dimensions in one subscript, {self.dtype!r}"
                                            f"[{every}], not {self!r}[...]",
                                (*self.shape, *dims))

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def mlir_str(self) -> str:
        dims = "".join(f"{d}x" for d in self.shape)
        return f"memref<{dims}{self.dtype.mlir_str()}>"


AnyType = DType | ArrayType

int1, int2, int4, int8, int16, int32, int64 = (Int(w) for w in (1, 2, 4, 8, 16, 32, 64))
int128, int256, int512 = Int(128), Int(256), Int(512)
uint1, uint2, uint4, uint8, uint16, uint32, uint64 = (UInt(w) for w in (1, 2, 4, 8, 16, 32, 64))
uint128, uint256, uint512 = UInt(128), UInt(256), UInt(512)
bool = UInt(1)  # noqa: A001 - the kernel language's name for a 1-bit flag
float16, float32, float64 = Float(16), Float(32), Float(64)
index = Index()


def int_range(t: DType) -> tuple[int, int]:
    """Smallest and largest stored integer of an Int, Fixed (scaled) or index type."""
    if isinstance(t, Int):
        return t.min, t.max
    if isinstance(t, Fixed):
        return t.storage.min, t.storage.max
    if isinstance(t, Index):
        return -(1 << 63), (1 << 63) - 1
    raise TypeError(f"{t!r} is not an integer type")


def to_fixed(x: Any, t: Fixed) -> np.ndarray:
    """Scaled integers for the real values `x` in `t`: floor(x * 2**frac), wrapped to `bits`.

    This is `ap_fixed` conversion with AP_TRN (toward minus infinity) and AP_WRAP.
    """
    arr = np.asarray(x, dtype=np.float64)
    scaled = np.floor(arr * float(2**t.frac))
    flat = [t.storage.wrap(int(v)) for v in scaled.ravel()]
    return np.array(flat, dtype=t.np_dtype).reshape(arr.shape)


def from_fixed(q: Any, t: Fixed) -> np.ndarray:
    """Real values (float64) of the scaled integers `q` of type `t`."""
    arr = np.asarray(q)
    return np.array([int(v) / 2**t.frac for v in arr.ravel()], dtype=np.float64).reshape(arr.shape)


def convert_python(value: Any, t: DType) -> Any:
    """Python-level model of a cast to `t`: wrap for integers, round to the float format."""
    if isinstance(t, Int):
        return t.wrap(int(value))
    if isinstance(t, Fixed):
        return int(to_fixed(value, t))
    if isinstance(t, Float):
        return exact_float(value, t)
    if isinstance(t, Index):
        return int(value)
    raise TypeError(f"cannot convert to {t!r}")


def exact_float(value: Any, t: Float) -> np.floating:
    """`value` rounded once to the float format `t` (nearest, ties to even; +-inf past the
    largest finite value), as a NumPy scalar of `t`. Law: an integer is rounded from its
    exact value, as LLVM's `sitofp` does, never through float64 (which would round twice
    and overflow past 2**1024); a Python float is already a float64 and is rounded once."""
    if isinstance(value, (int, np.integer)):
        from allo_verify.lang.bit_patterns import bits_to_float, int_to_float_bits

        return bits_to_float(int_to_float_bits(int(value), t.mlir_str()), t.mlir_str())
    with np.errstate(over="ignore"):  # past the largest finite value is +-inf, as IEEE says
        return t.np_dtype.type(value)

# qualified types and compile-time markers (defined in lang/annotations.py, lang/structs.py)
from allo_verify.lang.annotations import (  # noqa: E402, F401 - re-exported names
    ConstExpr,
    Memory,
    Stateful,
    meta_elif,
    meta_else,
    meta_for,
    meta_if,
)
from allo_verify.lang.structs import Struct  # noqa: E402, F401 - re-exported
