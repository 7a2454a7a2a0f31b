"""A static estimate of the work the concrete L2 tier (`symexec`) would do, from trip counts.

The executor charges every op of a block each time the block runs, and a loop its body's
ops plus one per trip. `estimate` computes the same sum without running anything: per
block, its ops plus, for each nested loop, trips x (body ops + 1 + what the body's own
loops and branches charge). `func.call` charges its callee; an `if` charges its larger
branch (a condition on data runs both: their sum), which makes the estimate inexact.

Trip counts: exact for loops with constant bounds (the common case: every frontend loop and
every split that divides). A bound that depends on outer induction variables (a tile's
`min`, a triangular loop) is evaluated with each outer loop at its first iteration, except
that the loop whose induction variable such a bound reads sums its body's cost exactly
when that cost is a polynomial of degree <= 3 in the variable (triangular nests: forward
differences, checked at two more iterations; else the largest sample, inexact), and a
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
        self.integrated: set[Any] = set()  # ivs whose loops average over their range

    def block(self, block: ir.Block, env: dict[Any, int]) -> int:
        total = 0
        for op in block.operations:
            o = op.operation
            if o.name in _TERMINATORS:
                continue
            total += 1 + self.nested(o, env)
        return total

    def summed(self, body: ir.Block, iv: Any, env: dict[Any, int], first: int, step: int,
               trips: int) -> int:
        """The body's cost summed over all `trips` iterations when inner bounds follow `iv`
        (a triangle): Newton's forward differences from iterations 0..3 give the exact sum
        of a cost polynomial of degree <= 3 (triangular nests). Checked at the middle and
        last iteration; if the cost is not that polynomial (clipped bounds), the largest
        cost sampled times the trips, marked inexact."""
        self.integrated.add(iv)
        f = []
        for t in (0, 1, 2, 3, trips // 2, trips - 1):
            env[iv] = first + t * step
            f.append(self.block(body, env))
        self.integrated.discard(iv)
        d1 = [f[k + 1] - f[k] for k in range(3)]
        d2 = [d1[k + 1] - d1[k] for k in range(2)]
        d3 = d2[1] - d2[0]

        def at(t: int) -> int:
            return f[0] + t * d1[0] + t * (t - 1) // 2 * d2[0] + t * (t - 1) * (t - 2) // 6 * d3

        if at(trips // 2) == f[4] and at(trips - 1) == f[5]:
            from math import comb

            return trips * f[0] + comb(trips, 2) * d1[0] + comb(trips, 3) * d2[0] + \
                comb(trips, 4) * d3
        self.exact = False
        return trips * max(f)

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
                    self.exact = self.exact and not _depends_on(o, env, self.integrated)
            inner_env = dict(env)
            if first is not None:
                inner_env[body.arguments[0]] = first
            if trips == 0:
                return 0
            iv = body.arguments[0]
            if first is not None and trips > 5 and _bounds_use(body, iv):
                return trips + self.summed(body, iv, inner_env, first, b[2], trips)
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


def _bounds_use(block: ir.Block, iv: ir.Value) -> bool:
    """Whether a loop or `if` nested in `block` takes `iv` as a bound or condition operand."""
    for op in block.operations:
        o = op.operation
        if o.name in ("affine.for", "scf.for", "affine.if") and \
                any(v == iv for v in o.operands):
            return True
        for r in o.regions:
            if any(_bounds_use(b, iv) for b in r.blocks):
                return True
    return False


def _depends_on(o: ir.Operation, env: dict[Any, int], integrated: set[Any]) -> bool:
    """Whether an affine.for's bounds read an enclosing induction variable that is not
    averaged over its range (then the trip count taken at that loop's first iteration is
    a sample, not the exact count)."""
    return any(v in env and v not in integrated for v in o.operands)


def estimate(module: ir.Module, func_name: str) -> Estimate:
    """The ops `symexec.execute(module, ..., func_name)` would charge (see the module doc);
    `exact` when every trip count and branch was known statically."""
    est = _Estimator(module)
    f = est.funcs.get(func_name)
    if f is None or not f.regions[0].blocks:
        return Estimate(0, False)
    n = est.block(f.regions[0].blocks[0], {})
    return Estimate(n, est.exact)
