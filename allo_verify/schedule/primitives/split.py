"""split(axis, factor): strip-mine a loop into `axis.outer` and `axis.inner`.

Rewrite (lb, ub the loop's bounds, F the factor):

    for i in [lb, ub):            for o in [0, ceildiv(ub - lb, F)):        # i.outer
        S(i)              ==>         for ii in [0, min(F, ub - lb - o*F)):  # i.inner
                                          S(lb + o*F + ii)

The `min` bound (the remainder guard) is dropped when F divides a constant trip count.
Witness: phi(o, ii) = lb + o*F + ii; psi(i) = ((i - lb) div F, (i - lb) mod F).
Obligations: the instance-map checker's five, for every statement of the function.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlir.dialects import affine
from mlir.ir import (
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineMap,
    InsertionPoint,
    Module,
)

from allo_verify.equiv.instance_map import Check, Witness
from allo_verify.equiv.polyhedral import Statement, map_to_z3, var
from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.schedule.primitives.base import (
    Context,
    Primitive,
    instance_map_checks,
    register,
    statements,
)
from allo_verify.schedule.rewrite import Header, constant_bounds, header, iv, loop_op, make_loop


def split_names(name: str) -> tuple[str, str]:
    return f"{name}.outer", f"{name}.inner"


@register
@dataclass(frozen=True)
class Split(Primitive):
    axis: str
    factor: int
    name = "split"

    def _validate(self, h: Header) -> None:
        if not isinstance(self.factor, int) or isinstance(self.factor, bool) \
                or not 1 <= self.factor <= 1 << 40:
            raise ScheduleUsageError(f"split factor must be an integer in 1..2**40, got "
                                     f"{self.factor!r}")
        if h.step != 1:
            raise ScheduleError(f"split needs a unit-step loop; '{self.axis}' has step {h.step}")
        if len(h.lb.results) != 1 or len(h.ub.results) != 1:
            raise ScheduleError(f"split needs single lower and upper bounds; '{self.axis}' has "
                                "max/min bounds")

    def inner_bound(self, h: Header) -> tuple[AffineMap, bool]:
        """Inner upper bound over (o, lb operands..., ub operands...) and whether it is
        guarded."""
        f = self.factor
        nl, nu = len(h.lb_ops), len(h.ub_ops)
        o = AffineDimExpr.get(0)
        lb = h.lb.results[0].shift_dims(nl, 1) if nl else h.lb.results[0]
        ub = h.ub.results[0].shift_dims(nu, 1 + nl) if nu else h.ub.results[0]
        const = constant_bounds(h)
        if const is not None and (const[1] - const[0]) % f == 0:
            return AffineMap.get(1 + nl + nu, 0, [AffineConstantExpr.get(f)]), False
        rem = ub - lb - o * AffineConstantExpr.get(f)
        return AffineMap.get(1 + nl + nu, 0, [AffineConstantExpr.get(f), rem]), True

    def apply(self, module: Module, ctx: Context) -> None:
        _, op = loop_op(module, self.axis)
        h = header(op)
        self._validate(h)
        f = self.factor
        nl, nu = len(h.lb_ops), len(h.ub_ops)
        outer_name, inner_name = split_names(h.name)
        lb_e = h.lb.results[0]
        ub_e = h.ub.results[0].shift_dims(nu, nl) if nu else h.ub.results[0]
        trips = AffineMap.get(nl + nu, 0, [
            AffineExpr.get_ceil_div(ub_e - lb_e, AffineConstantExpr.get(f))])
        zero = AffineMap.get(0, 0, [AffineConstantExpr.get(0)])
        with op.location, InsertionPoint(op):
            outer = make_loop(Header(zero, [], trips, h.lb_ops + h.ub_ops, 1, h.attrs), outer_name)
        inner_ub, guarded = self.inner_bound(h)
        ub_ops = [iv(outer)] + h.lb_ops + h.ub_ops
        if not guarded:
            inner_ub, ub_ops = AffineMap.get(0, 0, list(inner_ub.results)), []
        with op.location, InsertionPoint.at_block_begin(outer.body):
            inner = make_loop(Header(zero, [], inner_ub, ub_ops, 1, h.attrs), inner_name)
        with op.location, InsertionPoint.at_block_begin(inner.body):
            d_o, d_i = AffineDimExpr.get(0), AffineDimExpr.get(1)
            lb_in = lb_e.shift_dims(nl, 2) if nl else lb_e
            idx = affine.AffineApplyOp(AffineMap.get(2 + nl, 0, [lb_in + d_o * f + d_i]),
                                       [iv(outer), iv(inner)] + h.lb_ops)
        old_iv = iv(op)
        for o in list(op.regions[0].blocks[0].operations)[:-1]:
            o.operation.move_before(list(inner.body.operations)[-1].operation)
        old_iv.replace_all_uses_with(idx.result)
        op.erase()

    def witness(self, before: Module, ctx: Context
                ) -> tuple[str, Witness, dict[int, Statement]]:
        kernel, op = loop_op(before, self.axis)
        h = header(op)
        lb = map_to_z3(h.lb, h.lb_ops)[0]
        outer, inner = split_names(h.name)
        phi_i = lb + var(outer) * self.factor + var(inner)
        i = var(h.name)
        psi = {outer: (i - lb) / self.factor, inner: (i - lb) % self.factor}
        olds = statements(before, kernel, ctx)
        sids = [s.sid for s in olds.values() if h.name in s.loops]
        return kernel, Witness({sid: {h.name: phi_i} for sid in sids},
                               {sid: psi for sid in sids}), olds

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        kernel, w, olds = self.witness(before, ctx)
        return instance_map_checks(before, after, kernel, w, self.label(), ctx, olds)
