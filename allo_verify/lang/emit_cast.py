"""Constants and conversions, each emitted as explicit arith/math ops.

The conversion semantics are the ones stated in `typing_rules` (wrap for integers,
AP_TRN/AP_WRAP for fixed point, truncate-and-saturate for float to integer). Callers hold
an insertion point and a location.
"""

from __future__ import annotations

from mlir.dialects import arith, math
from mlir.ir import Attribute, F32Type, FloatAttr, IntegerAttr, IntegerType, Value

from allo_verify.lang.types import DType, Fixed, Float, Index, Int, exact_float, int64
from allo_verify.lang.values import TV, mlir_type

CMPI = arith.CmpIPredicate
CMPF = arith.CmpFPredicate


def int_const(bits: int, value: int) -> Value:
    """An `arith.constant` of type iN holding `value` wrapped to N bits."""
    t = IntegerType.get_signless(bits)
    v = Int(bits).wrap(value)
    if bits <= 64:
        attr = IntegerAttr.get(t, v)
    else:
        attr = Attribute.parse(f"{v} : i{bits}")
    return arith.ConstantOp(t, attr).result


def const(t: DType, value: int | float) -> TV:
    """A constant of kernel type `t`; integers wrap, fixed point takes the scaled integer, a
    float type takes `value` rounded once (`exact_float`: an integer is never rounded
    through float64 first)."""
    if isinstance(t, Int):
        return TV(int_const(t.bits, int(value)), t)
    if isinstance(t, Fixed):
        return TV(int_const(t.bits, int(value)), t)
    if isinstance(t, Float):
        ft = mlir_type(t)
        return TV(arith.ConstantOp(ft, FloatAttr.get(ft, float(exact_float(value, t)))).result, t)
    if isinstance(t, Index):
        return TV(arith.ConstantOp.create_index(int(value)).result, t)
    raise TypeError(f"no constant of type {t!r}")


def resize(v: Value, signed: bool, src: int, dst: int) -> Value:
    """Extend (by signedness) or truncate an integer value from `src` to `dst` bits."""
    if src == dst:
        return v
    t = IntegerType.get_signless(dst)
    if dst < src:
        return arith.TruncIOp(t, v).result
    return (arith.ExtSIOp if signed else arith.ExtUIOp)(t, v).result


def cmpi(pred: str, a: Value, b: Value) -> Value:
    return arith.CmpIOp(getattr(CMPI, pred), a, b).result


def cmpf(pred: str, a: Value, b: Value) -> Value:
    return arith.CmpFOp(getattr(CMPF, pred.upper()), a, b).result


def select(c: Value, a: Value, b: Value) -> Value:
    return arith.SelectOp(c, a, b).result


def _int_to_int(x: TV, t: Int) -> TV:
    src = x.dtype
    assert isinstance(src, Int)
    return TV(resize(x.value, src.signed, src.bits, t.bits), t)


def _shift_right(v: Value, signed: bool, bits: int, amount: int) -> Value:
    """floor(v / 2**amount) in `bits` bits; an amount >= bits leaves only the sign."""
    if amount >= bits:
        if not signed:
            return int_const(bits, 0)
        amount = bits - 1
    k = int_const(bits, amount)
    return (arith.ShRSIOp if signed else arith.ShRUIOp)(v, k).result


def _fixed_to_fixed(x: TV, t: Fixed) -> TV:
    src = x.dtype
    assert isinstance(src, (Fixed, Int))
    sf = src.frac if isinstance(src, Fixed) else 0
    v = x.value
    if t.frac >= sf:
        w = max(src.bits + t.frac - sf, t.bits)
        v = resize(v, src.signed, src.bits, w)
        if t.frac > sf:
            v = arith.ShLIOp(v, int_const(w, t.frac - sf)).result
        return TV(resize(v, True, w, t.bits), t)
    v = _shift_right(v, src.signed, src.bits, sf - t.frac)  # floor: AP_TRN
    return TV(resize(v, src.signed, src.bits, t.bits), t)


def _fixed_to_int(x: TV, t: Int) -> TV:
    src = x.dtype
    assert isinstance(src, Fixed)
    v = x.value
    if src.frac:
        q = _shift_right(v, src.signed, src.bits, src.frac)
        if src.signed:
            zero = int_const(src.bits, 0)
            neg = cmpi("slt", v, zero)
            frac = arith.AndIOp(v, int_const(src.bits, (1 << src.frac) - 1)).result
            inexact = cmpi("ne", frac, zero)
            bump = arith.AndIOp(neg, inexact).result
            q = select(bump, arith.AddIOp(q, int_const(src.bits, 1)).result, q)
        v = q
    return TV(resize(v, src.signed, src.bits, t.bits), t)


