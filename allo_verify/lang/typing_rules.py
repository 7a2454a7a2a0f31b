"""The kernel language's typing rules: one table, one place.

Every implicit conversion the frontend makes is decided here and emitted as an explicit op.
Let `sw(t)` be the width a type needs as a signed integer (`w` if signed, `w + 1` if
unsigned), `u` mean "both operands unsigned", and `C = UInt(max w)` if `u` else
`Int(max sw)` (the *common* type, which holds every value of both operands).

| operation                 | operands     | result type                                     |
|---------------------------|--------------|-------------------------------------------------|
| `a + b`                   | ints         | `UInt(max w + 1)` if u else `Int(max sw + 1)`   |
| `a - b`                   | ints         | `Int(max sw + 1)` (always signed)               |
| `a * b`                   | ints         | `UInt(wa + wb)` if u else `Int(sw a + sw b)`    |
| `a / b` (toward zero)     | ints         | `C` if u else `Int(max sw + 1)`                 |
| `a // b` (floor)          | ints         | as `/`                                          |
| `a % b` (divisor's sign)  | ints         | as `/`                                          |
| `a & b`, `a | b`, `a ^ b` | ints         | `C`                                             |
| `a << b`, `a >> b`        | ints         | type of `a` (`>>` arithmetic iff `a` signed)    |
| `lit << b`, `lit >> b`    | literal, int | `shifted_literal_type`: max(lit, b, 32 bits)    |
| `-a`                      | int          | `Int(sw a + 1)`                                 |
| `~a`, `+a`                | int          | type of `a`                                     |
| `abs(a)`                  | int          | `Int(w + 1)` if signed, else type of `a`        |
| `min`, `max`              | ints         | `C`                                             |
| `a ** k` (constant k>=0)  | int          | repeated `*`                                    |
| `< <= > >= == !=`         | ints         | `bool` (compared in `C`)                        |
| `and`, `or`, `not`        | any          | `bool` (operands tested against zero)           |
| any arithmetic            | float + any  | the (wider) float type; others convert to it    |
| `+`, `-`                  | fixed (1)    | `Fixed(max I + F + 1, F)`, `F = max F`          |
| `*`                       | fixed (1)    | `Fixed(Wa + Wb, Fa + Fb)`                       |
| comparisons, min, max     | fixed (1)    | compared at `F = max F`                         |

(1) at least one fixed-point operand; an int of width w counts as `Fixed(w, 0)`; `I = W - F`
is the integer width (one more for an unsigned operand beside a signed one). Fixed-point
`/`, `//`, `%` and bitwise operators are refused.

Widths are capped at 512 bits. Integer literals take the smallest type that holds them
(unsigned when non-negative and the other operand is unsigned); float literals take the
other operand's float type, else `float32`. Loop variables and other index values used as
data are `int64`. Integer division and remainder by zero give 0 and the dividend; shifts by
an amount >= the width (or negative) give 0 (or all sign bits for an arithmetic `>>`).
Conversions by assignment or an explicit cast (`int8(x)`): integers truncate (wrap) or
extend by the source's signedness; to fixed point, truncate toward minus infinity and wrap
(`ap_fixed` AP_TRN, AP_WRAP); fixed to integer truncates toward zero (as `ap_fixed::to_int`);
float to integer truncates toward zero and saturates at the target's range (NaN gives 0;
integers wider than 64 bits saturate at the 64-bit range of their signedness); float to fixed
takes floor(x * 2**F) (in float64), saturates it at the int64 range and wraps it to W bits
(W > 64: saturates at the W-bit range). Fixed point to float16/float32 goes through float64.
`%` on floats is C `fmod`; `min`/`max` on floats are IEEE `minimum`/`maximum`.
An array subscript computed from data (not affine in the loop variables) that falls
outside the array reads 0 and writes nothing; affine subscripts that can leave the array
outside any condition are refused when the kernel is built.
"""

from __future__ import annotations

from allo_verify.lang.types import MAX_INT_WIDTH, DType, Fixed, Float, Index, Int, int64

ARITH_OPS = ("+", "-", "*", "/", "//", "%")
BIT_OPS = ("&", "|", "^")
SHIFT_OPS = ("<<", ">>")
COMPARE_OPS = ("<", "<=", ">", ">=", "==", "!=")


def _cap(w: int) -> int:
    return min(w, MAX_INT_WIDTH)


def signed_width(t: Int) -> int:
    """Width the values of `t` need as a signed integer."""
    return t.bits if t.signed else t.bits + 1


