"""reuse_at(target, axis): a reuse buffer (line buffer, or window buffer on one) for stencils.

Rewrite (T the target, y the variable of `axis` with lower bound lb, d the one dimension
of T whose subscripts move with y: s_d = o + S*y + g with a constant stride S >= 1, o over
the loops around `axis`, g over the loops inside it, m..m+K-1 the range of g;
base(y) = o + S*y + m; R has T's shape with dimension d of extent K; shown for S = 1):

    for y:                          for y:
        ... T[.., y + g, ..] ...        if y == lb:
                             ==>            R[.., r, ..] = T[.., base + r, ..]         (fill)
                                        else:
                                            R[.., r, ..] = R[.., r + 1, ..]  (shift, r < K-1)
                                            R[.., K-1, ..] = T[.., base + K-1, ..]     (load)
                                        ... R[.., g - m, ..] ...

A line buffer is reuse_at of an input at a row loop; a window buffer is reuse_at of that
line buffer at the column loop inside it (chainable). The data really moves through R.

Obligations (Z3 over symbolic iteration vectors; D_x the domain of `axis` and the loops
around it, box the cells of R):

1. T is not written in the nest (the #370 case: an in-place update is refused with the
   writing instance and its cell);
2. fill: x in D_x, y = lb, c in box => the fill runs c: R[c] := T[c with base + c_d];
3. shift: x in D_x, y != lb, c in box, c_d < K-S => R[c] := R[c with c_d + S];
4. load: x in D_x, y != lb, c in box, c_d >= K-S => R[c] := T[c with base + c_d];
5. advance: x in D_x, y != lb => y - 1 is an iteration of the same run and
   base(y) = base(y - 1) + S;
6. the shift reads only old values: no prologue instance writes a cell of R that a later
   shift instance of the same iteration reads;
7. in bounds: the fill and the load read cells of T;
8. every access: an instance of a statement reading T[s] now reads R[s'] with
   s'_d = s_d - base, 0 <= s'_d < K, the other subscripts unchanged;
9. the prologue runs before the body in each iteration; the instance-map obligations
   (identity witness) between the original with T renamed to R and the new nest.

Together they give the inductive invariant Inv(y): after the prologue of iteration y,
R[c] = T[c with base(y) + c_d] for every c in box (2 for y = lb; 3-6 and Inv(y - 1) for
the step, T unchanged by 1), so by 8 every read gets the value the original read.
`proofs/reuse_at.py` proves the step for all K and all arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import z3
from mlir.dialects import affine
from mlir.ir import (
    AffineConstantExpr,
    AffineDimExpr,
    AffineMap,
    InsertionPoint,
    IntegerSet,
    MemRefType,
    Module,
    StringAttr,
)

from allo_verify.equiv.instance_map import Check
from allo_verify.equiv.polyhedral import (
    NotAffine,
    integer_set_constraints,
    loop_domain,
    map_to_z3,
)
from allo_verify.errors import ScheduleError
from allo_verify.schedule.buffers import BufferRef, buffer_value, shape_of
from allo_verify.schedule.memory import (
    Affine,
    access_map,
    defined_inside,
    fresh_name,
    memref_operand,
    new_local,
    next_stmt_id,
    tag_store,
    uses_inside,
    z3_vars,
)
from allo_verify.schedule.primitives.base import Context, Primitive, function, register
from allo_verify.schedule.primitives.compute_at import loop_path
from allo_verify.schedule.rewrite import header, iv, loop_name, loop_op


@dataclass
class ReusePlan:
    """How reuse_at rewrites one loop: the moving dimension, the base and the extent."""

    kernel: str
    loop: Any
    path: list[Any]
    target: Any
    tname: str
    shape: tuple[int, ...]
    dim: int
    base: z3.ArithRef  # over the names of `path`
    low: int  # m: the least inner offset g
    extent: int
    loads: list[Any]
    buf: str
    lb: z3.ArithRef
    stride: int  # rows the window moves per iteration

    @property
    def fresh_rows(self) -> int:
        """Rows loaded from the target in an iteration after the first."""
        return min(self.stride, self.extent)

    @property
    def names(self) -> list[str]:
        return [loop_name(op) for op in self.path]

    @property
    def buf_shape(self) -> list[int]:
        return [self.extent if q == self.dim else n for q, n in enumerate(self.shape)]


def _enclosing_domain(op: Any, stop: Any) -> z3.BoolRef:
    """Loop bounds and affine conditions around `op` (up to the function)."""
    cons = []
    child, p = op, op.parent
    while p is not None and p.name != "func.func":
        if p.name == "affine.for":
            cons.append(loop_domain(p))
        elif p.name == "affine.if":
            c = integer_set_constraints(p.attributes["condition"], list(p.operands))
            then = child.parent == p and _in_region(child, p, 0)
            cons.append(c if then else z3.Not(c))
        child, p = p, p.parent
    return z3.And(*cons)


def _in_region(op: Any, parent: Any, k: int) -> bool:
    return any(o.operation == op for o in parent.regions[k].blocks[0].operations) \
        if len(parent.regions[k].blocks) else False


def plan(module: Module, target: str, axis: str, ctx: Context) -> ReusePlan:
    """Check that `target` can get a reuse buffer at `axis` and say how."""
    kernel, lp = loop_op(module, axis)
    h = header(lp)
    if h.step != 1 or len(h.lb.results) != 1:
        raise ScheduleError(f"reuse_at needs a unit-step loop with one lower bound; "
                            f"'{axis}' has step {h.step}")
    tk, tname = target.split(":", 1)
    if tk != kernel:
        raise ScheduleError(f"reuse_at: {target} is not a buffer of {kernel}, which holds "
                            f"loop '{axis}'")
    tv = buffer_value(module, BufferRef(tk, tname), ctx.arg_names)
    shape = shape_of(tv)
    uses = uses_inside(tv, lp)
    for op in uses:
        if op.name not in ("affine.load", "affine.store") or \
                op.operands[memref_operand(op)] != tv:
            raise ScheduleError(f"reuse_at: {target} is used by {op.name} inside loop "
                                f"'{axis}'; only affine loads and stores are supported")
    loads = [op for op in uses if op.name == "affine.load"]
    if not loads:
        raise ScheduleError(f"reuse_at: {target} is not read inside loop '{axis}'")
    path = loop_path(lp)
    y = h.name
    outer = {loop_name(op) for op in path[:-1]}
    try:
        subs = [map_to_z3(*access_map(op)) for op in loads]
    except NotAffine as e:
        raise ScheduleError(f"reuse_at: an access to {target} is not affine ({e})") from None
    moving = sorted({d for s in subs for d, t in enumerate(s) if y in z3_vars(t)})
    if len(moving) != 1:
        raise ScheduleError(f"reuse_at: the reads of {target} in '{axis}' must move with "
                            f"'{y}' in exactly one dimension; they move in "
                            f"{len(moving)} ({', '.join(str(d + 1) for d in moving) or 'none'})")
    d = moving[0]
    os_, gs, strides = [], [], []
    for s in subs:
        t = s[d]
        inner = z3_vars(t) - outer - {y}
        zero = lambda names: [(z3.Int(n), z3.IntVal(0)) for n in names]  # noqa: E731
        z = z3.simplify(z3.substitute(t, *zero(z3_vars(t))))
        o = z3.simplify(z3.substitute(t, *zero(inner | {y})) - z)
        g = z3.simplify(z3.substitute(t, *zero(outer | {y})))
        coef = z3.simplify(z3.substitute(t, (z3.Int(y), z3.IntVal(1)),
                                         *zero(z3_vars(t) - {y})) - z)
        sep = z3.Solver()
        sep.add(t != o + coef * z3.Int(y) + g)
        if not z3.is_int_value(coef) or coef.as_long() < 1 or sep.check() != z3.unsat:
            raise ScheduleError(f"reuse_at: the subscript {t} of {target} is not a positive "
                                f"constant stride times '{y}' plus offsets")
        os_.append(o)
        gs.append(g)
        strides.append(coef.as_long())
    if len(set(strides)) != 1:
        raise ScheduleError(f"reuse_at: the reads of {target} in '{axis}' move with '{y}' "
                            f"at different strides {sorted(set(strides))}")
    for o in os_[1:]:
        if not z3.is_true(z3.simplify(o == os_[0])):
            raise ScheduleError(f"reuse_at: the reads of {target} in '{axis}' are offset by "
                                "different outer expressions")
    lo, hi = None, None
    for op, g in zip(loads, gs, strict=True):
        dom = _enclosing_domain(op, lp)
        for sense in ("min", "max"):
            opt = z3.Optimize()
            opt.add(dom)
            h_ = opt.minimize(g) if sense == "min" else opt.maximize(g)
            if opt.check() != z3.sat:
                raise ScheduleError(f"reuse_at: a read of {target} in '{axis}' never runs")
            val = opt.lower(h_) if sense == "min" else opt.upper(h_)
            if not z3.is_int_value(val):
                raise ScheduleError(f"reuse_at: the window of {target} is unbounded")
            v = val.as_long()
            lo = v if lo is None or (sense == "min" and v < lo) else lo
            hi = v if hi is None or (sense == "max" and v > hi) else hi
    assert lo is not None and hi is not None
    lb = map_to_z3(h.lb, h.lb_ops)[0]
    return ReusePlan(kernel, lp, path, tv, tname, shape, d,
                     z3.simplify(os_[0] + strides[0] * z3.Int(y) + lo), lo, hi - lo + 1,
                     loads, fresh_name(module, f"{tname}_reuse_{y.replace('.', '_')}"), lb,
                     strides[0])


@register
@dataclass(frozen=True)
class ReuseAt(Primitive):
    target: str  # "kernel:buffer"
    axis: str
    name = "reuse_at"

    def apply(self, module: Module, ctx: Context) -> None:
        p = plan(module, self.target, self.axis, ctx)
        f = function(module, p.kernel)
        elem = MemRefType(p.target.type).element_type
        buf = new_local(f, p.buf, p.buf_shape, elem)
        y_iv = iv(p.loop)
        base_exprs = None
        for op in p.loads:
            a = Affine()
            exprs = a.apply(*access_map(op))
            inner = [not (not defined_inside(b, p.loop) or b == y_iv) for b in a.bases]
            keep_inner = AffineMap.get(len(a.bases), 0, [
                AffineDimExpr.get(k) if inner[k] else AffineConstantExpr.get(0)
                for k in range(len(a.bases))])
            new = list(exprs)
            new[p.dim] = exprs[p.dim].compose(keep_inner) - p.low
            with op.location, InsertionPoint(op):
                ld = affine.AffineLoadOp(elem, buf, a.bases, AffineMap.get(len(a.bases), 0, new))
            op.results[0].replace_all_uses_with(ld.result)
            op.erase()
            if base_exprs is None:
                base_exprs = (a, exprs, inner)
        assert base_exprs is not None
        self.prologue(module, p, buf, *base_exprs)

    def prologue(self, module: Module, p: ReusePlan, buf: Any, a: Affine, exprs: list,
                 inner: list[bool]) -> None:
        """The fill / shift / load at the start of the loop body."""
        y_iv = iv(p.loop)
        keep = [b for b, i in zip(a.bases, inner, strict=True) if not i]
        if y_iv not in keep:
            keep.append(y_iv)
        outer_only = AffineMap.get(len(keep), 0, [
            AffineConstantExpr.get(0) if i or b == y_iv else AffineDimExpr.get(keep.index(b))
            for b, i in zip(a.bases, inner, strict=True)])
        base = exprs[p.dim].compose(outer_only) + AffineDimExpr.get(keep.index(y_iv)) * p.stride \
            + (p.low - self._zero_const(exprs[p.dim], len(a.bases)))
        h = header(p.loop)
        nl = len(h.lb_ops)
        lb_e = h.lb.results[0].shift_dims(nl, 1) if nl else h.lb.results[0]
        cond = IntegerSet.get(1 + nl, 0, [AffineDimExpr.get(0) - lb_e], [True])
        body = p.loop.regions[0].blocks[0]
        counter = next_stmt_id(module)
        rank = len(p.shape)
        with p.loop.location, InsertionPoint(list(body.operations)[0]):
            aif = affine.AffineIfOp(cond, cond_operands=[y_iv, *h.lb_ops], has_else=True)
        with p.loop.location:
            with InsertionPoint(aif.then_block):
                self.nest(p, "fill", p.buf_shape, keep, counter,
                          src=(p.target, lambda c: [base + c[q] if q == p.dim else c[q]
                                                    for q in range(rank)]),
                          dst=(buf, lambda c: list(c)))
                affine.AffineYieldOp([])
            with InsertionPoint(aif.else_block):
                kept = p.extent - p.fresh_rows
                if kept:
                    self.shift(p, buf, [kept if q == p.dim else n
                                        for q, n in enumerate(p.buf_shape)], keep, counter)
                self.nest(p, "load", [p.fresh_rows if q == p.dim else n
                                      for q, n in enumerate(p.buf_shape)], keep, counter,
                          src=(p.target, lambda c: [base + kept + c[q] if q == p.dim else c[q]
                                                    for q in range(rank)]),
                          dst=(buf, lambda c: [c[q] + kept if q == p.dim else c[q]
                                               for q in range(rank)]))
                affine.AffineYieldOp([])

    def shift(self, p: ReusePlan, buf: Any, shape: list[int], keep: list, counter: list[int]
              ) -> None:
        """R[.., r, ..] = R[.., r + S, ..] for r ascending (tests override the order)."""
        self.nest(p, "shift", shape, keep, counter,
                  src=(buf, lambda c: [c[q] + p.stride if q == p.dim else c[q]
                                       for q in range(len(c))]),
                  dst=(buf, lambda c: list(c)))

    @staticmethod
    def _zero_const(e: Any, n: int) -> int:
        z = e.compose(AffineMap.get(n, 0, [AffineConstantExpr.get(0)] * n)) if n else e
        return AffineConstantExpr(z).value

    def nest(self, p: ReusePlan, kind: str, shape: list[int], keep: list, counter: list[int],
             src: tuple, dst: tuple) -> None:
        """Loops named `<buf>.<kind><q>` over `shape`; one copy per iteration; maps take the
        kept values then the loop variables."""
        loops = []
        point = InsertionPoint.current
        for q, n in enumerate(shape):
            with point:
                lp = affine.AffineForOp(0, n, 1)
                lp.attributes["loop_name"] = StringAttr.get(f"{p.buf}.{kind}{q}")
                with InsertionPoint(lp.body):
                    affine.AffineYieldOp([])
            loops.append(lp)
            point = InsertionPoint(list(lp.body.operations)[-1])
        nb = len(keep)
        cells = [AffineDimExpr.get(nb + q) for q in range(len(shape))]
        operands = keep + [lp.induction_variable for lp in loops]
        with point:
            (smem, smap), (dmem, dmap) = src, dst
            elem = MemRefType(smem.type).element_type
            v = affine.AffineLoadOp(elem, smem, operands,
                                    AffineMap.get(len(operands), 0, smap(cells)))
            st = affine.AffineStoreOp(v.result, dmem, operands,
                                      AffineMap.get(len(operands), 0, dmap(cells)))
            tag_store(st.operation, counter)

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        from allo_verify.schedule.primitives._reuse_checks import reuse_checks

        return reuse_checks(self, plan(before, self.target, self.axis, ctx), before, after,
                            ctx)
