"""Moving values between NumPy and the memory layout of JIT-compiled MLIR code.

Layout law (x86-64, measured with the 22.1.8 JIT; see tests/codegen/test_llvm_packing.py):
an `iN` element lives in a cell of `cell_bytes(N)` bytes: 1, 2, 4, 8 or 16 bytes (the next
power of two of ceil(N/8)) for N <= 128, and ceil(N/8) rounded up to a multiple of 16 for
N > 128. A store writes the low ceil(N/8) bytes, the padding bits of the last byte zero.
Sub-byte memrefs are widened to i8 before lowering (see pipeline.py), so N < 8 also has a
1-byte cell. Floats use their natural 2, 4 or 8 bytes; `index` 8 bytes.

Packing law: every integer is written as its N-bit two's complement pattern, zero in the
padding; unpacking masks to N bits and sign- or zero-extends as the *Signature* says
(MLIR integers carry no signedness). So for any in-range value v: unpack(pack(v)) == v.

Validation law: nothing reaches native code unless it has exactly the declared shape,
exactly the carrier dtype of `types.py` (plus np.bool_ for 1-bit unsigned, and for widths
over 64 object arrays of ints or integer arrays), and every integer fits the declared type.
"""

from __future__ import annotations

import ctypes
import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from allo_verify.lang.types import DType, Fixed, Float, Index, Int, int_range

ALIGNMENT = 64


