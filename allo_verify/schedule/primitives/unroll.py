"""unroll(axis, factor=0): ask HLS to unroll a loop (`hls.unroll = factor`, 0 = fully).

Rewrite: an attribute only; the loop and its body are unchanged.
Obligation: the IR without `hls.*` attributes is identical before and after.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlir.ir import IntegerAttr, IntegerType, Module

from allo_verify.equiv.instance_map import Check
from allo_verify.errors import ScheduleUsageError
from allo_verify.schedule.primitives._annotation import attributes_only_check
from allo_verify.schedule.primitives.base import Context, Primitive, register
from allo_verify.schedule.rewrite import loop_op


@register
@dataclass(frozen=True)
class Unroll(Primitive):
    axis: str
    factor: int = 0
    name = "unroll"

    def apply(self, module: Module, ctx: Context) -> None:
        if not isinstance(self.factor, int) or self.factor < 0:
            raise ScheduleUsageError(f"unroll factor must be an integer >= 0, got {self.factor!r}")
        _, op = loop_op(module, self.axis)
        op.attributes["hls.unroll"] = IntegerAttr.get(IntegerType.get_signless(32), self.factor)

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        return [attributes_only_check(before, after, self.label())]
