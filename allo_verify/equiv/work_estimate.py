"""A static estimate of the work the concrete L2 tier (`symexec`) would do, from trip counts.

The executor charges every op of a block each time the block runs, and a loop its body's
ops plus one per trip. `estimate` computes the same sum without running anything: per
block, its ops plus, for each nested loop, trips x (body ops + 1 + what the body's own
loops and branches charge). `func.call` charges its callee; an `if` charges its larger
branch (a condition on data runs both: their sum), which makes the estimate inexact.

Trip counts: exact for loops with constant bounds (the common case: every frontend loop and
every split that divides). A bound that depends on outer induction variables (a tile's
`min`, a triangular loop) is evaluated with each outer loop at its first iteration, and a
bound or condition that is not an affine function of constants (data, `scf.while`) counts
one trip; the estimate is then marked inexact (`Estimate.exact` False) and the caller gives
it more room (`symexec.execute`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mlir.ir as ir

_TERMINATORS = frozenset({"affine.yield", "scf.yield", "func.return", "scf.condition"})


@dataclass
class Estimate:
    ops: int
    exact: bool = True


def _const(v: ir.Value, env: dict[Any, int]) -> int | None:
    if v in env:
        return env[v]
    owner = v.owner
    op = owner.operation if isinstance(owner, (ir.Operation, ir.OpView)) else None
    if op is None or op.name != "arith.constant":
        return None
    a = op.attributes["value"]
    if not isinstance(a, ir.IntegerAttr):
        return None
    text = str(a).split(":")[0].strip()
    return int(text == "true") if text in ("true", "false") else int(text, 0)


def _map_values(amap: ir.AffineMap, operands: list[ir.Value], env: dict[Any, int]
                ) -> list[int] | None:
    from allo_verify.equiv.symexec import map_srcs

    vals = [_const(v, env) for v in operands]
    if any(x is None for x in vals):
        return None
    srcs = map_srcs(amap, [f"({x})" for x in vals])
    try:
        return [int(eval(s)) for s in srcs]  # noqa: S307 - our own integer expressions
    except Exception:  # noqa: BLE001 - an unevaluable bound is an unknown trip count
        return None


def _affine_bounds(o: ir.Operation, env: dict[Any, int]) -> tuple[int, int, int] | None:
    seg = list(ir.DenseI32ArrayAttr(o.attributes["operandSegmentSizes"]))
    ops = list(o.operands)
    lo = _map_values(ir.AffineMapAttr(o.attributes["lowerBoundMap"]).value, ops[:seg[0]], env)
    hi = _map_values(ir.AffineMapAttr(o.attributes["upperBoundMap"]).value,
                     ops[seg[0]:seg[0] + seg[1]], env)
    if lo is None or hi is None or not lo or not hi:
        return None
    return max(lo), min(hi), int(ir.IntegerAttr(o.attributes["step"]).value)


class _Estimator:
    def __init__(self, module: ir.Module) -> None:
        self.funcs = {ir.StringAttr(op.operation.attributes["sym_name"]).value: op.operation
                      for op in module.body.operations if op.operation.name == "func.func"}
        self.exact = True
        self.calls: list[str] = []

    def block(self, block: ir.Block, env: dict[Any, int]) -> int:
        total = 0
        for op in block.operations:
            o = op.operation
            if o.name in _TERMINATORS:
                continue
            total += 1 + self.nested(o, env)
        return total

    def nested(self, o: ir.Operation, env: dict[Any, int]) -> int:
        name = o.name
        if name in ("affine.for", "scf.for"):
            if name == "affine.for":
                b = _affine_bounds(o, env)
            else:
                lo, hi, st = (_const(v, env) for v in list(o.operands)[:3])
                b = None if lo is None or hi is None or not st else (lo, hi, st)
            body = o.regions[0].blocks[0]
            if b is None or b[2] <= 0:
                self.exact = False
                trips, first = 1, None
            else:
                lo, hi, st = b
                trips, first = max(0, (hi - lo + st - 1) // st), lo
                if name == "affine.for" and any(True for _ in o.operands):
                    self.exact = self.exact and not _depends_on(o, env)
            inner_env = dict(env)
            if first is not None:
                inner_env[body.arguments[0]] = first
            if trips == 0:
                return 0
            return trips * (self.block(body, inner_env) + 1)
        if name == "scf.while":
            self.exact = False
            return sum(self.block(r.blocks[0], env) for r in o.regions if r.blocks)
        if name in ("affine.if", "scf.if"):
            parts = [self.block(r.blocks[0], env) for r in o.regions if len(r.blocks)]
            if name == "scf.if" and _const(o.operands[0], env) is None:
                return sum(parts)  # a condition on data runs both branches
            if len(set(parts)) > 1 or (len(parts) == 1 and parts[0]):
                self.exact = False  # which branch runs is not known statically
            return max(parts, default=0)
        if name == "func.call":
            callee = ir.FlatSymbolRefAttr(o.attributes["callee"]).value
            f = self.funcs.get(callee)
            if f is None or callee in self.calls or not f.regions[0].blocks:
                self.exact = False
                return 0
            self.calls.append(callee)
            n = self.block(f.regions[0].blocks[0], {})
            self.calls.pop()
            return n
        return 0


def _depends_on(o: ir.Operation, env: dict[Any, int]) -> bool:
    """Whether an affine.for's bounds read an enclosing induction variable (then the trip
    count taken at the outer loops' first iteration is a sample, not the exact count)."""
    return any(v in env for v in o.operands)


def estimate(module: ir.Module, func_name: str) -> Estimate:
    """The ops `symexec.execute(module, ..., func_name)` would charge (see the module doc);
    `exact` when every trip count and branch was known statically."""
    est = _Estimator(module)
    f = est.funcs.get(func_name)
    if f is None or not f.regions[0].blocks:
        return Estimate(0, False)
    n = est.block(f.regions[0].blocks[0], {})
    return Estimate(n, est.exact)
