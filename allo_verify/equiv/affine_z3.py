"""MLIR affine index arithmetic as Z3 integer terms: loop variables, affine maps and
expressions, integer sets and `affine.for` bounds (the terms the polyhedral view of a
function is built from, see `allo_verify.equiv.polyhedral`). Index arithmetic is unbounded
(Z3 Int): floordiv and mod by positive constants are Z3 `div`/`mod`, which floor for
positive divisors; ceildiv is -((-a) div b).
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from typing import Any

import z3
from mlir.ir import (
    AffineAddExpr,
    AffineCeilDivExpr,
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineFloorDivExpr,
    AffineMap,
    AffineMapAttr,
    AffineModExpr,
    AffineMulExpr,
    AffineSymbolExpr,
    Attribute,
    BlockArgument,
    IntegerAttr,
    OpResult,
    StringAttr,
    Value,
)

from allo_verify.equiv import z3_fast as zf


class NotAffine(Exception):
    """A value or bound the polyhedral view cannot express (the reason is the message)."""

@functools.lru_cache(maxsize=4096)
def var(name: str) -> z3.ArithRef:
    """The Z3 variable of loop `name` (one object per name: Z3 variables are identified by
    name and sort, so reusing the object changes no query, only the cost of making it)."""
    return z3.Int(name)


def affine_to_z3(e: AffineExpr, dims: list[z3.ArithRef], syms: list[z3.ArithRef]) -> z3.ArithRef:
    """An MLIR affine expression as a Z3 integer term (floor semantics)."""
    if isinstance(e, AffineConstantExpr):
        return zf.intval(e.value)
    if isinstance(e, AffineDimExpr):
        return dims[e.position]
    if isinstance(e, AffineSymbolExpr):
        return syms[e.position]
    if isinstance(e, AffineAddExpr):
        return zf.add(affine_to_z3(e.lhs, dims, syms), affine_to_z3(e.rhs, dims, syms))
    if isinstance(e, AffineMulExpr):
        return zf.mul(affine_to_z3(e.lhs, dims, syms), affine_to_z3(e.rhs, dims, syms))
    if isinstance(e, (AffineFloorDivExpr, AffineModExpr, AffineCeilDivExpr)):
        # Z3's integer div/mod are Euclidean: MLIR's floor semantics only for a positive
        # divisor (the only kind the frontend and the primitives emit; MLIR accepts others)
        if not (isinstance(e.rhs, AffineConstantExpr) and e.rhs.value > 0):
            raise NotAffine(f"a division by {e.rhs}, not a positive constant, in {e}")
        a, b = affine_to_z3(e.lhs, dims, syms), affine_to_z3(e.rhs, dims, syms)
        if isinstance(e, AffineFloorDivExpr):
            return zf.div(a, b)
        if isinstance(e, AffineModExpr):
            return zf.mod(a, b)
        return zf.neg(zf.div(zf.neg(a), b))
    raise NotAffine(f"unsupported affine expression {e}")


#: `map_to_z3` results by (map, operand terms): a map is uniqued in its context (equal maps
#: are one object, and the key keeps it and its context alive) and Z3 hash-conses terms, so
#: (map, AST of each operand) determines the result; the entry keeps the operand terms alive
#: so their ASTs are not reused for other terms
_MAPS: OrderedDict[tuple[Any, tuple[int, ...]], tuple[list[z3.ArithRef], list[z3.ArithRef]]] \
    = OrderedDict()
_MAPS_KEEP = 4096


def map_to_z3(amap: AffineMap, operands: list[Value]) -> list[z3.ArithRef]:
    """Results of `amap` applied to `operands` (dims first, then symbols)."""
    vals = [value_to_z3(v) for v in operands]
    key = (amap, tuple(v.as_ast().value for v in vals))
    found = _MAPS.get(key)
    if found is not None:
        return list(found[0])
    dims, syms = vals[: amap.n_dims], vals[amap.n_dims:]
    out = [affine_to_z3(r, dims, syms) for r in amap.results]
    _MAPS[key] = (out, vals)
    if len(_MAPS) > _MAPS_KEEP:
        _MAPS.popitem(last=False)
    return list(out)


def value_to_z3(v: Value) -> z3.ArithRef:
    """An index value as a Z3 term over loop variables, or `NotAffine`."""
    if isinstance(v, BlockArgument):
        owner = v.owner.owner
        owner = owner.operation if owner is not None else None
        if owner is not None and owner.name == "affine.for" and "loop_name" in owner.attributes:
            return var(StringAttr(owner.attributes["loop_name"]).value)
        raise NotAffine("an index that is not an affine loop variable")
    if isinstance(v, OpResult):
        op = v.owner.operation
        if op.name == "affine.apply":
            amap = AffineMapAttr(op.attributes["map"]).value
            return map_to_z3(amap, list(op.operands))[0]
        if op.name == "arith.constant" and str(v.type) == "index":
            return zf.intval(IntegerAttr(op.attributes["value"]).value)
        raise NotAffine(f"an index computed by {op.name}")
    raise NotAffine("an index of unknown origin")


def integer_set_constraints(attr: Attribute, operands: list[Value]) -> z3.BoolRef:
    """The conjunction an `affine_set` attribute states for the given operands."""
    text = str(attr)
    m = re.fullmatch(r"affine_set<\((.*?)\)(\[(.*?)\])? : \((.*)\)>", text)
    if m is None:
        raise NotAffine(f"cannot read integer set {text}")
    dims, syms = m.group(1), m.group(3) or ""
    parts = [p.strip() for p in m.group(4).split(",")]
    exprs, eqs = [], []
    for p in parts:
        rel = "==" if " == " in p else ">="
        lhs, rhs = p.split(f" {rel} ")
        exprs.append(f"{lhs} - ({rhs})")
        eqs.append(rel == "==")
    sym_part = f"[{syms}]" if syms else ""
    text = f"affine_map<({dims}){sym_part} -> ({', '.join(exprs)})>"
    amap = AffineMapAttr(Attribute.parse(text, context=attr.context)).value
    vals = map_to_z3(amap, operands)
    return z3.And(*[(v == 0) if eq else (v >= 0) for v, eq in zip(vals, eqs, strict=True)])


def _max(xs: list[z3.ArithRef]) -> z3.ArithRef:
    out = xs[0]
    for x in xs[1:]:
        out = z3.If(x > out, x, out)
    return out


def loop_domain(op: Any) -> z3.BoolRef:
    """Bounds of one `affine.for` on its variable."""
    attrs = op.attributes
    iv = var(StringAttr(attrs["loop_name"]).value)
    lmap = AffineMapAttr(attrs["lowerBoundMap"]).value
    umap = AffineMapAttr(attrs["upperBoundMap"]).value
    # the operands are the lower bound map's inputs, then the upper one's (then any
    # iteration values), as the op's verifier requires
    operands = list(op.operands) if len(op.operands) else []
    nl = lmap.n_dims + lmap.n_symbols
    lbs = map_to_z3(lmap, operands[:nl])
    ubs = map_to_z3(umap, operands[nl:nl + umap.n_dims + umap.n_symbols])
    cons = [zf.ge(iv, lb) for lb in lbs] + [zf.lt(iv, ub) for ub in ubs]
    step = IntegerAttr(attrs["step"]).value
    if step != 1:
        cons.append(zf.eq(zf.mod(zf.sub(iv, _max(lbs)), zf.intval(step)), zf.intval(0)))
    return zf.and_(*cons)
