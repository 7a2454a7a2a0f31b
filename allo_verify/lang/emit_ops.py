"""Operators on typed values, emitted per the table in `typing_rules`.

Division, remainder and shifts are total: the IR guards the divisor and the shift amount
with selects, so every layer (LLVM, Z3, C++) sees the same defined result.
"""

from __future__ import annotations

from mlir.dialects import arith, math

from allo_verify.lang import typing_rules as rules
from allo_verify.lang.emit_cast import cast, cmpf, cmpi, const, int_const, resize, select, to_bool
from allo_verify.lang.types import DType, Fixed, Float, Index, Int
from allo_verify.lang.types import bool as bool_t
from allo_verify.lang.values import TV


class OpTypeError(TypeError):
    """An operator applied to operand types it does not support."""


_FLOAT_OPS = {"+": arith.AddFOp, "-": arith.SubFOp, "*": arith.MulFOp, "/": arith.DivFOp,
              "%": arith.RemFOp}
_INT_OPS = {"+": arith.AddIOp, "-": arith.SubIOp, "*": arith.MulIOp, "&": arith.AndIOp,
            "|": arith.OrIOp, "^": arith.XOrIOp}
_MINMAX = {("min", True): arith.MinSIOp, ("min", False): arith.MinUIOp,
           ("max", True): arith.MaxSIOp, ("max", False): arith.MaxUIOp}
_CMP_SUFFIX = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_MATH_UNARY = {"exp": math.ExpOp, "log": math.LogOp, "log2": math.Log2Op, "sqrt": math.SqrtOp,
               "sin": math.SinOp, "cos": math.CosOp, "tanh": math.TanhOp, "floor": math.FloorOp}
MATH_FUNCTIONS = (*_MATH_UNARY, "pow")


def _data(x: TV) -> TV:
    return cast(x, rules.data_type(x.dtype)) if isinstance(x.dtype, Index) else x


def binary(op: str, a: TV, b: TV) -> TV:
    """`a op b` for arithmetic, bitwise, shift and min/max operators."""
    a, b = _data(a), _data(b)
    ta, tb = a.dtype, b.dtype
    if isinstance(ta, Float) or isinstance(tb, Float):
        return _float_binary(op, a, b)
    if isinstance(ta, Fixed) or isinstance(tb, Fixed):
        return _fixed_binary(op, a, b)
    assert isinstance(ta, Int) and isinstance(tb, Int)
    if op in rules.SHIFT_OPS:
        return shift(op, a, b)
    r = rules.int_binary(op, ta, tb)
    x, y = cast(a, r).value, cast(b, r).value
    if op in _INT_OPS:
        return TV(_INT_OPS[op](x, y).result, r)
    if op in ("min", "max"):
        return TV(_MINMAX[(op, r.signed)](x, y).result, r)
    if op in ("/", "//", "%"):
        return TV(_divide(op, x, y, r), r)
    raise OpTypeError(f"operator {op!r} is not defined on integers")


def _float_binary(op: str, a: TV, b: TV) -> TV:
    t = rules.float_binary(a.dtype, b.dtype)
    x, y = cast(a, t).value, cast(b, t).value
    if op in _FLOAT_OPS:
        return TV(_FLOAT_OPS[op](x, y).result, t)
    if op == "//":
        return TV(math.FloorOp(arith.DivFOp(x, y).result).result, t)
    if op == "min":
        return TV(arith.MinimumFOp(x, y).result, t)
    if op == "max":
        return TV(arith.MaximumFOp(x, y).result, t)
    raise OpTypeError(f"operator {op!r} is not defined on floats ({a.dtype!r}, {b.dtype!r})")


def _fixed_binary(op: str, a: TV, b: TV) -> TV:
    if op not in ("+", "-", "*", "min", "max"):
        raise OpTypeError(f"operator {op!r} is not supported on fixed point "
                          f"({a.dtype!r}, {b.dtype!r}); convert to a float or an integer first")
    t = rules.fixed_binary(op, a.dtype, b.dtype)
    if op == "*":
        fa, fb = rules.as_fixed(a.dtype), rules.as_fixed(b.dtype)
        x = resize(a.value, fa.signed, fa.bits, t.bits)
        y = resize(b.value, fb.signed, fb.bits, t.bits)
        return TV(arith.MulIOp(x, y).result, t)
    x, y = cast(a, t).value, cast(b, t).value
    if op in ("min", "max"):
        return TV(_MINMAX[(op, t.signed)](x, y).result, t)
    return TV(_INT_OPS[op](x, y).result, t)


