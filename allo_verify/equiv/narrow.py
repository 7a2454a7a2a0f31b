"""Narrowing of `trunci(widened integer arithmetic)` before symbolic execution.

The frontend computes integer arithmetic at a width that cannot overflow (operands
sign- or zero-extended, `i32 * i32 -> i64`, `+ -> i65`) and truncates the result back to
the stored type. For the ops in `NARROWABLE` the low n bits of the result depend only on
the low n bits of the operands, so

    trunc_n(op_w(x, y)) == op_n(trunc_n(x), trunc_n(y))        (the narrowing law)

for every x, y (tests/equiv/test_narrow.py proves it with Z3 over the L2 term semantics
for each op kind here, and shows it false for division, right shifts and comparisons,
which are never narrowed). `trunc_n(ext_w(z))` is z at n bits (an extension or truncation
of z), `trunc_n(trunc_m(x)) == trunc_n(x)`, and a constant truncates to a constant. A left
shift narrows only by a constant amount below n (a larger amount is out of range at n bits
but defined at w). Ops carrying overflow flags (nsw/nuw) are left as they are.

`narrow_module` rewrites a copy's trunci chains into narrow ops and erases the wide ops
no longer used: the same function on every input, with fewer and smaller ops to execute.
"""

from __future__ import annotations

from typing import Any

import mlir.ir as ir
from mlir.dialects import arith

NARROWABLE = frozenset({"arith.addi", "arith.subi", "arith.muli", "arith.andi", "arith.ori",
                        "arith.xori"})
EXTENSIONS = frozenset({"arith.extsi", "arith.extui"})
_PURE = NARROWABLE | EXTENSIONS | {"arith.trunci", "arith.shli", "arith.constant"}


def _int_width(t: ir.Type) -> int | None:
    """The width of a signless integer type, None for anything else (index, floats, ...)."""
    return t.width if isinstance(t, ir.IntegerType) else None


def _owner(v: ir.Value) -> ir.Operation | None:
    o = v.owner
    return o.operation if isinstance(o, (ir.Operation, ir.OpView)) else None


def _flagged(op: ir.Operation) -> bool:
    """Whether `op` carries an overflow flag other than none (then it is not rewritten)."""
    return "overflowFlags" in op.attributes and \
        "none" not in str(op.attributes["overflowFlags"])


def _const_value(op: ir.Operation) -> int | None:
    if op.name != "arith.constant" or not isinstance(op.attributes["value"], ir.IntegerAttr):
        return None
    text = str(op.attributes["value"]).split(":")[0].strip()
    return int(text == "true") if text in ("true", "false") else int(text, 0)


class _Narrower:
    """Builds, before one anchor op, the value trunc_n(v) from narrow ops (memoized)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.ty = ir.IntegerType.get_signless(n)
        self.memo: dict[Any, ir.Value] = {}

    def value(self, v: ir.Value) -> ir.Value:
        got = self.memo.get(v)
        if got is None:
            got = self._build(v)
            self.memo[v] = got
        return got

    def _trunc(self, v: ir.Value, w: int) -> ir.Value:
        return v if w == self.n else arith.TruncIOp(self.ty, v).result

    def _build(self, v: ir.Value) -> ir.Value:
        n, w = self.n, _int_width(v.type)
        assert w is not None and w >= n
        op = _owner(v)
        if w == n:
            return v
        if op is None or _flagged(op):
            return self._trunc(v, w)
        if op.name in EXTENSIONS:
            x = op.operands[0]
            m = _int_width(x.type)
            if m is None:
                return self._trunc(v, w)
            if m == n:
                return x
            if m > n:
                return self.value(x) if w > m else self._trunc(x, m)
            ext = arith.ExtSIOp if op.name == "arith.extsi" else arith.ExtUIOp
            return ext(self.ty, x).result
        if op.name == "arith.trunci":
            return self.value(op.operands[0])
        c = _const_value(op)
        if c is not None:
            return arith.ConstantOp(self.ty, ir.IntegerAttr.get(self.ty, _signed(c, n))).result
        if op.name in NARROWABLE:
            a, b = (self.value(x) for x in op.operands)
            return ir.Operation.create(op.name, results=[self.ty], operands=[a, b]).result
        if op.name == "arith.shli":
            sh = _owner(op.operands[1])
            amount = None if sh is None else _const_value(sh)
            if amount is not None and 0 <= amount < n:
                a = self.value(op.operands[0])
                k = arith.ConstantOp(self.ty, ir.IntegerAttr.get(self.ty, amount)).result
                return arith.ShLIOp(a, k).result
        return self._trunc(v, w)


def _signed(c: int, n: int) -> int:
    """`c` mod 2^n as the signed value IntegerAttr.get expects."""
    c &= (1 << n) - 1
    return c - (1 << n) if n > 1 and c >> (n - 1) else c


def _worth(op: ir.Operation) -> bool:
    """A trunci whose operand is computed by an op this rewrite changes."""
    src = _owner(op.operands[0])
    return src is not None and not _flagged(src) and (
        src.name in NARROWABLE or src.name in EXTENSIONS or src.name == "arith.shli")


def narrow_module(module: ir.Module) -> int:
    """Rewrite every `arith.trunci` of `module` (in place) whose operand is narrowable
    arithmetic into the narrow computation (the narrowing law), then erase wide pure ops
    left without uses. Returns the number of truncations rewritten."""
    found: list[ir.Operation] = []

    def visit(op: ir.Operation) -> ir.WalkResult:
        if op.name == "arith.trunci" and _int_width(op.results[0].type) is not None \
                and _int_width(op.operands[0].type) is not None and _worth(op):
            found.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit, ir.WalkOrder.POST_ORDER)
    if not found:
        return 0
    dead: list[ir.Operation] = []
    with module.context, ir.Location.unknown():
        for t in found:
            with ir.InsertionPoint(t):
                nv = _Narrower(_int_width(t.results[0].type) or 0).value(t.operands[0])
            t.results[0].replace_all_uses_with(nv)
            dead.append(t)
        _erase_unused(dead)
    return len(found)


def _erase_unused(start: list[ir.Operation]) -> None:
    """Erase `start` ops and, transitively, the pure integer ops feeding them, once unused."""
    work = list(start)
    while work:
        op = work.pop()
        if any(True for r in op.results for _ in r.uses):
            continue
        feeders = [o for o in (_owner(x) for x in op.operands)
                   if o is not None and o.name in _PURE]
        op.erase()
        for f in feeders:  # an op is on the stack at most once, so it is erased once
            if f not in work:
                work.append(f)
