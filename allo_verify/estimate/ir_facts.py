"""What the latency estimator reads from the IR: op kinds, attributes, scalar widths, loop
trip counts and affine expressions evaluated on mean values of loop variables.

Law: `trip_count(lb, ub, step)` is exact for integer bounds and the mean for bounds that are
means of outer loop variables; `eval_affine` follows MLIR's floor semantics for floordiv and
mod (a division by zero reads 0, never raises).
"""

from __future__ import annotations

import math
from typing import Any

from mlir import ir

LOADS = ("affine.load", "memref.load")
STORES = ("affine.store", "memref.store")
LOOPS = ("affine.for", "scf.for")


def int_attr(op: Any, name: str) -> int | None:
    """The integer attribute `name` of `op`, or None when it has none."""
    return ir.IntegerAttr(op.attributes[name]).value if name in op.attributes else None


def loop_name(op: Any, fallback: str) -> str:
    """The loop's `loop_name` attribute (its schedule name), else `fallback`."""
    if "loop_name" in op.attributes:
        return ir.StringAttr(op.attributes["loop_name"]).value
    return fallback


def scalar_width(t: ir.Type) -> tuple[int, bool]:
    """(bit width, is float) of a scalar type; (0, False) for index and others."""
    if isinstance(t, ir.IntegerType):
        return t.width, False
    for cls, w in ((ir.F16Type, 16), (ir.BF16Type, 16), (ir.F32Type, 32), (ir.F64Type, 64)):
        if isinstance(t, cls):
            return w, True
    return 0, False


def unwidened(v: ir.Value) -> ir.Value:
    """`v` before the sign or zero extensions the frontend adds to compute exactly: the
    hardware operator only needs the source width (the low bits of a product or sum depend
    only on the low bits of its operands)."""
    while isinstance(v, ir.OpResult) and v.owner.name in ("arith.extsi", "arith.extui"):
        v = v.owner.operands[0]
    return v


def trip_count(lb: float, ub: float, step: float) -> float:
    """Iterations of `lb <= i < ub` by `step`: exact for integer bounds, the mean for
    bounds that are means of outer loop variables."""
    raw = max(0.0, (ub - lb) / step)
    return float(math.ceil(raw)) if float(lb).is_integer() and float(ub).is_integer() else raw


def eval_affine(e: ir.AffineExpr, dims: list[float], syms: list[float]) -> float:
    if isinstance(e, ir.AffineConstantExpr):
        return float(e.value)
    if isinstance(e, ir.AffineDimExpr):
        return dims[e.position]
    if isinstance(e, ir.AffineSymbolExpr):
        return syms[e.position]
    a, b = eval_affine(e.lhs, dims, syms), eval_affine(e.rhs, dims, syms)
    if isinstance(e, ir.AffineAddExpr):
        return a + b
    if isinstance(e, ir.AffineMulExpr):
        return a * b
    if b == 0:
        return 0.0
    if isinstance(e, ir.AffineFloorDivExpr):
        return math.floor(a / b)
    if isinstance(e, ir.AffineCeilDivExpr):
        return math.ceil(a / b)
    return a - b * math.floor(a / b)


def walk_ops(block: Any) -> list[Any]:
    """Every operation of `block` and of the regions nested in it, in pre-order."""
    out = []
    for op in block.operations:
        op = op.operation
        out.append(op)
        for r in op.regions:
            for b in r.blocks:
                out.extend(walk_ops(b))
    return out
