"""Allo's loop keywords (`grid(..., pipeline=True)`, `reduction(..., unroll=4)`) as the
schedule steps they mean.

The frontend records each request (`lang.loops.LoopKeyword`); `apply_loop_keywords` applies
them, in source order, as ordinary checked `pipeline`/`unroll` steps on the new schedule,
so they appear in the step log and the certificate exactly like `s.pipeline(...)` written
by hand. A request that cannot be applied becomes a `FrontendError` at the keyword's line.
Both are annotations (the loop is not rewritten), so any factor is sound: one that does not
divide the trip count, or exceeds it, leaves HLS to add the exit check; a pipelined loop
keeps the privatization obligations of `pipeline` (a scalar carried across iterations is
not private and stays outside the loop in the C++).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allo_verify.errors import FrontendError, ScheduleError
from allo_verify.schedule.primitives.pipeline import Pipeline
from allo_verify.schedule.primitives.unroll import Unroll

if TYPE_CHECKING:
    from allo_verify.schedule.schedule import Schedule


def apply_loop_keywords(s: Schedule) -> None:
    """Apply every loop keyword of the kernel (and the kernels it calls) as a step."""
    for k in s.kernel.loop_keywords:
        axis = f"{k.kernel}:{k.loop}"
        prim = Pipeline(axis, k.value) if k.kind == "pipeline" else Unroll(axis, k.value)
        try:
            s.apply(prim)
        except ScheduleError as e:
            raise FrontendError(f"{k.kind}= on loop '{k.loop}' could not be applied: {e}",
                                k.filename, k.line, k.col, k.source) from None