def cell_bytes(bits: int) -> int:
    """Bytes LLVM (x86-64 data layout) allocates per `iN` element of a memref."""
    store = max(1, -(-bits // 8))
    if bits <= 128:
        return 1 << (store - 1).bit_length()
    return -(-store // 16) * 16


@dataclass(frozen=True)
class Elem:
    """How one element of a declared dtype crosses the boundary."""

    dtype: DType
    bits: int  # storage width
    signed: bool
    is_int: bool  # integer semantics (Int, Fixed, index)
    carrier: np.dtype  # what the user passes and gets back
    cell: int  # bytes per element in native memory

    @property
    def wide(self) -> bool:
        """Integers over 64 bits: object arrays of Python ints on the user side."""
        return self.is_int and self.bits > 64

    @property
    def needs_mask(self) -> bool:
        """Native-carrier integers whose width is not the carrier's: mask and extend."""
        return self.is_int and not self.wide and self.bits not in (8, 16, 32, 64)

    @property
    def range(self) -> tuple[int, int]:
        return int_range(self.dtype)

    @property
    def uint(self) -> np.dtype:
        """Unsigned NumPy dtype of one cell (native widths only)."""
        return np.dtype(f"uint{8 * self.cell}")


@functools.cache
def elem_of(dtype: DType) -> Elem:
    """The crossing description of a scalar dtype."""
    if isinstance(dtype, Float):
        return Elem(dtype, dtype.bits, True, False, dtype.np_dtype, dtype.bits // 8)
    if isinstance(dtype, Index):
        return Elem(dtype, 64, True, True, np.dtype(np.int64), 8)
    if isinstance(dtype, Int):
        storage = dtype
    elif isinstance(dtype, Fixed):
        storage = dtype.storage
    else:
        raise TypeError(f"no LLVM layout for {dtype!r}")
    return Elem(dtype, storage.bits, storage.signed, True, dtype.np_dtype,
                cell_bytes(storage.bits))


# ---------------------------------------------------------------- descriptors


@functools.cache
def descriptor_class(rank: int) -> type[ctypes.Structure]:
    """ctypes layout of a ranked memref descriptor: allocated and aligned pointers, offset,
    then `rank` sizes and `rank` strides (in elements)."""
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
              ("offset", ctypes.c_int64)]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank), ("strides", ctypes.c_int64 * rank)]
    return type(f"MemRefDescriptor{rank}D", (ctypes.Structure,), {"_fields_": fields})


def make_descriptor(address: int, shape: tuple[int, ...]) -> ctypes.Structure:
    """A descriptor of the row-major contiguous buffer at `address` with `shape`."""
    desc = descriptor_class(len(shape))()
    desc.allocated = address
    desc.aligned = address
    desc.offset = 0
    stride = 1
    for i in reversed(range(len(shape))):
        desc.sizes[i] = shape[i]
        desc.strides[i] = stride
        stride *= shape[i]
    return desc


def address(array: np.ndarray) -> int:
    """The address of `array`'s first byte."""
    return int(array.ctypes.data)


def aligned_bytes(nbytes: int) -> np.ndarray:
    """A zeroed uint8 array of `nbytes` whose data starts on an ALIGNMENT boundary."""
    raw = np.zeros(nbytes + ALIGNMENT, dtype=np.uint8)
    start = (-address(raw)) % ALIGNMENT
    return raw[start:start + nbytes]


@dataclass
class Buffer:
    """Native memory for one memref crossing the boundary, with its descriptor.

    `storage` is either the user's own array (zero copy) or a packed copy; `user` is the
    array to update after the call (None for results and scalars)."""

    elem: Elem
    shape: tuple[int, ...]
    storage: np.ndarray
    user: np.ndarray | None = None
    name: str = ""
    before: bytes | None = None  # packed bytes of a copy, to see whether it was written
    descriptor: ctypes.Structure = field(init=False)
    _pointer: Any = field(init=False, repr=False)  # a pointer to `descriptor`, kept alive

    def __post_init__(self) -> None:
        self.descriptor = make_descriptor(address(self.storage), self.shape)
        self._pointer = ctypes.pointer(self.descriptor)

    def argument(self) -> Any:
        """What ExecutionEngine.invoke expects for a memref: a pointer to a pointer to
        the descriptor."""
        return ctypes.pointer(self._pointer)

    def slot(self) -> int:
        """The address of a pointer to the descriptor: this buffer's entry in a packed
        argument array (what `ctypes.cast(self.argument(), c_void_p)` holds). Valid while
        the buffer lives."""
        return ctypes.addressof(self._pointer)

    def values(self, copy: bool = True) -> np.ndarray:
        """The buffer's contents as user values (carrier dtype, object for wide ints).
        With `copy=False` a native-carrier buffer is handed over as a view of `storage`
        (no copy): only for a buffer nothing else will touch again, such as a result
        buffer of one call."""
        return unpack(self.storage, self.elem, self.shape, copy)

    def write_back(self) -> None:
        """Copy what the kernel wrote into the user's array. A zero-copy buffer was
        written in place already; a copy is unpacked only if its bytes changed."""
        if self.user is None or self.before is None:
            return
        if self.storage.view(np.uint8).tobytes() == self.before:
            return
        new = self.values()
        if not self.user.flags.writeable:
            raise ValueError(f"argument '{self.name}' is a read-only array but the kernel "
                             "wrote to it")
        if self.user.dtype == object or self.user.dtype.kind == "b":
            self.user[...] = new
            return
        if self.elem.wide:  # an integer ndarray standing in for a wide type
            info = np.iinfo(self.user.dtype)
            flat = new.ravel()
            for i, v in enumerate(flat):
                if not info.min <= v <= info.max:
                    idx = np.unravel_index(i, self.shape)
                    raise ValueError(
                        f"argument '{self.name}': the kernel wrote {v} at index {idx}, which "
                        f"does not fit its {self.user.dtype} array; pass an object array")
            self.user[...] = new.astype(self.user.dtype)
            return
        self.user[...] = new


# ---------------------------------------------------------------- packing


def pack(values: np.ndarray | list[Any], elem: Elem, shape: tuple[int, ...]) -> np.ndarray:
    """Native bytes (an aligned array) holding validated `values` in `elem`'s cells."""
    count = math.prod(shape)
    raw = aligned_bytes(max(1, count) * elem.cell)
    if elem.wide:
        mask = (1 << elem.bits) - 1
        flat = np.asarray(values, dtype=object).ravel() if not isinstance(values, list) \
            else values
        data = b"".join((int(v) & mask).to_bytes(elem.cell, "little") for v in flat)
        raw[:len(data)] = np.frombuffer(data, dtype=np.uint8)
        return raw
    out = raw[:count * elem.cell].view(elem.carrier)
    out[...] = np.asarray(values).ravel()
    if elem.needs_mask:
        u = out.view(elem.uint)
        u &= elem.uint.type((1 << elem.bits) - 1)
    return raw


def unpack(raw: np.ndarray, elem: Elem, shape: tuple[int, ...], copy: bool = True
           ) -> np.ndarray:
    """User values from native cells: masked to the width, sign- or zero-extended. A
    native-carrier array is a copy of `raw`'s cells unless `copy` is False (then a view of
    them: the caller hands `raw` over)."""
    count = math.prod(shape)
    data = raw.view(np.uint8)[:count * elem.cell]
    if elem.wide:
        mask, top = (1 << elem.bits) - 1, 1 << elem.bits
        blob, cell = data.tobytes(), elem.cell
        out = np.empty(count, dtype=object)
        for i in range(count):
            v = int.from_bytes(blob[i * cell:(i + 1) * cell], "little") & mask
            out[i] = v - top if elem.signed and v >> (elem.bits - 1) else v
        return out.reshape(shape)
    if not elem.needs_mask:
        out = data.view(elem.carrier).reshape(shape)
        return out.copy() if copy else out
    u = data.view(elem.uint) & elem.uint.type((1 << elem.bits) - 1)
    if elem.signed:
        sign = elem.uint.type(1 << (elem.bits - 1))
        u = (u ^ sign) - sign  # wraps modulo 2**cell_bits: the two's complement extension
    return u.view(elem.carrier).reshape(shape)


# ---------------------------------------------------------------- validation


def _type_error(name: str, expected: str, value: Any) -> TypeError:
    return TypeError(f"argument '{name}' expects {expected}, got {type(value).__name__}")


def check_array(name: str, value: Any, dtype: DType, shape: tuple[int, ...]) -> None:
    """Raise unless `value` may be passed as the array argument `name` (see module law):
    TypeError for a non-array or a wrong dtype, ValueError for a wrong shape or a value
    that does not fit (naming the first bad index and value)."""
    elem = elem_of(dtype)
    if not isinstance(value, np.ndarray):
        want = f"a numpy array of dtype {elem.carrier} and shape {shape} ({dtype!r})"
        raise _type_error(name, want, value)
    if value.shape != shape:
        raise ValueError(f"argument '{name}': expected shape {shape}, got {value.shape}")
    ok = value.dtype == elem.carrier
    ok = ok or (elem.is_int and elem.bits == 1 and not elem.signed and value.dtype == bool)
    ok = ok or (elem.wide and value.dtype.kind in "iu")
    if not ok:
        raise TypeError(f"argument '{name}': expected dtype {elem.carrier} for {dtype!r}, "
                        f"got {value.dtype}")
    if not elem.is_int or value.dtype == bool:
        return
    lo, hi = elem.range
    if value.dtype == object:
        for idx, v in np.ndenumerate(value):
            if isinstance(v, bool | np.bool_) or not isinstance(v, int | np.integer):
                raise TypeError(f"argument '{name}': element at index {idx} is "
                                f"{type(v).__name__}, expected an int for {dtype!r}")
            if not lo <= int(v) <= hi:
                raise _range_error(name, int(v), dtype, idx)
        return
    info = np.iinfo(value.dtype)
    if lo <= info.min and info.max <= hi:
        return
    bad = (value < max(lo, info.min)) | (value > min(hi, info.max))
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise _range_error(name, int(value[idx]), dtype, idx)


def _range_error(name: str, v: int, dtype: DType, idx: tuple[int, ...] | None) -> ValueError:
    lo, hi = int_range(dtype)
    where = f" at index {idx}" if idx is not None else ""
    return ValueError(f"argument '{name}': value {v}{where} does not fit {dtype!r} "
                      f"(range {lo}..{hi})")


def check_scalar(name: str, value: Any, dtype: DType) -> int | np.floating:
    """The validated scalar argument `name` (a Python int for integer types, a NumPy float
    of the declared width for floats); TypeError or ValueError otherwise."""
    elem = elem_of(dtype)
    if elem.is_int:
        if not isinstance(value, int | np.integer | np.bool_):
            raise _type_error(name, f"an int for {dtype!r}", value)
        v = int(value)
        lo, hi = elem.range
        if not lo <= v <= hi:
            raise _range_error(name, v, dtype, None)
        return v
    if not isinstance(value, int | float | np.integer | np.floating | np.bool_):
        raise _type_error(name, f"a float for {dtype!r}", value)
    try:
        with np.errstate(over="ignore"):
            v = elem.carrier.type(value)
    except OverflowError:
        raise ValueError(f"argument '{name}': {value} does not fit {dtype!r}") from None
    if np.isinf(v) and (isinstance(value, int | np.integer) or np.isfinite(value)):
        # a finite value rounded to infinity: refused, as for arrays (arg_convert's law)
        raise ValueError(f"argument '{name}': {value} overflows {dtype!r}")
    return v


# ---------------------------------------------------------------- buffers


def argument_buffer(name: str, value: np.ndarray, dtype: DType,
                    shape: tuple[int, ...]) -> Buffer:
    """The buffer for a validated array argument: the user's array itself when it is
    C-contiguous, aligned, writeable and already in native form; otherwise a packed copy
    that `Buffer.write_back` copies back."""
    elem = elem_of(dtype)
    direct = (not elem.wide and not elem.needs_mask and value.flags.c_contiguous
              and value.flags.aligned and value.flags.writeable and value.size > 0)
    direct = direct or (value.dtype == bool and value.flags.c_contiguous
                        and value.flags.writeable and value.size > 0)
    if direct:
        return Buffer(elem, shape, value, user=value, name=name)
    raw = pack(value, elem, shape)
    return Buffer(elem, shape, raw, user=value, name=name,
                  before=raw.view(np.uint8).tobytes())


def scalar_buffer(value: int | np.floating, dtype: DType) -> Buffer:
    """A one-element buffer (memref<1xT>) holding a validated scalar."""
    elem = elem_of(dtype)
    values = [value] if elem.wide else np.array([value], dtype=elem.carrier)
    return Buffer(elem, (1,), pack(values, elem, (1,)))


def result_buffer(dtype: DType, shape: tuple[int, ...]) -> Buffer:
    """A zeroed buffer the kernel writes a result into."""
    elem = elem_of(dtype)
    count = math.prod(shape)
    return Buffer(elem, shape, aligned_bytes(max(1, count) * elem.cell))


def scalar_value(buf: Buffer) -> int | np.floating:
    """The scalar result held in a one-element buffer, as the declared type says."""
    v = buf.values()[0]
    return int(v) if buf.elem.is_int else buf.elem.carrier.type(v)
