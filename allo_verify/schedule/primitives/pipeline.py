"""pipeline(axis, initiation_interval=1): ask HLS to pipeline a loop (`hls.pipeline_ii`).

Rewrite: an attribute only; the loop and its body are unchanged.
Obligation: the IR without `hls.*` attributes is identical before and after.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlir.ir import Attribute, IntegerAttr, IntegerType

from allo_verify.errors import ScheduleUsageError
from allo_verify.schedule.primitives._annotation import Annotation
from allo_verify.schedule.primitives.base import register


@register
@dataclass(frozen=True)
class Pipeline(Annotation):
    axis: str
    initiation_interval: int = 1
    name = "pipeline"

    def attribute(self) -> tuple[str, Attribute]:
        ii = self.initiation_interval
        if isinstance(ii, bool) or not isinstance(ii, int) or ii < 1:
            raise ScheduleUsageError(f"initiation interval must be an integer >= 1, got {ii!r}")
        return "hls.pipeline_ii", IntegerAttr.get(IntegerType.get_signless(32), ii)
