"""Loop-carried memory dependences of the latency estimate, per cell, decided by Z3.

A store S and a load L of one array, both inside the loop `loop` (at any depth), are a
loop-carried dependence of `loop` at distance d >= 1 when some iteration t of `loop` stores a
cell that iteration t + d loads: with the loops enclosing `loop` at one shared point, and
the loops nested in `loop` (which a pipeline unrolls) free on each side,

    exists outer, t, inner_S, inner_L:  t and t + d*step in the bounds of `loop`,
        inner_S and inner_L in their loops' bounds,  addr_S(outer, t, inner_S) =
        addr_L(outer, t + d*step, inner_L).

Law: `distance` returns the least such d, or None when no d exists (no iteration reads what
another wrote); whatever it cannot read exactly it over-approximates, so it never drops a
dependence that exists: an index computed by an operation it does not model (a loaded
value, a division) is a free variable on each side, an `if` guard is ignored, and a query
Z3 cannot answer within its resource limit counts as distance 1.
"""

from __future__ import annotations

from typing import Any

import z3
from mlir import ir

from allo_verify.estimate.ir_facts import LOOPS, STORES

#: resource units per query: the queries are small linear integer problems
RLIMIT = 2_000_000


def _loop_of(v: ir.Value) -> Any | None:
    """The loop whose induction variable `v` is, or None."""
    if isinstance(v, ir.BlockArgument) and v.arg_number == 0:
        parent = v.owner.owner
        if parent is not None and parent.name in LOOPS:
            return parent.operation
    return None


def _inside(op: Any, loop: Any) -> bool:
    """Whether `op` is `loop` or nested in it."""
    cur = op
    for _ in range(256):
        if cur is None:
            return False
        if cur == loop:
            return True
        parent = cur.parent
        cur = parent.operation if parent is not None else None
    return False


class _Side:
    """The Z3 view of index values on one side (the store's or the load's) of a query."""

    def __init__(self, tag: str, loop: Any, shared: dict[Any, z3.ArithRef],
                 facts: list[z3.BoolRef]) -> None:
        self.tag, self.loop, self.shared, self.facts = tag, loop, shared, facts
        self.memo: dict[Any, z3.ArithRef] = {}
        self.fresh = 0

    def var(self, name: str) -> z3.ArithRef:
        self.fresh += 1
        return z3.Int(f"{self.tag}_{name}_{self.fresh}")

    def value(self, v: ir.Value, depth: int = 0) -> z3.ArithRef:
        """`v` as an integer term; a loop variable brings its loop's bounds as facts."""
        if v in self.memo:
            return self.memo[v]
        loop = _loop_of(v)
        if loop is not None:
            own = _inside(loop, self.loop)
            if not own and v in self.shared:
                return self.shared[v]
            term = self.var("iv")
            (self.memo if own else self.shared)[v] = term
            self.bound(loop, term, depth)
            return term
        term = self.compute(v, depth)
        self.memo[v] = term
        return term

    def compute(self, v: ir.Value, depth: int) -> z3.ArithRef:
        if depth > 64 or not isinstance(v, ir.OpResult):
            return self.var("free")
        op = v.owner
        name = op.name
        if name == "arith.constant":
            try:
                return z3.IntVal(ir.IntegerAttr(op.attributes["value"]).value)
            except (ValueError, TypeError):
                return self.var("free")
        if name == "affine.apply":
            amap = ir.AffineMapAttr(op.attributes["map"]).value
            return self.apply(amap, list(op.operands), depth)[0]
        if name in ("arith.index_cast", "arith.index_castui", "arith.extsi", "arith.extui"):
            return self.value(op.operands[0], depth + 1)
        if name in ("arith.addi", "arith.subi", "arith.muli"):
            a, b = (self.value(o, depth + 1) for o in op.operands)
            if name == "arith.muli" and not (z3.is_int_value(a) or z3.is_int_value(b)):
                return self.var("free")  # a product of two variables: not linear
            return a + b if name == "arith.addi" else a - b if name == "arith.subi" else a * b
        return self.var("free")

    def apply(self, amap: Any, operands: list[ir.Value], depth: int) -> list[z3.ArithRef]:
        """The results of the affine map `amap` on `operands`."""
        vals = [self.value(o, depth + 1) for o in operands]
        dims, syms = vals[: amap.n_dims], vals[amap.n_dims:]
        return [self.expr(e, dims, syms) for e in amap.results]

    def expr(self, e: Any, dims: list[z3.ArithRef], syms: list[z3.ArithRef]) -> z3.ArithRef:
        if isinstance(e, ir.AffineConstantExpr):
            return z3.IntVal(e.value)
        if isinstance(e, ir.AffineDimExpr):
            return dims[e.position]
        if isinstance(e, ir.AffineSymbolExpr):
            return syms[e.position]
        a, b = self.expr(e.lhs, dims, syms), self.expr(e.rhs, dims, syms)
        if isinstance(e, ir.AffineAddExpr):
            return a + b
        if isinstance(e, ir.AffineMulExpr):
            return a * b
        if not z3.is_int_value(b) or b.as_long() <= 0:
            return self.var("free")
        c = b.as_long()
        q = self.var("q")  # floor(a / c): c*q <= a < c*q + c
        self.facts += [c * q <= a, a < c * q + c]
        if isinstance(e, ir.AffineFloorDivExpr):
            return q
        if isinstance(e, ir.AffineCeilDivExpr):
            return q + z3.If(a == c * q, 0, 1)
        return a - c * q

    def bound(self, loop: Any, iv: z3.ArithRef, depth: int) -> None:
        """The facts lb <= iv < ub of `loop` (a max of lower bounds, a min of upper)."""
        if loop.name == "affine.for":
            view = loop.opview
            lmap = ir.AffineMapAttr(loop.attributes["lowerBoundMap"]).value
            umap = ir.AffineMapAttr(loop.attributes["upperBoundMap"]).value
            self.facts += [lb <= iv for lb in self.apply(lmap, list(view.lowerBoundOperands),
                                                         depth)]
            self.facts += [iv < ub for ub in self.apply(umap, list(view.upperBoundOperands),
                                                        depth)]
        else:
            lb, ub = (self.value(o, depth + 1) for o in list(loop.operands)[:2])
            self.facts += [lb <= iv, iv < ub]


