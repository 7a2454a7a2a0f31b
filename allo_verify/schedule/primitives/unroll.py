"""unroll(axis, factor=0): ask HLS to unroll a loop (`hls.unroll = factor`, 0 = fully).

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
class Unroll(Annotation):
    axis: str
    factor: int = 0
    name = "unroll"

    def attribute(self) -> tuple[str, Attribute]:
        if isinstance(self.factor, bool) or not isinstance(self.factor, int) or self.factor < 0:
            raise ScheduleUsageError(f"unroll factor must be an integer >= 0, got "
                                     f"{self.factor!r}")
        return "hls.unroll", IntegerAttr.get(IntegerType.get_signless(32), self.factor)