def common_int(a: Int, b: Int) -> Int:
    """Smallest type holding every value of `a` and of `b`."""
    if not a.signed and not b.signed:
        return Int(max(a.bits, b.bits), signed=False)
    return Int(_cap(max(signed_width(a), signed_width(b))))


def data_type(t: DType) -> DType:
    """The type a value of `t` takes in data arithmetic (index becomes int64)."""
    return int64 if isinstance(t, Index) else t


def int_binary(op: str, a: Int, b: Int) -> Int:
    """Result (and operating) type of an integer binary operator, per the table."""
    both_u = not a.signed and not b.signed
    if op == "+":
        if both_u:
            return Int(_cap(max(a.bits, b.bits) + 1), signed=False)
        return Int(_cap(max(signed_width(a), signed_width(b)) + 1))
    if op == "-":
        return Int(_cap(max(signed_width(a), signed_width(b)) + 1))
    if op == "*":
        if both_u:
            return Int(_cap(a.bits + b.bits), signed=False)
        return Int(_cap(signed_width(a) + signed_width(b)))
    if op in ("/", "//", "%"):
        if both_u:
            return common_int(a, b)
        return Int(_cap(max(signed_width(a), signed_width(b)) + 1))
    if op in BIT_OPS or op in ("min", "max") or op in COMPARE_OPS:
        return common_int(a, b)
    if op in SHIFT_OPS:
        return a
    raise KeyError(op)


def as_fixed(t: DType) -> Fixed:
    """`t` (an Int or Fixed) viewed as fixed point."""
    if isinstance(t, Fixed):
        return t
    assert isinstance(t, Int)
    return Fixed(t.bits, 0, t.signed)


def fixed_binary(op: str, a: DType, b: DType) -> Fixed:
    """Result type of `+ - *` and the comparison type for fixed-point operands."""
    fa, fb = as_fixed(a), as_fixed(b)
    if op == "*":
        if not fa.signed and not fb.signed:
            return Fixed(_cap(fa.bits + fb.bits), fa.frac + fb.frac, signed=False)
        wa = fa.bits + (0 if fa.signed else 1)
        wb = fb.bits + (0 if fb.signed else 1)
        return Fixed(_cap(wa + wb), fa.frac + fb.frac)
    frac = max(fa.frac, fb.frac)
    ia = fa.bits - fa.frac + (0 if fa.signed else 1)
    ib = fb.bits - fb.frac + (0 if fb.signed else 1)
    both_u = not fa.signed and not fb.signed
    if op in COMPARE_OPS or op in ("min", "max"):
        if both_u:
            return Fixed(_cap(max(fa.bits - fa.frac, fb.bits - fb.frac) + frac), frac, False)
        return Fixed(_cap(max(ia, ib) + frac), frac)
    if op == "+" and both_u:
        return Fixed(_cap(max(fa.bits - fa.frac, fb.bits - fb.frac) + frac + 1), frac, False)
    if op in ("+", "-"):
        return Fixed(_cap(max(ia, ib) + frac + 1), frac)
    raise KeyError(op)


def float_binary(a: DType, b: DType) -> Float:
    """The float type two operands meet in when at least one is a float."""
    fa = a if isinstance(a, Float) else None
    fb = b if isinstance(b, Float) else None
    if fa and fb:
        return fa if fa.bits >= fb.bits else fb
    return fa or fb  # type: ignore[return-value]


def literal_int_type(value: int, other: DType | None) -> Int:
    """Smallest type holding the literal `value` (unsigned beside an unsigned operand)."""
    if value >= 0 and isinstance(other, (Int, Fixed)) and not other.signed:
        return Int(_cap(max(value.bit_length(), 1)), signed=False)
    if value >= 0:
        return Int(_cap(value.bit_length() + 1))
    return Int(_cap((-value - 1).bit_length() + 1))


def shifted_literal_type(value: int, amount: Int) -> Int:
    """Type of an integer literal on the left of `<<`/`>>` (the shift's result type).

    The smallest type holding the literal would make `1 << v` wrap to 0 for any v >= 1, so
    the literal takes the widest of: its own smallest type, the shift amount's type, and
    32 bits (C's `int`, which `1 << v` has in the emitted C++); unsigned when the literal is
    non-negative and the amount unsigned. Within that width the result is Python's."""
    own = literal_int_type(value, amount)
    return Int(_cap(max(own.bits, amount.bits, 32)), signed=own.signed)


def math_float_type(t: DType) -> Float:
    """Float type a math function (exp, sqrt, ...) computes in for an operand of type `t`."""
    if isinstance(t, Float):
        return t
    bits = t.bits if isinstance(t, (Int, Fixed)) else 64
    return Float(32) if bits <= 24 else Float(64)
