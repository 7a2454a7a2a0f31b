"""MLIR op -> Z3 meaning, as one table keyed by op name.

Every entry is `fn(args, rt, ats, attr) -> z3.ExprRef`: Z3 operands, result type string,
operand type strings, the op's one semantic attribute (the cmpi/cmpf predicate) or None.

Encoding (the exact tier):
- `iN` -> `BitVec(N)` at its exact width; `i1` is `BitVec(1)` (1 = true).
- `index` -> unbounded `Int` (for index formulas; L2's terms hold index *data* as `i64`,
  as LLVM computes it, and `index_cast`/`index_castui` go through the 64-bit pattern).
- `fN` -> `BitVec(N)` holding the IEEE bits; each float op is an uninterpreted function
  named `op.types` (so only "same ops on the same operands" is provable), except the ops
  that are exact bit manipulations: `negf` flips the sign bit, `absf` clears it, `bitcast`
  keeps the bits.
- Division/remainder/shifts follow SMT-LIB (`bvsdiv`, `bvudiv`, `bvsrem`, `bvurem`, shifts
  by >= N saturate), which is also what `concrete.eval_op` computes; LLVM calls those cases
  poison and the frontend guards them.
Law: for constants, `simplify(Z3_OPS[op](...))` equals `concrete.eval_op(op, ...)`, and for
interpreted ops both equal the LLVM simulation wherever LLVM defines the result
(tests/equiv/test_fold_vs_llvm.py).
A missing op raises `NotImplementedError` naming it (`lookup`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import z3

from allo_verify.equiv.concrete import CMPF, CMPI, is_float, width

Z3Fn = Callable[[list[Any], str, tuple[str, ...], Any], Any]

_UF_CACHE: dict[str, z3.FuncDeclRef] = {}


def sort_of(t: str) -> z3.SortRef:
    """Z3 sort of an MLIR scalar type string."""
    if t == "index":
        return z3.IntSort()
    return z3.BitVecSort(width(t))


def uf(name: str, ats: tuple[str, ...], rt: str) -> z3.FuncDeclRef:
    """The uninterpreted function standing for float op `name` at these types (cached)."""
    key = f"{name}.{'_'.join(ats)}.{rt}"
    f = _UF_CACHE.get(key)
    if f is None:
        f = z3.Function(key, *[sort_of(t) for t in ats], sort_of(rt))
        _UF_CACHE[key] = f
    return f


def _b2bv(c: z3.BoolRef) -> z3.BitVecRef:
    return z3.If(c, z3.BitVecVal(1, 1), z3.BitVecVal(0, 1))


def _bin(f: Callable[[Any, Any], Any], fi: Callable[[Any, Any], Any] | None = None) -> Z3Fn:
    def g(a: list[Any], rt: str, ats: tuple[str, ...], attr: Any) -> Any:
        if rt == "index":
            if fi is None:
                raise NotImplementedError(f"index form of {f}")
            return fi(a[0], a[1])
        return f(a[0], a[1])
    return g


def _int_tdiv(x: Any, y: Any) -> Any:
    q = z3.If(x >= 0, x, -x) / z3.If(y >= 0, y, -y)
    return z3.If(y == 0, 0, z3.If((x >= 0) == (y >= 0), q, -q))


def _int_floordiv(x: Any, y: Any) -> Any:
    """floor(x / y) on unbounded integers (Z3's `/` is Euclidean), 0 when y = 0."""
    return z3.If(y > 0, x / y, z3.If(y < 0, (-x) / (-y), 0))


def _floordiv(x: Any, y: Any) -> Any:
    q, r = x / y, z3.SRem(x, y)
    return z3.If(z3.And(r != 0, (r < 0) != (y < 0)), q - 1, q)


def _ceildiv(x: Any, y: Any) -> Any:
    q, r = x / y, z3.SRem(x, y)
    return z3.If(z3.And(r != 0, (r < 0) == (y < 0)), q + 1, q)


def _shl(x: Any, y: Any) -> Any:
    return x << y


def _cmpi(a: list[Any], rt: str, ats: tuple[str, ...], attr: Any) -> Any:
    x, y = a
    name = CMPI[int(attr)]
    if ats[0] == "index":
        name = name if name in ("eq", "ne") else "s" + name[1:]
    rel: dict[str, Callable[[Any, Any], Any]] = {
        "eq": lambda p, q: p == q, "ne": lambda p, q: p != q,
        "slt": lambda p, q: p < q, "sle": lambda p, q: p <= q,
        "sgt": lambda p, q: p > q, "sge": lambda p, q: p >= q,
        "ult": z3.ULT, "ule": z3.ULE, "ugt": z3.UGT, "uge": z3.UGE,
    }
    return _b2bv(rel[name](x, y))


def _cmpf(a: list[Any], rt: str, ats: tuple[str, ...], attr: Any) -> Any:
    name = CMPF[int(attr)]
    if name == "false":
        return z3.BitVecVal(0, 1)
    if name == "true":
        return z3.BitVecVal(1, 1)
    return uf(f"arith.cmpf_{name}", ats, rt)(*a)


def _select(a: list[Any], rt: str, ats: tuple[str, ...], attr: Any) -> Any:
    return z3.If(a[0] == z3.BitVecVal(1, 1), a[1], a[2])


def _ext(signed: bool) -> Z3Fn:
    def g(a: list[Any], rt: str, ats: tuple[str, ...], attr: Any) -> Any:
        n = width(rt) - width(ats[0])
        return z3.SignExt(n, a[0]) if signed else z3.ZeroExt(n, a[0])
    return g


def _trunci(a: list[Any], rt: str, ats: tuple[str, ...], attr: Any) -> Any:
    return z3.Extract(width(rt) - 1, 0, a[0])


def _resize(x: Any, src: int, dst: int, signed: bool) -> Any:
    if dst < src:
        return z3.Extract(dst - 1, 0, x)
    if dst > src:
        return z3.SignExt(dst - src, x) if signed else z3.ZeroExt(dst - src, x)
    return x


def _index_cast(signed: bool) -> Z3Fn:
    """index <-> iN as LLVM does it: an index is a 64-bit integer, so the value is extended
    (by the op's signedness) or truncated through its 64-bit pattern."""
    def g(a: list[Any], rt: str, ats: tuple[str, ...], attr: Any) -> Any:
        if ats[0] == "index":
            return _resize(z3.Int2BV(a[0], 64), 64, width(rt), signed)
        return z3.BV2Int(_resize(a[0], width(ats[0]), 64, signed), is_signed=True)
    return g


def _bitcast(a: list[Any], rt: str, ats: tuple[str, ...], attr: Any) -> Any:
    return a[0]


def _negf(a: list[Any], rt: str, ats: tuple[str, ...], attr: Any) -> Any:
    return a[0] ^ z3.BitVecVal(1 << (width(rt) - 1), width(rt))


def _absf(a: list[Any], rt: str, ats: tuple[str, ...], attr: Any) -> Any:
    return a[0] & z3.BitVecVal((1 << (width(rt) - 1)) - 1, width(rt))


def _absi(a: list[Any], rt: str, ats: tuple[str, ...], attr: Any) -> Any:
    return z3.If(a[0] < 0, -a[0], a[0])


def _ufop(name: str) -> Z3Fn:
    def g(a: list[Any], rt: str, ats: tuple[str, ...], attr: Any) -> Any:
        return uf(name, ats, rt)(*a)
    return g


def _minmax(pick_first: Callable[[Any, Any], Any]) -> Z3Fn:
    def g(a: list[Any], rt: str, ats: tuple[str, ...], attr: Any) -> Any:
        return z3.If(pick_first(a[0], a[1]), a[0], a[1])
    return g


Z3_OPS: dict[str, Z3Fn] = {
    "arith.addi": _bin(lambda x, y: x + y, lambda x, y: x + y),
    "arith.subi": _bin(lambda x, y: x - y, lambda x, y: x - y),
    "arith.muli": _bin(lambda x, y: x * y, lambda x, y: x * y),
    "arith.divsi": _bin(lambda x, y: x / y, _int_tdiv),
    "arith.divui": _bin(z3.UDiv, lambda x, y: z3.If(y == 0, 0, x / y)),
    "arith.remsi": _bin(z3.SRem, lambda x, y: z3.If(y == 0, x, x - _int_tdiv(x, y) * y)),
    "arith.remui": _bin(z3.URem, lambda x, y: z3.If(y == 0, x, x % y)),
    "arith.floordivsi": _bin(_floordiv, lambda x, y: _int_floordiv(x, y)),
    "arith.ceildivsi": _bin(_ceildiv, lambda x, y: -_int_floordiv(-x, y)),
    "arith.ceildivui": _bin(lambda x, y: z3.If(
        y == 0, z3.UDiv(x, y), z3.UDiv(x, y) + z3.If(z3.URem(x, y) == 0, 0 * x, 0 * x + 1))),
    "arith.andi": _bin(lambda x, y: x & y),
    "arith.ori": _bin(lambda x, y: x | y),
    "arith.xori": _bin(lambda x, y: x ^ y),
    "arith.shli": _bin(_shl),
    "arith.shrsi": _bin(lambda x, y: x >> y),
    "arith.shrui": _bin(z3.LShR),
    "arith.minsi": _minmax(lambda x, y: x <= y),
    "arith.maxsi": _minmax(lambda x, y: x >= y),
    "arith.minui": _minmax(z3.ULE),
    "arith.maxui": _minmax(z3.UGE),
    "arith.cmpi": _cmpi,
    "arith.cmpf": _cmpf,
    "arith.select": _select,
    "arith.extsi": _ext(True),
    "arith.extui": _ext(False),
    "arith.trunci": _trunci,
    "arith.index_cast": _index_cast(True),
    "arith.index_castui": _index_cast(False),
    "arith.bitcast": _bitcast,
    "arith.negf": _negf,
    "math.absf": _absf,
    "math.absi": _absi,
}
for _name in ("arith.addf", "arith.subf", "arith.mulf", "arith.divf", "arith.remf",
              "arith.minimumf", "arith.maximumf", "arith.minnumf", "arith.maxnumf",
              "arith.sitofp", "arith.uitofp", "arith.fptosi", "arith.fptoui",
              "arith.extf", "arith.truncf", "math.exp", "math.log", "math.log2",
              "math.sqrt", "math.sin", "math.cos", "math.tanh", "math.powf", "math.floor"):
    Z3_OPS[_name] = _ufop(_name)

# Commutative float ops (so operands are sorted when interned). IEEE-754 addition and
# multiplication, and maximum/minimum (2019: NaN if either is NaN, -0.0 < +0.0), give the same
# result for swapped operands, up to which NaN payload comes out (NaNs compare as equal).
FLOAT_COMMUTATIVE = frozenset({"arith.addf", "arith.mulf", "arith.maximumf", "arith.minimumf"})


def lookup(op: str) -> Z3Fn:
    """The Z3 meaning of `op`; raises NotImplementedError naming a missing op."""
    fn = Z3_OPS.get(op)
    if fn is None:
        raise NotImplementedError(f"no Z3 meaning for MLIR op '{op}' in equiv.z3_table")
    return fn


def z3_const(value: int, t: str) -> Any:
    """The Z3 constant for a bit pattern (or index int) `value` of type `t`."""
    if t == "index":
        return z3.IntVal(value)
    return z3.BitVecVal(value, width(t))


def z3_var(name: str, t: str) -> Any:
    """A fresh Z3 variable of type `t` named `name`."""
    return z3.Const(name, sort_of(t))


__all__ = ["Z3_OPS", "lookup", "z3_const", "z3_var", "sort_of", "uf", "is_float"]
