"""One C++ spelling per arith/math op: the table `OPS` maps an op name to a function that
returns the right-hand side of `T v = <rhs>;` for the op's single result.

Law: the C++ expression computes exactly the MLIR op's result on every input where the op
is defined (bit for bit at the result's width). Signless MLIR integers are `ap_int<N>`; an
op that reads its operands as unsigned says so with `ap_uint<N>(...)`. C's `/` and `%`
truncate like `divsi`/`remsi`; `floordivsi`/`ceildivsi` go through `av::` helpers; every
extension, truncation and conversion is an explicit constructor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from mlir import ir

from allo_verify.codegen.hls.types import CType, HLSEmitError, value_type


class Operands(Protocol):
    """What an op spelling needs from the function emitter."""

    helpers: set[str]

    def ex(self, v: ir.Value, plain: bool = False) -> str: ...
    def const_int(self, v: ir.Value) -> int | None: ...


Spelling = Callable[[Operands, ir.Operation], str]


def _t(v: ir.Value) -> CType:
    return value_type(v.type)


def _u(t: CType, e: str) -> str:
    """`e` (an ap_int<N>) read as unsigned."""
    return f"ap_uint<{t.bits}>({e})"


def _as_int(t: CType, e: str) -> str:
    """`e` of type `t` as ap_int<N> (bool as the 1-bit two's complement value)."""
    return f"ap_int<1>({e} ? -1 : 0)" if t.kind == "bool" else e


def _int_result(t: CType, e: str) -> str:
    return f"(ap_int<1>({e}) != 0)" if t.kind == "bool" else e


def _binary(c_op: str) -> Spelling:
    def spell(o: Operands, op: ir.Operation) -> str:
        a, b = op.operands
        t = _t(a)
        if t.kind == "bool":
            x, y = o.ex(a), o.ex(b)
            if c_op in ("+", "-", "^"):
                return f"({x} != {y})"
            if c_op in ("*", "&"):
                return f"({x} && {y})"
            return f"({x} || {y})"
        return f"{o.ex(a, plain=True)} {c_op} {o.ex(b, plain=True)}"
    return spell


def _xori(o: Operands, op: ir.Operation) -> str:
    a, b = op.operands
    if _t(a).kind == "bool":
        if o.const_int(b) is not None:
            return f"!{o.ex(a)}" if o.const_int(b) else o.ex(a)
        if o.const_int(a) is not None:
            return f"!{o.ex(b)}" if o.const_int(a) else o.ex(b)
        return f"({o.ex(a)} != {o.ex(b)})"
    return _binary("^")(o, op)


def _signed_div(c_op: str) -> Spelling:
    def spell(o: Operands, op: ir.Operation) -> str:
        a, b = op.operands
        t = _t(a)
        if t.kind == "bool":  # i1: the divisor can only be -1 (true); a / -1 == a, a % -1 == 0
            return o.ex(a) if c_op == "/" else "false"
        return f"{o.ex(a, plain=True)} {c_op} {o.ex(b, plain=True)}"
    return spell


def _unsigned_div(c_op: str) -> Spelling:
    def spell(o: Operands, op: ir.Operation) -> str:
        a, b = op.operands
        t = _t(a)
        if t.kind == "bool":
            return o.ex(a) if c_op == "/" else "false"
        if t.kind == "index":
            return f"(int64_t)((uint64_t){o.ex(a)} {c_op} (uint64_t){o.ex(b)})"
        return f"{t.spell()}({_u(t, o.ex(a))} {c_op} {_u(t, o.ex(b))})"
    return spell


def _helper(name: str) -> Spelling:
    def spell(o: Operands, op: ir.Operation) -> str:
        a, b = op.operands
        t = _t(a)
        if t.kind == "bool":
            raise HLSEmitError(f"{op.name} on i1 has no C++ spelling")
        o.helpers.add(name)
        return f"av::{name}({o.ex(a)}, {o.ex(b)})"
    return spell


def _shift(kind: str) -> Spelling:
    def spell(o: Operands, op: ir.Operation) -> str:
        a, b = op.operands
        t = _t(a)
        k = o.const_int(b)
        if t.kind == "bool":  # i1: only a shift by 0 is defined
            return o.ex(a)
        if t.kind == "index":
            if kind == "shl":
                return f"(int64_t)((uint64_t){o.ex(a)} << {o.ex(b)})"
            if kind == "shrs":
                return f"{o.ex(a)} >> {o.ex(b)}"
            return f"(int64_t)((uint64_t){o.ex(a)} >> {o.ex(b)})"
        if k is not None and 0 <= k < t.bits:
            if kind == "shl":
                return f"{t.spell()}({o.ex(a)} << {k})"
            if kind == "shrs":
                return f"{t.spell()}({o.ex(a)} >> {k})"
            return f"{t.spell()}({_u(t, o.ex(a))} >> {k})"
        o.helpers.add(kind)
        return f"av::{kind}({o.ex(a)}, {o.ex(b)})"
    return spell


_CMPI_SIGNED = {2: "<", 3: "<=", 4: ">", 5: ">="}
_CMPI_UNSIGNED = {6: "<", 7: "<=", 8: ">", 9: ">="}
# i1 operands: unsigned false < true; signed true (-1) < false (0)
_CMPI_BOOL = {0: "({a} == {b})", 1: "({a} != {b})", 2: "({a} && !{b})", 3: "({a} || !{b})",
              4: "(!{a} && {b})", 5: "(!{a} || {b})", 6: "(!{a} && {b})", 7: "(!{a} || {b})",
              8: "({a} && !{b})", 9: "({a} || !{b})"}


def _cmpi(o: Operands, op: ir.Operation) -> str:
    pred = ir.IntegerAttr(op.attributes["predicate"]).value
    a, b = op.operands
    t = _t(a)
    if t.kind == "bool":
        return _CMPI_BOOL[pred].format(a=o.ex(a), b=o.ex(b))
    x, y = o.ex(a, plain=True), o.ex(b, plain=True)
    if pred == 0:
        return f"{x} == {y}"
    if pred == 1:
        return f"{x} != {y}"
    if pred in _CMPI_SIGNED:
        return f"{x} {_CMPI_SIGNED[pred]} {y}"
    if t.kind == "index":
        return f"(uint64_t){o.ex(a)} {_CMPI_UNSIGNED[pred]} (uint64_t){o.ex(b)}"
    return f"{_u(t, o.ex(a))} {_CMPI_UNSIGNED[pred]} {_u(t, o.ex(b))}"


def _minmax(c_op: str, unsigned: bool) -> Spelling:
    def spell(o: Operands, op: ir.Operation) -> str:
        a, b = op.operands
        t = _t(a)
        x, y = o.ex(a), o.ex(b)
        if t.kind == "bool":  # unsigned: false < true; signed: true (-1) < false
            smaller_is_and = (c_op == "<") == unsigned
            return f"({x} && {y})" if smaller_is_and else f"({x} || {y})"
        if unsigned and t.kind == "int":
            return f"{_u(t, x)} {c_op} {_u(t, y)} ? {x} : {y}"
        if unsigned:
            return f"(uint64_t){x} {c_op} (uint64_t){y} ? {x} : {y}"
        return f"{x} {c_op} {y} ? {x} : {y}"
    return spell


def _select(o: Operands, op: ir.Operation) -> str:
    c, a, b = op.operands
    return f"{o.ex(c)} ? {o.ex(a)} : {o.ex(b)}"


def _extsi(o: Operands, op: ir.Operation) -> str:
    a = op.operands[0]
    r = _t(op.results[0])
    if _t(a).kind == "bool":
        return f"{r.spell()}({o.ex(a)} ? -1 : 0)"
    return f"{r.spell()}({o.ex(a)})"


def _extui(o: Operands, op: ir.Operation) -> str:
    a = op.operands[0]
    r, t = _t(op.results[0]), _t(a)
    if t.kind == "bool":
        return f"{r.spell()}({o.ex(a)} ? 1 : 0)"
    return f"{r.spell()}({_u(t, o.ex(a))})"


def _trunci(o: Operands, op: ir.Operation) -> str:
    a = op.operands[0]
    r = _t(op.results[0])
    if r.kind == "bool":
        return f"(bool)({o.ex(a)}[0])"
    return f"{r.spell()}({o.ex(a)})"


def _index_cast(unsigned: bool) -> Spelling:
    def spell(o: Operands, op: ir.Operation) -> str:
        a = op.operands[0]
        t, r = _t(a), _t(op.results[0])
        if r.kind == "index":  # iN -> index: extend (by the op's signedness) or truncate
            if t.kind == "bool":
                return f"(int64_t)({o.ex(a)} ? {1 if unsigned else -1} : 0)"
            if unsigned:
                return f"(int64_t){_u(t, o.ex(a))}.to_uint64()"
            return f"(int64_t){o.ex(a)}.to_int64()"
        if r.kind == "bool":
            return f"(({o.ex(a)} & 1) != 0)"
        if unsigned and r.bits > 64:
            return f"{r.spell()}(ap_uint<64>((uint64_t){o.ex(a)}))"
        return f"{r.spell()}({o.ex(a)})"
    return spell


def _itofp(signed: bool) -> Spelling:
    def spell(o: Operands, op: ir.Operation) -> str:
        a = op.operands[0]
        t, r = _t(a), _t(op.results[0])
        x = o.ex(a)
        via = "float" if r.bits == 16 else r.spell()  # half: through float (exact or inf)
        if t.kind == "bool":
            v = f"({x} ? {'-1' if signed else '1'} : 0)"
        elif t.kind == "index":
            v = x if signed else f"(uint64_t){x}"
        elif t.bits <= 64:
            v = f"{x}.to_int64()" if signed else f"{_u(t, x)}.to_uint64()"
        else:
            o.helpers.add("uitofp")
            fn = "sitofp" if signed else "uitofp"
            arg = x if signed else _u(t, x)
            return f"({r.spell()})av::{fn}<{via}, {t.bits}>({arg})"
        return f"({r.spell()})({via}){v}" if r.bits == 16 else f"({r.spell()}){v}"
    return spell


def _fptoi(name: str) -> Spelling:
    def spell(o: Operands, op: ir.Operation) -> str:
        a = op.operands[0]
        r = _t(op.results[0])
        o.helpers.add(name)
        if r.kind == "bool":
            return f"(bool)(av::{name}<2>((double){o.ex(a)})[0])"
        if r.kind == "index":
            return f"(int64_t)av::{name}<64>((double){o.ex(a)}).to_int64()"
        return f"av::{name}<{r.bits}>((double){o.ex(a)})"
    return spell


def _fcast(o: Operands, op: ir.Operation) -> str:
    return f"({_t(op.results[0]).spell()}){o.ex(op.operands[0])}"


def _fbinary(c_op: str) -> Spelling:
    def spell(o: Operands, op: ir.Operation) -> str:
        a, b = op.operands
        r = _t(op.results[0])
        e = f"{o.ex(a)} {c_op} {o.ex(b)}"
        return f"({r.spell()})({e})" if r.bits == 16 else e
    return spell


# cmpf predicates (MLIR numbering): ordered ones are false on NaN, unordered ones true.
_CMPF = {0: "false", 1: "{a} == {b}", 2: "{a} > {b}", 3: "{a} >= {b}", 4: "{a} < {b}",
         5: "{a} <= {b}", 6: "({a} < {b} || {a} > {b})",
         7: "(!std::isnan((double){a}) && !std::isnan((double){b}))",
         8: "!({a} < {b} || {a} > {b})", 9: "!({a} <= {b})", 10: "!({a} < {b})",
         11: "!({a} >= {b})", 12: "!({a} > {b})", 13: "!({a} == {b})",
         14: "(std::isnan((double){a}) || std::isnan((double){b}))", 15: "true"}


def _cmpf(o: Operands, op: ir.Operation) -> str:
    pred = ir.IntegerAttr(op.attributes["predicate"]).value
    a, b = op.operands
    return _CMPF[pred].format(a=o.ex(a), b=o.ex(b))


def _fminmax(name: str) -> Spelling:
    def spell(o: Operands, op: ir.Operation) -> str:
        a, b = op.operands
        o.helpers.add("fmaximum")
        return f"av::{name}({o.ex(a)}, {o.ex(b)})"
    return spell


def _libm(fn: str) -> Spelling:
    """A libm function at the operand's precision, as the LLVM lowering calls it: float
    (`expf`) for f32, double for f64, and float rounded back to half for f16."""
    def spell(o: Operands, op: ir.Operation) -> str:
        r = _t(op.results[0])
        args = [o.ex(a) for a in op.operands]
        if r.bits == 16:
            inner = ", ".join(f"(float){x}" for x in args)
            return f"(half)std::{fn}({inner})"
        return f"std::{fn}({', '.join(args)})"
    return spell


def _negf(o: Operands, op: ir.Operation) -> str:
    return f"-{o.ex(op.operands[0])}"


def _absi(o: Operands, op: ir.Operation) -> str:
    a = op.operands[0]
    if _t(a).kind == "bool":
        return o.ex(a)
    o.helpers.add("absi")
    return f"av::absi({o.ex(a)})"


OPS: dict[str, Spelling] = {
    "arith.addi": _binary("+"), "arith.subi": _binary("-"), "arith.muli": _binary("*"),
    "arith.andi": _binary("&"), "arith.ori": _binary("|"), "arith.xori": _xori,
    "arith.divsi": _signed_div("/"), "arith.remsi": _signed_div("%"),
    "arith.divui": _unsigned_div("/"), "arith.remui": _unsigned_div("%"),
    "arith.floordivsi": _helper("floordiv"), "arith.ceildivsi": _helper("ceildiv"),
    "arith.ceildivui": _helper("ceildivu"),
    "arith.shli": _shift("shl"), "arith.shrsi": _shift("shrs"), "arith.shrui": _shift("shru"),
    "arith.cmpi": _cmpi, "arith.select": _select,
    "arith.minsi": _minmax("<", False), "arith.maxsi": _minmax(">", False),
    "arith.minui": _minmax("<", True), "arith.maxui": _minmax(">", True),
    "arith.extsi": _extsi, "arith.extui": _extui, "arith.trunci": _trunci,
    "arith.index_cast": _index_cast(False), "arith.index_castui": _index_cast(True),
    "arith.sitofp": _itofp(True), "arith.uitofp": _itofp(False),
    "arith.fptosi": _fptoi("fptosi"), "arith.fptoui": _fptoi("fptoui"),
    "arith.extf": _fcast, "arith.truncf": _fcast,
    "arith.addf": _fbinary("+"), "arith.subf": _fbinary("-"), "arith.mulf": _fbinary("*"),
    "arith.divf": _fbinary("/"), "arith.remf": _libm("fmod"), "arith.negf": _negf,
    "arith.cmpf": _cmpf,
    "arith.maximumf": _fminmax("fmaximum"), "arith.minimumf": _fminmax("fminimum"),
    "arith.maxnumf": _libm("fmax"), "arith.minnumf": _libm("fmin"),
    "math.exp": _libm("exp"), "math.log": _libm("log"), "math.log2": _libm("log2"),
    "math.sqrt": _libm("sqrt"), "math.sin": _libm("sin"), "math.cos": _libm("cos"),
    "math.tanh": _libm("tanh"), "math.powf": _libm("pow"), "math.floor": _libm("floor"),
    "math.absf": _libm("fabs"), "math.absi": _absi, "math.ceil": _libm("ceil"),
    "math.exp2": _libm("exp2"), "math.log10": _libm("log10"), "math.tan": _libm("tan"),
    "math.atan": _libm("atan"), "math.erf": _libm("erf"), "math.log1p": _libm("log1p"),
    "math.expm1": _libm("expm1"), "math.cbrt": _libm("cbrt"), "math.atan2": _libm("atan2"),
}


# ---------------------------------------------------------------- affine expressions


def _down(e: ir.AffineExpr) -> ir.AffineExpr:
    return e.maybe_downcast() if hasattr(e, "maybe_downcast") else e


def affine_expr(e: ir.AffineExpr, dims: list[str], syms: list[str], helpers: set[str]) -> str:
    """C++ (int64 arithmetic) for an affine expression over named dims and symbols; `mod`
    and `floordiv` floor, `ceildiv` rounds up, as in MLIR."""
    e = _down(e)
    if isinstance(e, ir.AffineDimExpr):
        return dims[e.position]
    if isinstance(e, ir.AffineSymbolExpr):
        return syms[e.position]
    if isinstance(e, ir.AffineConstantExpr):
        return str(e.value)
    if isinstance(e, ir.AffineAddExpr):
        lhs = affine_expr(e.lhs, dims, syms, helpers)
        rhs = _down(e.rhs)
        if isinstance(rhs, ir.AffineConstantExpr) and rhs.value < 0:
            return f"{lhs} - {-rhs.value}"
        if isinstance(rhs, ir.AffineMulExpr):
            factor = _down(rhs.rhs)
            if isinstance(factor, ir.AffineConstantExpr) and factor.value == -1:
                return f"{lhs} - {paren(affine_expr(rhs.lhs, dims, syms, helpers))}"
        return f"{lhs} + {affine_expr(rhs, dims, syms, helpers)}"
    if isinstance(e, ir.AffineMulExpr):
        lhs = paren(affine_expr(e.lhs, dims, syms, helpers))
        return f"{lhs} * {paren(affine_expr(e.rhs, dims, syms, helpers))}"
    for kind, helper in ((ir.AffineModExpr, "fmod_i"), (ir.AffineFloorDivExpr, "floordiv"),
                         (ir.AffineCeilDivExpr, "ceildiv")):
        if isinstance(e, kind):
            helpers.add(helper)
            lhs = affine_expr(e.lhs, dims, syms, helpers)
            rhs = affine_expr(e.rhs, dims, syms, helpers)
            return f"av::{helper}((int64_t)({lhs}), (int64_t)({rhs}))"
    raise HLSEmitError(f"unsupported affine expression {e}")


def paren(s: str) -> str:
    """`s` in parentheses unless it is one name or number."""
    simple = s.replace("_", "").isalnum() or (s.startswith("av::") and s.endswith(")"))
    return s if simple or (s.startswith("-") and s[1:].isdigit()) else f"({s})"
