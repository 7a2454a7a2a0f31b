"""Constants and conversions, each emitted as explicit arith/math ops.

The conversion semantics are the ones stated in `typing_rules` (wrap for integers,
AP_TRN/AP_WRAP for fixed point, truncate-and-saturate for float to integer). Callers hold
an insertion point and a location.
"""

from __future__ import annotations

from mlir.dialects import arith, math
from mlir.ir import Attribute, F32Type, FloatAttr, IntegerAttr, IntegerType, Value

from allo_verify.lang.types import DType, Fixed, Float, Index, Int, int64
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
    """A constant of kernel type `t`; integers wrap, fixed point takes the scaled integer."""
    if isinstance(t, Int):
        return TV(int_const(t.bits, int(value)), t)
    if isinstance(t, Fixed):
        return TV(int_const(t.bits, int(value)), t)
    if isinstance(t, Float):
        ft = mlir_type(t)
        return TV(arith.ConstantOp(ft, FloatAttr.get(ft, float(value))).result, t)
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
    src = x.dtype
    assert isinstance(src, (Int, Fixed))
    ft = mlir_type(t)
    v = (arith.SIToFPOp if src.signed else arith.UIToFPOp)(ft, x.value).result
    if isinstance(src, Fixed) and src.frac:
        scale = const(t, 2.0 ** -src.frac).value
        v = arith.MulFOp(v, scale).result
    return TV(v, t)


def _float_to_int(x: TV, t: Int) -> TV:
    """Truncate toward zero, saturate at the target range (int64 range beyond 64 bits), NaN->0."""
    src = x.dtype
    assert isinstance(src, Float)
    v = x.value
    if src.bits == 16:
        v = arith.ExtFOp(F32Type.get(), v).result
        src = Float(32)
    w = min(t.bits, 64)
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
    src = x.dtype
    assert isinstance(src, Float)
    scaled = arith.MulFOp(x.value, const(src, 2.0**t.frac).value).result
    floored = math.FloorOp(scaled).result
    as_int = _float_to_int(TV(floored, src), int64)
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
