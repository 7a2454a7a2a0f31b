"""dataflow(target): run the stages of a function or loop body concurrently (`hls.dataflow`).

Rewrite: attributes only: `hls.dataflow` (a UnitAttr) on the function or loop, emitted as
`#pragma HLS dataflow`. It is a hardware annotation (the LLVM simulation runs the stages in
program order), so only these obligations vouch for it (stages as in
`schedule.dataflow_stages`: the region's top-level loop nests and calls):

1. the IR is unchanged apart from `hls.*` attributes;
2. every op of the region that touches memory is inside a stage;
3. single producer: every buffer is written by at most one stage;
4. single consumer: a buffer written by a stage is read by at most one other stage;
5. no feedback: no stage reads a buffer that a later stage writes, unless the buffer is
   listed in `feedback` (a declared loop-carried channel);
3'. for a function argument listed in `disjoint` (several stages write it, as the kernel
   instances of a df.region write their tiles of an output) 3-5 are replaced by: no stage
   reads it, it is written only by affine stores in loop-nest stages, and two stores of
   different stages never write the same cell (Z3 over both iteration domains), so running
   the stages concurrently leaves every cell with the value of its one writer;
6. every stream of the region (see `stream.py`) is deep enough in the overlapped model,
   which the region now runs in.

A refusal names the buffer and both stages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import z3
from mlir.ir import Module, UnitAttr

from allo_verify.equiv.instance_map import Check
from allo_verify.equiv.obligation import Obligation
from allo_verify.errors import ScheduleUsageError
from allo_verify.schedule.dataflow_stages import Stage, region_block, region_stages
from allo_verify.schedule.primitives._annotation import attributes_only_check
from allo_verify.schedule.primitives.base import Context, Primitive, register


def fact(name: str, statement: str, holds: bool, step: str, why: str) -> Check:
    """A structural obligation (decided by reading the IR) with its refutation text."""
    return Check(Obligation(name, statement, lambda: z3.BoolVal(holds), step),
                 lambda m: why)


def legality_checks(stages: list[Stage], loose: list[str], region: str, step: str,
                    feedback: tuple[str, ...] = (), disjoint: tuple[str, ...] = ()
                    ) -> list[Check]:
    """Obligations 2-5 for the stages of one region (3-5 not for the `disjoint` buffers,
    which obligation 3' covers: `disjoint_checks`)."""
    out = [fact(f"{step}/stages", f"every memory access of {region} is inside a stage (a "
                "top-level loop nest or call)", not loose, step,
                loose[0] if loose else "")]
    buffers = sorted({b for s in stages for b in s.reads | s.writes})
    for buf in buffers:
        if buf in disjoint:
            continue
        writers = [s for s in stages if buf in s.writes]
        readers = [s for s in stages if buf in s.reads and buf not in s.writes]
        if len(writers) > 1:
            a, b = writers[0].name, writers[1].name
        out.append(fact(f"{step}/{buf}/single-producer",
                        f"buffer {buf} is written by at most one stage of {region}",
                        len(writers) <= 1, step,
                        f"buffer {buf} is written by two stages, {a} and {b}"
                        if len(writers) > 1 else ""))
        if not writers:
            continue
        w = writers[0]
        if len(readers) > 1:
            c, d = readers[0].name, readers[1].name
        out.append(fact(f"{step}/{buf}/single-consumer",
                        f"buffer {buf}, produced by {w.name}, is read by at most one other "
                        f"stage of {region}", len(readers) <= 1, step,
                        f"buffer {buf} (produced by {w.name}) is read by two stages, {c} and "
                        f"{d}" if len(readers) > 1 else ""))
        early = [s for s in stages if buf in s.reads and s.index < w.index]
        ok = not early or buf in feedback
        out.append(fact(f"{step}/{buf}/no-feedback",
                        f"no stage of {region} reads buffer {buf} before its producer "
                        f"{w.name} (feedback not declared)", ok, step,
                        f"feedback: stage {early[0].name} reads buffer {buf}, which the later "
                        f"stage {w.name} writes (declare it with feedback=[{buf!r}] if "
                        "intended)" if early else ""))
    return out


@register
@dataclass(frozen=True)
class Dataflow(Primitive):
    target: str  # a function name or a loop name
    feedback: tuple[str, ...] = ()
    disjoint: tuple[str, ...] = ()  # arguments several stages write, at disjoint cells
    name = "dataflow"
    hardware: ClassVar[bool] = True

    def apply(self, module: Module, ctx: Context) -> None:
        try:
            _, op, _ = region_block(module, self.target)
        except (KeyError, LookupError, ValueError) as e:
            raise ScheduleUsageError(f"dataflow: {self.target!r} is neither a function nor a "
                                     f"loop of the design ({e})") from None
        op.attributes["hls.dataflow"] = UnitAttr.get()

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        from allo_verify.schedule.primitives.stream import depth_checks  # cycle: stream uses us

        step = self.label()
        stages, loose, values = region_stages(after, self.target, ctx.arg_names)
        _, region, _ = region_block(before, self.target)
        out = [attributes_only_check(before, after, step, [(region, {"hls.dataflow"})])]
        out += legality_checks(stages, loose, self.target, step, tuple(self.feedback),
                               tuple(self.disjoint))
        if self.disjoint:
            from allo_verify.schedule.primitives._dataflow_disjoint import disjoint_checks

            out += disjoint_checks(after, self.target, stages, values, tuple(self.disjoint),
                                   ctx.arg_names.get(self.target, []), step)
        out += depth_checks(after, self.target, stages, values, step)
        return out

    def args(self) -> dict[str, Any]:
        extra = {"disjoint": list(self.disjoint)} if self.disjoint else {}
        return {"target": self.target, "feedback": list(self.feedback)} | extra
