"""pipeline(axis, initiation_interval=1): ask HLS to pipeline a loop (`hls.pipeline_ii`).

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
class Pipeline(Primitive):
    axis: str
    initiation_interval: int = 1
    name = "pipeline"

    def apply(self, module: Module, ctx: Context) -> None:
        ii = self.initiation_interval
        if not isinstance(ii, int) or ii < 1:
            raise ScheduleUsageError(f"initiation interval must be an integer >= 1, got {ii!r}")
        _, op = loop_op(module, self.axis)
        op.attributes["hls.pipeline_ii"] = IntegerAttr.get(IntegerType.get_signless(32), ii)

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        return [attributes_only_check(before, after, self.label())]
