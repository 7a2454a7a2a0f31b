"""compute_at(producer_axis, consumer_axis): move a producer stage into its consumer's nest.

Rewrite: the producer's loops from its outermost down to `producer_axis` are merged with
the consumer's loops from its outermost down to `consumer_axis` (same depth, same bounds);
what was inside `producer_axis` now runs at the start of each `consumer_axis` iteration:

    for i: for j: B[i, j] = f(A[i, j])            for i': for j':
    for i': for j': C[i', j'] = g(B[i', j'])  ==>     B[i', j'] = f(A[i', j'])
                                                      C[i', j'] = g(B[i', j'])

Witness: producer statements map the merged loops by name (phi: p_l = c_l, psi: c_l = p_l);
everything else is the identity. The order obligation refuses the move when a consumer
iteration would read a cell before the producer iteration that writes it has run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlir.ir import Module

from allo_verify.equiv.instance_map import Check, Witness
from allo_verify.equiv.polyhedral import var
from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.schedule.primitives.base import (
    Context,
    Primitive,
    instance_map_checks,
    register,
    statements,
)
from allo_verify.schedule.rewrite import (
    band_applies,
    body_ops,
    header,
    iv,
    loop_name,
    loop_op,
    perfect_band,
)


def loop_path(op: Any) -> list[Any]:
    """The affine loops enclosing `op` (outermost first), ending with `op` itself."""
    path = [op.operation]
    p = op.operation.parent
    while p is not None and p.name == "affine.for":
        path.insert(0, p)
        p = p.parent
    return path


def merge_plan(module: Module, producer: str, consumer: str) -> tuple[str, list, list]:
    """The producer and consumer loop paths to merge, after checking they can be."""
    kp, p = loop_op(module, producer)
    kc, c = loop_op(module, consumer)
    if kp != kc:
        raise ScheduleUsageError(f"compute_at: '{producer}' and '{consumer}' are in different "
                                 "kernels")
    pp, cp = loop_path(p), loop_path(c)
    shared = 0  # loops enclosing both nests (a time loop around two stages) stay as they are
    while shared < min(len(pp), len(cp)) and pp[shared] == cp[shared]:
        shared += 1
    pp, cp = pp[shared:], cp[shared:]
    if not pp or not cp:
        raise ScheduleUsageError(f"compute_at: '{producer}' and '{consumer}' are the same loop or "
                            "nested in one another")
    if len(pp) != len(cp):
        raise ScheduleError(f"compute_at: '{producer}' is at depth {len(pp)} but '{consumer}' is "
                            f"at depth {len(cp)}; the merged loops must match one to one")
    if pp[0].parent != cp[0].parent or pp[0] == cp[0]:
        raise ScheduleError("compute_at: the producer and consumer nests must be separate "
                            "loop nests in the same block")
    block_ops = [o.operation for o in pp[0].block.operations]
    if block_ops.index(pp[0]) > block_ops.index(cp[0]):
        raise ScheduleUsageError(f"compute_at: the producer '{producer}' must come before the "
                            f"consumer '{consumer}'")
    band = perfect_band(pp[0])
    if len(band) < len(pp) or band[len(pp) - 1] != pp[-1]:
        raise ScheduleError(f"compute_at: the producer loops down to '{producer}' must be "
                            "perfectly nested")
    ivmap = {iv(a): iv(b) for a, b in zip(pp, cp, strict=True)}
    for a, b in zip(pp, cp, strict=True):
        ha, hb = header(a), header(b)
        same = (str(ha.lb) == str(hb.lb) and str(ha.ub) == str(hb.ub) and ha.step == hb.step
                and [ivmap.get(v, v) for v in ha.lb_ops] == hb.lb_ops
                and [ivmap.get(v, v) for v in ha.ub_ops] == hb.ub_ops)
        if not same:
            raise ScheduleError(f"compute_at: loops '{ha.name}' and '{hb.name}' have different "
                                "bounds, so they cannot be merged")
    return kp, pp, cp


@register
@dataclass(frozen=True)
class ComputeAt(Primitive):
    producer_axis: str
    consumer_axis: str
    name = "compute_at"

    def apply(self, module: Module, ctx: Context) -> None:
        _, pp, cp = merge_plan(module, self.producer_axis, self.consumer_axis)
        moved = band_applies(pp) + body_ops(pp[-1])
        first = body_ops(cp[-1])
        anchor = first[0] if first else list(cp[-1].regions[0].blocks[0].operations)[-1]
        for o in moved:
            o.operation.move_before(anchor.operation)
        for a, b in zip(pp, cp, strict=True):
            iv(a).replace_all_uses_with(iv(b))
        pp[0].erase()

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        kernel, pp, cp = merge_plan(before, self.producer_axis, self.consumer_axis)
        pnames = [loop_name(o) for o in pp]
        cnames = [loop_name(o) for o in cp]
        phi = {p: var(c) for p, c in zip(pnames, cnames, strict=True)}
        psi = {c: var(p) for p, c in zip(pnames, cnames, strict=True)}
        olds = statements(before, kernel, ctx)
        sids = [s.sid for s in olds.values() if pnames[0] in s.loops]
        w = Witness({sid: phi for sid in sids}, {sid: psi for sid in sids})
        return instance_map_checks(before, after, kernel, w, self.label(), ctx, olds)
