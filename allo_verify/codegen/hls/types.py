"""C++ spellings of MLIR types, of the kernel's declared element types, and of literals.

Two kinds of C++ type appear in the emitted code:

- the *value type* of an SSA value, decided by its MLIR type alone (MLIR integers are
  signless, so every op states its own signedness and the C++ spells it out):
  `i1` -> `bool`, `iN` -> `ap_int<N>` (raw two's complement bits), `index` -> `int64_t`,
  `f16/f32/f64` -> `half/float/double`;
- the *storage type* of an array cell or a scalar argument or result, which is the declared
  type where the signature gives one (`int32_t`, `uint8_t`, `ap_int<17>`, `ap_uint<33>`,
  `ap_fixed<16, 4, AP_TRN, AP_WRAP>`, `bool`, ...) and the value type elsewhere.

Law: `load_expr` and `store_stmt` move the raw bits between a storage type and the value
type unchanged (a fixed-point cell's raw bits are its scaled integer), so the arithmetic on
values is exactly the IR's integer arithmetic whatever the storage spelling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from mlir import ir

from allo_verify.lang.types import DType, Fixed, Float, Index, Int

STD_WIDTHS = (8, 16, 32, 64)


class HLSEmitError(Exception):
    """The IR holds something the HLS C++ emitter cannot spell (with the op and where)."""


@dataclass(frozen=True)
class CType:
    """The C++ type of an SSA value: kind "bool" | "int" | "index" | "float", and bits."""

    kind: str
    bits: int

    def spell(self) -> str:
        if self.kind == "bool":
            return "bool"
        if self.kind == "int":
            return f"ap_int<{self.bits}>"
        if self.kind == "index":
            return "int64_t"
        return {16: "half", 32: "float", 64: "double"}[self.bits]


BOOL = CType("bool", 1)
INDEX = CType("index", 64)


def value_type(t: ir.Type) -> CType:
    """The value type of an MLIR scalar type (see the module docstring)."""
    if isinstance(t, ir.IntegerType):
        return BOOL if t.width == 1 else CType("int", t.width)
    if isinstance(t, ir.IndexType):
        return INDEX
    if isinstance(t, ir.F16Type):
        return CType("float", 16)
    if isinstance(t, ir.F32Type):
        return CType("float", 32)
    if isinstance(t, ir.F64Type):
        return CType("float", 64)
    raise HLSEmitError(f"no C++ value type for the MLIR type {t}")


@dataclass(frozen=True)
class Storage:
    """The C++ type of a cell: kind "int" | "fixed" | "float" | "bool" | "index"."""

    kind: str
    bits: int
    signed: bool = True
    frac: int = 0
    std: bool = False  # spelled as a standard C integer (int32_t, uint8_t, ...)

    def spell(self) -> str:
        if self.kind == "bool":
            return "bool"
        if self.kind == "index":
            return "int64_t"
        if self.kind == "float":
            return {16: "half", 32: "float", 64: "double"}[self.bits]
        if self.kind == "fixed":
            name = "ap_fixed" if self.signed else "ap_ufixed"
            return f"{name}<{self.bits}, {self.bits - self.frac}, AP_TRN, AP_WRAP>"
        if self.std:
            return f"{'' if self.signed else 'u'}int{self.bits}_t"
        return f"ap_{'' if self.signed else 'u'}int<{self.bits}>"

    @property
    def value(self) -> CType:
        """The value type the cell's raw bits are read into."""
        if self.kind == "bool":
            return BOOL
        if self.kind == "index":
            return INDEX
        if self.kind == "float":
            return CType("float", self.bits)
        return BOOL if self.bits == 1 else CType("int", self.bits)


def default_storage(t: ir.Type) -> Storage:
    """The storage of a cell of MLIR type `t` nothing declares: its value type."""
    v = value_type(t)
    if v.kind == "bool":
        return Storage("bool", 1, False)
    if v.kind == "index":
        return Storage("index", 64)
    if v.kind == "float":
        return Storage("float", v.bits)
    return Storage("int", v.bits, True)


def storage_for_dtype(d: DType) -> Storage:
    """The storage of a declared kernel type: standard C integers at 8/16/32/64 bits,
    `bool` for UInt(1), `ap_int`/`ap_uint` otherwise, `ap_fixed`/`ap_ufixed` with AP_TRN
    and AP_WRAP for fixed point, `half`/`float`/`double`."""
    if isinstance(d, Float):
        return Storage("float", d.bits)
    if isinstance(d, Index):
        return Storage("index", 64)
    if isinstance(d, Fixed):
        return Storage("fixed", d.bits, d.signed, d.frac)
    if isinstance(d, Int):
        if d.bits == 1 and not d.signed:
            return Storage("bool", 1, False)
        return Storage("int", d.bits, d.signed, std=d.bits in STD_WIDTHS)
    raise HLSEmitError(f"no C++ storage type for {d!r}")


