"""Allo's `allo.dataflow` (`import allo_verify.dataflow as df`): spatial dataflow regions.

```
@df.region()
def top(A: float32[M, N], B: float32[M, N]):
    pipe: Stream[float32, 4]
    @df.kernel(mapping=[1], args=[A])
    def producer(local_A: float32[M, N]): ...  pipe.put(x)
    @df.kernel(mapping=[1], args=[B])
    def consumer(local_B: float32[M, N]): ...  y = pipe.get()
df.build(top, target="simulator")(A, B)
```

Law: a region means the kernel function `allo_verify.df.lower` builds from it (every
kernel instance inlined as a stage, each channel a local array in FIFO rank order); its
schedule (`customize`) starts with checked steps: `dataflow(region)` (when the stages obey
single-producer / single-consumer; otherwise the region stays sequential and
`Region.notes` says why) and one `to(region:channel, consumer, depth)` per channel, whose
obligations (write-once, read-once, covers, same cells, same order, no deadlock at the
declared depths by the bounded-FIFO execution of `allo_verify.df.deadlock`) are the
stream obligations of every channel.
"""

from __future__ import annotations

import functools
from typing import Any

from mlir.ir import DictAttr, IntegerAttr, IntegerType, StringAttr, UnitAttr, WalkResult

from allo_verify.df.lower import Lowered, lower_region
from allo_verify.df.stream_type import Stream, StreamType
from allo_verify.errors import FrontendError, ScheduleError, ScheduleUsageError
from allo_verify.schedule.primitives.dataflow import Dataflow
from allo_verify.schedule.primitives.stream import Stream as StreamStep
from allo_verify.schedule.schedule import Schedule

__all__ = ["Region", "Stream", "StreamType", "build", "customize", "get_pid", "kernel",
           "region"]

DF_REGION = "df.region"  # function attribute: the function is a lowered df.region
DF_CHANNEL = "df.channel"  # alloc attribute {depth}: the array is a channel of the region


class Region:
    """A `@df.region()` function; call `build` / `customize` on it."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.__name__ = fn.__name__
        self.__doc__ = fn.__doc__
        self.notes: list[str] = []
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    def lower(self) -> Lowered:
        return lower_region(self.fn)

    def __call__(self, *args: Any) -> Any:
        return build(self, target="simulator")(*args)


def region() -> Any:
    """`@df.region()`: mark a function as a dataflow region."""
    def wrap(fn: Any) -> Region:
        return Region(fn)
    return wrap


def kernel(mapping: Any = None, args: Any = None) -> Any:
    """`@df.kernel(mapping=[P0, ...], args=[...])` inside a region: read by the lowering
    from the source; running it as Python does nothing useful."""
    def wrap(fn: Any) -> Any:
        return fn
    return wrap


kernel.__allo_df__ = "kernel"  # type: ignore[attr-defined]


def get_pid() -> Any:
    """`i, j = df.get_pid()` in a kernel: the instance's position, compile-time constants
    substituted by the lowering (not callable at run time)."""
    raise FrontendError("df.get_pid() is only meaningful inside a @df.kernel of a region")


get_pid.__allo_df__ = "get_pid"  # type: ignore[attr-defined]


def _region_of(top: Any) -> Region:
    if isinstance(top, Region):
        return top
    raise ScheduleUsageError(f"expected a @df.region() function, got {top!r}")


def _mark(module: Any, low: Lowered) -> None:
    """Set `df.region` on the function and `df.channel = {depth}` on each channel array of
    the original module (before the schedule copies it)."""
    with module.context:
        i64 = IntegerType.get_signless(64)

        def visit(op: Any) -> WalkResult:
            if op.name == "func.func" and StringAttr(op.attributes["sym_name"]).value == \
                    low.region:
                op.attributes[DF_REGION] = UnitAttr.get()
            if op.name == "memref.alloc" and "buffer_name" in op.attributes:
                name = StringAttr(op.attributes["buffer_name"]).value
                if name in low.channels:
                    op.attributes[DF_CHANNEL] = DictAttr.get(
                        {"depth": IntegerAttr.get(i64, low.channels[name][0].depth)})
            return WalkResult.ADVANCE

        module.operation.walk(visit)


def customize(top: Any, verbose: bool = False) -> Schedule:
    """Our Schedule on the lowered region, its first steps the checked `dataflow` and one
    `to` per channel (see the module docstring). A refused channel step is a
    ScheduleError naming the channel and the obligation."""
    from allo_verify.lang.kernel import build_kernel
    from allo_verify.schedule.loop_keywords import apply_loop_keywords

    reg = _region_of(top)
    low = reg.lower()
    k = build_kernel(low.fn)
    _mark(k.module, low)
    s = Schedule(k)
    s.verbose = verbose
    apply_loop_keywords(s)
    reg.notes = []
    try:
        s.apply(Dataflow(low.region, (), _multi_written(s, low.region)))
    except ScheduleError as e:
        reg.notes.append("the region runs its stages in sequence (no #pragma HLS dataflow): "
                         + " ".join(str(e).split()))
    for arr, consumer in low.consumers.items():
        s.apply(StreamStep(f"{low.region}:{arr}", consumer, low.channels[arr][0].depth))
    s.df_notes = reg.notes  # type: ignore[attr-defined]
    return s


def _multi_written(s: Schedule, region: str) -> tuple[str, ...]:
    """The region's arguments that more than one stage (kernel instance) writes."""
    from allo_verify.schedule.dataflow_stages import region_stages

    with s.module.context:
        stages, _, _ = region_stages(s.module, region, s.ctx.arg_names)
    args = s.ctx.arg_names.get(region, [])
    return tuple(a for a in args if sum(a in st.writes for st in stages) > 1)


def build(top: Any, target: str = "llvm", mode: str | None = None,
          project: str | None = None, **options: Any) -> Any:
    """`df.build(top)`: target "simulator" or "llvm" the LLVM simulation of the lowered
    region (writes outputs into the NumPy arrays passed, as Allo's does); "vhls" the
    HLSModule; "vitis_hls" as `Schedule.build`. Every channel's obligations are proved
    first (a refused channel raises ScheduleError)."""
    s = customize(top)
    if target == "simulator":
        target = "llvm"
    return s.build(target=target, mode=mode, project=project, **options)