def _divide(op: str, x, y, r: Int):  # noqa: ANN001, ANN202 - MLIR values
    zero, one = int_const(r.bits, 0), int_const(r.bits, 1)
    is_zero = cmpi("eq", y, zero)
    safe = select(is_zero, one, y)
    if op == "/":
        q = (arith.DivSIOp if r.signed else arith.DivUIOp)(x, safe).result
        return select(is_zero, zero, q)
    if op == "//":
        q = (arith.FloorDivSIOp if r.signed else arith.DivUIOp)(x, safe).result
        return select(is_zero, zero, q)
    rem = (arith.RemSIOp if r.signed else arith.RemUIOp)(x, safe).result
    if r.signed:
        nonzero = cmpi("ne", rem, zero)
        signs_differ = cmpi("slt", arith.XOrIOp(rem, safe).result, zero)
        fix = arith.AndIOp(nonzero, signs_differ).result
        rem = select(fix, arith.AddIOp(rem, safe).result, rem)
    return select(is_zero, x, rem)


def shift(op: str, a: TV, amount: TV | int) -> TV:
    """`a << amount` / `a >> amount` in `a`'s type; amounts >= width or < 0 shift everything out."""
    t = a.dtype
    assert isinstance(t, Int)
    w = t.bits
    right = arith.ShRSIOp if t.signed else arith.ShRUIOp
    if isinstance(amount, int):
        if 0 <= amount < w:
            k = int_const(w, amount)
            return TV((arith.ShLIOp(a.value, k) if op == "<<" else right(a.value, k)).result, t)
        if op == ">>" and t.signed:
            return TV(arith.ShRSIOp(a.value, int_const(w, w - 1)).result, t)
        return const(t, 0)
    amount = _data(amount)
    s = amount.dtype
    if not isinstance(s, Int):
        raise OpTypeError(f"shift amount must be an integer, got {s!r}")
    k = max(s.bits, w.bit_length() + 1)
    amt = resize(amount.value, s.signed, s.bits, k)
    out = cmpi("uge", amt, int_const(k, w))
    safe = resize(select(out, int_const(k, 0), amt), False, k, w)
    if op == "<<":
        return TV(select(out, int_const(w, 0), arith.ShLIOp(a.value, safe).result), t)
    fill = arith.ShRSIOp(a.value, int_const(w, w - 1)).result if t.signed else int_const(w, 0)
    return TV(select(out, fill, right(a.value, safe).result), t)


def compare(op: str, a: TV, b: TV) -> TV:
    """`a op b` for a comparison operator, as a bool."""
    a, b = _data(a), _data(b)
    ta, tb = a.dtype, b.dtype
    if isinstance(ta, Float) or isinstance(tb, Float):
        t = rules.float_binary(ta, tb)
        pred = {"==": "oeq", "!=": "une"}.get(op) or "o" + _CMP_SUFFIX[op]
        return TV(cmpf(pred, cast(a, t).value, cast(b, t).value), bool_t)
    t: DType
    if isinstance(ta, Fixed) or isinstance(tb, Fixed):
        t = rules.fixed_binary(op, ta, tb)
    else:
        assert isinstance(ta, Int) and isinstance(tb, Int)
        t = rules.common_int(ta, tb)
    signed = t.signed  # type: ignore[union-attr]
    pred = {"==": "eq", "!=": "ne"}.get(op) or ("s" if signed else "u") + _CMP_SUFFIX[op]
    return TV(cmpi(pred, cast(a, t).value, cast(b, t).value), bool_t)


def unary(op: str, a: TV) -> TV:
    """`-a`, `+a`, `~a`, `not a`, `abs(a)`."""
    a = _data(a)
    t = a.dtype
    if op == "not":
        return TV(arith.XOrIOp(to_bool(a).value, int_const(1, 1)).result, bool_t)
    if op == "+":
        return a
    if isinstance(t, Float):
        if op == "-":
            return TV(arith.NegFOp(a.value).result, t)
        if op == "abs":
            return TV(math.AbsFOp(a.value).result, t)
        raise OpTypeError(f"operator {op!r} is not defined on floats")
    assert isinstance(t, (Int, Fixed))
    if op == "~":
        if isinstance(t, Fixed):
            raise OpTypeError("operator '~' is not defined on fixed point")
        return TV(arith.XOrIOp(a.value, int_const(t.bits, -1)).result, t)
    if op == "abs" and not t.signed:
        return a
    wide_bits = min(t.bits + (1 if t.signed else 2), 512)
    wide: DType = Fixed(wide_bits, t.frac) if isinstance(t, Fixed) else Int(wide_bits)
    x = cast(a, wide).value
    if op == "-":
        return TV(arith.SubIOp(int_const(wide_bits, 0), x).result, wide)
    if op == "abs":
        return TV(math.AbsIOp(x).result, wide)
    raise OpTypeError(f"unknown unary operator {op!r}")


def math_call(name: str, args: list[TV]) -> TV:
    """A math function on floats; integer and fixed operands convert first."""
    t = rules.math_float_type(args[0].dtype)
    if name == "pow":
        if len(args) != 2:
            raise OpTypeError("pow takes two arguments")
        t = rules.float_binary(t, rules.math_float_type(args[1].dtype))
        return TV(math.PowFOp(cast(args[0], t).value, cast(args[1], t).value).result, t)
    if len(args) != 1:
        raise OpTypeError(f"{name} takes one argument")
    return TV(_MATH_UNARY[name](cast(args[0], t).value).result, t)