def _int_to_float(x: TV, t: Float) -> TV:
    """The nearest float. Fixed point and integers wider than 128 bits go through float64
    when the target is narrower (scaling by 2**-frac is exact there; LLVM's direct conversion
    of wide integers to float32 is wrong), which rounds twice only for more than 53 bits."""
    src = x.dtype
    assert isinstance(src, (Int, Fixed))
    frac = src.frac if isinstance(src, Fixed) else 0
    via = Float(64) if t.bits < 64 and (frac or src.bits > 128) else t
    v = (arith.SIToFPOp if src.signed else arith.UIToFPOp)(mlir_type(via), x.value).result
    if frac:
        v = arith.MulFOp(v, const(via, 2.0 ** -frac).value).result
    if via != t:
        v = arith.TruncFOp(mlir_type(t), v).result
    return TV(v, t)


def _float_to_int(x: TV, t: Int, wide: bool = False) -> TV:
    """Truncate toward zero, saturate at the target range (at the 64-bit range of its
    signedness beyond 64 bits, unless `wide`), NaN->0."""
    src = x.dtype
    assert isinstance(src, Float)
    v = x.value
    if src.bits == 16:
        v = arith.ExtFOp(F32Type.get(), v).result
        src = Float(32)
    w = t.bits if wide else min(t.bits, 64)
    lo, hi = (-(2 ** (w - 1)), 2 ** (w - 1)) if t.signed else (0, 2**w)
    conv = (arith.FPToSIOp if t.signed else arith.FPToUIOp)(IntegerType.get_signless(w), v).result
    too_big = cmpf("oge", v, const(src, float(hi)).value)
    if t.signed:
        too_small = cmpf("olt", v, const(src, float(lo)).value)
    else:
        too_small = cmpf("ole", v, const(src, -1.0).value)
    is_nan = cmpf("uno", v, v)
    r = select(too_big, int_const(w, hi - 1), conv)
    r = select(too_small, int_const(w, lo), r)
    r = select(is_nan, int_const(w, 0), r)
    return TV(resize(r, t.signed, w, t.bits), t)


def _float_to_fixed(x: TV, t: Fixed) -> TV:
    """floor(x * 2**frac), computed in float64 (exact scaling). Up to 64 bits: saturated at
    the int64 range, then wrapped to the width; wider: saturated at the width's range."""
    src = x.dtype
    assert isinstance(src, Float)
    f64 = Float(64)
    v = x.value if src.bits == 64 else arith.ExtFOp(mlir_type(f64), x.value).result
    scaled = arith.MulFOp(v, const(f64, 2.0**t.frac).value).result
    floored = TV(math.FloorOp(scaled).result, f64)
    if t.bits > 64:
        return TV(_float_to_int(floored, t.storage, wide=True).value, t)
    as_int = _float_to_int(floored, int64)
    return TV(resize(as_int.value, True, 64, t.bits), t)


def cast(x: TV, t: DType) -> TV:
    """Convert `x` to kernel type `t` by the rules of `typing_rules`."""
    s = x.dtype
    if s == t:
        return x
    if isinstance(s, Index):
        if isinstance(t, Index):
            return x
        as64 = TV(arith.IndexCastOp(IntegerType.get_signless(64), x.value).result, int64)
        return cast(as64, t)
    if isinstance(t, Index):
        i = cast(x, int64)
        return TV(arith.IndexCastOp(mlir_type(t), i.value).result, t)
    if isinstance(s, Int) and isinstance(t, Int):
        return _int_to_int(x, t)
    if isinstance(s, (Int, Fixed)) and isinstance(t, Fixed):
        return _fixed_to_fixed(x, t)
    if isinstance(s, Fixed) and isinstance(t, Int):
        return _fixed_to_int(x, t)
    if isinstance(s, (Int, Fixed)) and isinstance(t, Float):
        return _int_to_float(x, t)
    if isinstance(s, Float) and isinstance(t, Int):
        return _float_to_int(x, t)
    if isinstance(s, Float) and isinstance(t, Fixed):
        return _float_to_fixed(x, t)
    if isinstance(s, Float) and isinstance(t, Float):
        op = arith.ExtFOp if t.bits > s.bits else arith.TruncFOp
        return TV(op(mlir_type(t), x.value).result, t)
    raise TypeError(f"cannot convert {s!r} to {t!r}")


def to_bool(x: TV) -> TV:
    """`x != 0` as an i1 (floats: unordered-or-not-equal, so NaN is true)."""
    b = Int(1, signed=False)
    if isinstance(x.dtype, Int) and x.dtype.bits == 1 and not x.dtype.signed:
        return x
    if isinstance(x.dtype, Float):
        return TV(cmpf("une", x.value, const(x.dtype, 0.0).value), b)
    zero = const(x.dtype, 0).value
    return TV(cmpi("ne", x.value, zero), b)