def _indices(side: _Side, op: Any) -> list[z3.ArithRef]:
    """The cell `op` (a load or store) accesses, as terms of `side`."""
    first = 2 if op.name in STORES else 1
    operands = list(op.operands)[first:]
    if op.name.startswith("affine."):
        amap = ir.AffineMapAttr(op.attributes["map"]).value
        return side.apply(amap, operands, 0)
    return [side.value(o) for o in operands]


def _step(loop: Any) -> int | None:
    """The loop's constant step, or None."""
    if loop.name == "affine.for":
        return int(ir.IntegerAttr(loop.attributes["step"]).value)
    try:
        return int(ir.IntegerAttr(loop.operands[2].owner.attributes["value"]).value)
    except (AttributeError, KeyError, ValueError, TypeError):
        return None


def distance(store: Any, load: Any, loop: Any) -> int | None:
    """The least d >= 1 such that the cell `store` writes in some iteration of `loop` is read
    by `load` d iterations later, or None when there is none (see the module docstring)."""
    iv = loop.regions[0].blocks[0].arguments[0]
    shared: dict[Any, z3.ArithRef] = {}
    facts: list[z3.BoolRef] = []
    s_side, l_side = _Side("s", loop, shared, facts), _Side("l", loop, shared, facts)
    try:
        s_addr, l_addr = _indices(s_side, store), _indices(l_side, load)
        t_s, t_l = s_side.value(iv), l_side.value(iv)
    except Exception:  # noqa: BLE001 - an index it cannot read: assume the worst
        return 1
    step = _step(loop)
    if len(s_addr) != len(l_addr) or not step:
        return 1  # a step it cannot read: distances in iterations unknown, assume the worst
    d = z3.Int("d")
    solver = z3.Solver()
    solver.set("rlimit", RLIMIT)
    solver.add(*facts, d >= 1, t_l == t_s + d * step)
    solver.add(*[a == b for a, b in zip(s_addr, l_addr, strict=True)])
    answer = solver.check()
    if answer == z3.unsat:
        return None
    if answer != z3.sat:
        return 1
    hi = solver.model().eval(d, model_completion=True).as_long()
    lo = 1  # the least distance is in [lo, hi]: bisect
    while lo < hi:
        mid = (lo + hi) // 2
        solver.push()
        solver.add(d <= mid)
        answer = solver.check()
        solver.pop()
        if answer == z3.unsat:
            lo = mid + 1
        else:
            hi = mid  # sat, or unknown: keep the smaller (conservative) distance
    return lo
