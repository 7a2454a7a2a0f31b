"""IR surgery shared by the buffer primitives (buffer_at, reuse_at): index expressions as
affine expressions of loop variables, new local arrays, copy nests, fresh names and ids."""

from __future__ import annotations

from typing import Any

import z3
from mlir.dialects import affine, memref
from mlir.ir import (
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineMap,
    AffineMapAttr,
    BlockArgument,
    InsertionPoint,
    IntegerAttr,
    IntegerType,
    MemRefType,
    Module,
    OpResult,
    StringAttr,
    Value,
    WalkResult,
)

from allo_verify.errors import ScheduleError
from allo_verify.schedule.loops import list_loops


class Affine:
    """Affine expressions over a growing list of base values (loop variables, or values
    defined outside the region being rewritten)."""

    def __init__(self) -> None:
        self.bases: list[Value] = []

    def dim(self, v: Value) -> AffineExpr:
        for k, b in enumerate(self.bases):
            if b == v:
                return AffineDimExpr.get(k)
        self.bases.append(v)
        return AffineDimExpr.get(len(self.bases) - 1)

    def of(self, v: Value) -> AffineExpr:
        """`v` (an index) as an affine expression of base values: `affine.apply` and index
        constants are folded in, anything else is a base."""
        if isinstance(v, OpResult):
            op = v.owner.operation
            if op.name == "affine.apply":
                amap = AffineMapAttr(op.attributes["map"]).value
                return self.apply(amap, list(op.operands))[0]
            if op.name == "arith.constant" and str(v.type) == "index":
                return AffineConstantExpr.get(IntegerAttr(op.attributes["value"]).value)
        return self.dim(v)

    def apply(self, amap: AffineMap, operands: list[Value]) -> list[AffineExpr]:
        """The results of `amap` on `operands`, over the base values."""
        if amap.n_symbols:
            raise ScheduleError("an access map with symbols is not supported here")
        args = [self.of(v) for v in operands]
        n = len(self.bases)
        subst = AffineMap.get(n, 0, args) if args else None
        out = []
        for r in amap.results:
            out.append(r.compose(subst) if subst is not None else r)
        return out

    def map(self, exprs: list[AffineExpr]) -> AffineMap:
        return AffineMap.get(len(self.bases), 0, exprs)


def access_map(op: Any) -> tuple[AffineMap, list[Value]]:
    """The map and index operands of an `affine.load` (operand 0 the memref) or
    `affine.store` (operand 1 the memref)."""
    first = 1 if op.name == "affine.load" else 2
    return AffineMapAttr(op.attributes["map"]).value, list(op.operands)[first:]


def memref_operand(op: Any) -> int:
    return 0 if op.name in ("affine.load", "memref.load") else 1


def z3_vars(e: z3.ExprRef) -> set[str]:
    """Names of the free integer variables of a Z3 term."""
    out: set[str] = set()
    todo = [e]
    while todo:
        t = todo.pop()
        if z3.is_const(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            out.add(t.decl().name())
        todo.extend(t.children())
    return out


def used_names(module: Module) -> set[str]:
    """Every loop name and buffer name in the module."""
    names = {lp.name for lp in list_loops(module)}

    def visit(op: Any) -> WalkResult:
        if "buffer_name" in op.attributes:
            names.add(StringAttr(op.attributes["buffer_name"]).value)
        return WalkResult.ADVANCE

    module.operation.walk(visit)
    return names


def fresh_name(module: Module, base: str) -> str:
    taken = used_names(module)
    name, k = base, 1
    while name in taken or any(t.startswith(f"{name}.") for t in taken):
        name, k = f"{base}_{k}", k + 1
    return name


def next_stmt_id(module: Module) -> list[int]:
    """A counter one past the largest `stmt_id` in the module (shared by new stores)."""
    top = [-1]

    def visit(op: Any) -> WalkResult:
        if "stmt_id" in op.attributes:
            top[0] = max(top[0], IntegerAttr(op.attributes["stmt_id"]).value)
        return WalkResult.ADVANCE

    module.operation.walk(visit)
    return [top[0] + 1]


def tag_store(op: Any, counter: list[int]) -> None:
    op.attributes["stmt_id"] = IntegerAttr.get(IntegerType.get_signless(64), counter[0])
    counter[0] += 1


def new_local(func_op: Any, name: str, shape: list[int], elem: Any) -> Value:
    """A named local array allocated at the function's entry and freed before its return."""
    block = func_op.regions[0].blocks[0]
    first = list(block.operations)[0]
    with func_op.location, InsertionPoint(first):
        op = memref.AllocOp(MemRefType.get(shape, elem), [], [])
        op.attributes["buffer_name"] = StringAttr.get(name)
    ret = list(block.operations)[-1]
    with func_op.location, InsertionPoint(ret):
        memref.DeallocOp(op.result)
    return op.result


def copy_nest(ip: InsertionPoint, loc: Any, names: list[str], shape: list[int],
              src: tuple[Value, AffineMap, list[Value]], dst: tuple[Value, AffineMap, list[Value]],
              counter: list[int]) -> Any:
    """Loops `names` over `shape` (constant bounds) copying one cell per iteration: the
    source and destination maps take (outer operands..., loop variables...) in that order,
    the loop variables appended after the given operands. Returns the outermost loop (or
    the store, for a rank-0 copy)."""
    loops: list[Any] = []
    with loc:
        point = ip
        for nm, n in zip(names, shape, strict=True):
            with point:
                lp = affine.AffineForOp(0, n, 1)
                lp.attributes["loop_name"] = StringAttr.get(nm)
                with InsertionPoint(lp.body):
                    affine.AffineYieldOp([])
            loops.append(lp)
            point = InsertionPoint(list(lp.body.operations)[-1])
        ivs = [lp.induction_variable for lp in loops]
        with point:
            smem, smap, sops = src
            dmem, dmap, dops = dst
            elem = MemRefType(smem.type).element_type
            v = affine.AffineLoadOp(elem, smem, sops + ivs, smap)
            st = affine.AffineStoreOp(v.result, dmem, dops + ivs, dmap)
            tag_store(st.operation, counter)
    return loops[0] if loops else st


def is_inside(op: Any, region_op: Any) -> bool:
    p = op.parent
    while p is not None:
        if p == region_op:
            return True
        p = p.parent
    return False


def defined_inside(v: Value, region_op: Any) -> bool:
    """`v` is defined in a region of `region_op` (its block arguments included)."""
    op = v.owner.owner if isinstance(v, BlockArgument) else v.owner.operation
    op = op.operation if op is not None else None
    return op is not None and (op == region_op or is_inside(op, region_op))


def uses_inside(v: Value, region_op: Any) -> list[Any]:
    """The ops inside `region_op` that use `v`."""
    out = []

    def visit(op: Any) -> WalkResult:
        if any(x == v for x in op.operands):
            out.append(op)
        return WalkResult.ADVANCE

    region_op.walk(visit)
    return [o for o in out if o != region_op]


def is_block_arg_of(v: Value, op: Any) -> bool:
    return isinstance(v, BlockArgument) and v.owner.owner == op