def load_expr(st: Storage, vt: CType, ref: str) -> str:
    """The value (type `vt`) held in the cell `ref` of storage `st`, bits unchanged."""
    if st.kind == "fixed":
        return f"{vt.spell()}({ref}.range({st.bits - 1}, 0))"
    if vt.kind == "bool" and st.kind != "bool":
        return f"({ref} != 0)"
    if st.kind == "int" and (st.std or not st.signed) and vt.kind == "int":
        return f"{vt.spell()}({ref})"
    return ref


def store_stmt(st: Storage, vt: CType, ref: str, expr: str) -> str:
    """The statement putting the value `expr` (type `vt`) into the cell `ref`."""
    if st.kind == "fixed":
        return f"{ref}.range({st.bits - 1}, 0) = {expr};"
    if vt.kind == "bool" and st.kind == "int":
        return f"{ref} = {expr} ? -1 : 0;"
    if vt.kind == "int" and st.kind == "int" and st.std:
        return f"{ref} = {expr}.to_{'' if st.signed else 'u'}int64();"
    return f"{ref} = {expr};"


# ---------------------------------------------------------------- literals


def int_literal(value: int, bits: int) -> str:
    """A C++ literal of the signed value `value` of an `ap_int<bits>`: a plain literal
    within int64, the hexadecimal bit pattern through the string constructor beyond."""
    if -(2**31) <= value < 2**31:
        return str(value)
    if value == -(2**63):
        return "(-9223372036854775807LL - 1)"
    if -(2**63) < value < 2**63:
        return f"{value}LL"
    pattern = value & ((1 << bits) - 1)
    return f'ap_int<{bits}>("0x{pattern:x}", 16)'


def typed_int(value: int, bits: int) -> str:
    """An `ap_int<bits>` expression of the signed value `value`."""
    lit = int_literal(value, bits)
    return lit if lit.startswith("ap_int<") else f"ap_int<{bits}>({lit})"


def float_literal(value: float, bits: int) -> str:
    """A C++ expression of exactly the float `value` of width `bits`."""
    cname = {16: "half", 32: "float", 64: "double"}[bits]
    if math.isnan(value):
        return f"({cname})std::numeric_limits<float>::quiet_NaN()"
    if math.isinf(value):
        sign = "-" if value < 0 else ""
        return f"({cname})({sign}std::numeric_limits<float>::infinity())"
    if bits == 64:
        text = repr(float(value))
        return text if any(c in text for c in ".e") else text + ".0"
    exact = float(np.float16(value)) if bits == 16 else float(np.float32(value))
    text = repr(exact) if bits == 16 else str(np.float32(exact))
    if not any(c in text for c in ".e"):
        text += ".0"
    return f"(half){text}f" if bits == 16 else f"{text}f"


# ---------------------------------------------------------------- identifiers

CPP_KEYWORDS = frozenset("""alignas alignof and and_eq asm auto bitand bitor bool break case
catch char char16_t char32_t class compl const constexpr const_cast continue decltype default
delete do double dynamic_cast else enum explicit export extern false float for friend goto if
inline int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private
protected public register reinterpret_cast return short signed sizeof static static_assert
static_cast struct switch template this thread_local throw true try typedef typeid typename
union unsigned using virtual void volatile wchar_t while xor xor_eq main half std av avtb
ap_int ap_uint ap_fixed ap_ufixed int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t
uint64_t""".split())


def sanitize(name: str) -> str:
    """A C++ identifier for `name`: non-identifier characters become `_`, no leading digit,
    no leading underscore (reserved), never a keyword."""
    out = "".join(c if c.isalnum() or c == "_" else "_" for c in name).lstrip("_")
    if not out:
        out = "x"
    if out[0].isdigit():
        out = "n" + out
    if out in CPP_KEYWORDS:
        out += "_"
    return out


class Names:
    """Unique C++ identifiers within one scope."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.used: set[str] = set(taken or ())

    def fresh(self, base: str) -> str:
        name = sanitize(base)
        if name in self.used:
            k = 1
            while f"{name}_{k}" in self.used:
                k += 1
            name = f"{name}_{k}"
        self.used.add(name)
        return name
