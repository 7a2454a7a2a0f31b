"""The Schedule facade: the original kernel module, the current one, and the step log.

Every primitive runs on a copy of the current module; its checks are discharged at once; a
refuted (or inapplicable) step raises `ScheduleError` and leaves the schedule exactly as
it was. Accepted steps are logged with their results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlir.ir import IntegerAttr, IntegerType, MLIRError, Module, WalkResult

from allo_verify.equiv.l1 import run_check
from allo_verify.equiv.polyhedral import EFFECTS
from allo_verify.equiv.results import Cost, Refuted, Result, Unknown
from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.lang.kernel import Kernel, build_kernel
from allo_verify.schedule.loops import LoopRef, describe_loops, find_loop, list_loops
from allo_verify.schedule.primitives import Context, Primitive
from allo_verify.schedule.primitives.compute_at import ComputeAt
from allo_verify.schedule.primitives.fuse import Fuse, fused_name
from allo_verify.schedule.primitives.parallel import Parallel
from allo_verify.schedule.primitives.pipeline import Pipeline
from allo_verify.schedule.primitives.reorder import Reorder
from allo_verify.schedule.primitives.split import Split, split_names
from allo_verify.schedule.primitives.unroll import Unroll


@dataclass
class CheckRecord:
    """One discharged obligation of a step."""

    name: str
    statement: str
    location: str
    result: Result
    cost: Cost


@dataclass
class Step:
    """An accepted primitive with the results of its obligations."""

    primitive: Primitive
    checks: list[CheckRecord] = field(default_factory=list)
    loops_before: list[str] = field(default_factory=list)
    loops_after: list[str] = field(default_factory=list)

    def to_dict(self, detail: bool = False) -> dict[str, Any]:
        """The log entry; with `detail`, also the loop structure before and after and the
        names of the step's obligations (what reports show)."""
        d: dict[str, Any] = {"primitive": self.primitive.name, "args": self.primitive.args()}
        if detail:
            d["label"] = self.primitive.label()
            d["loops_before"] = self.loops_before
            d["loops_after"] = self.loops_after
            d["obligations"] = [c.name for c in self.checks]
        return d


Axis = str | LoopRef


def int_arg(x: Any) -> Any:
    """NumPy integers count as integers for factors (booleans do not)."""
    import numpy as np

    return int(x) if isinstance(x, np.integer) and not isinstance(x, np.bool_) else x


def axis_name(axis: Axis) -> str:
    """A loop given by name (`"i"`, `"kernel:i"`) or by a handle from `get_loops()`."""
    return axis.qualified if isinstance(axis, LoopRef) else axis


def clone_module(module: Module) -> Module:
    """An independent copy of `module` in the same context, source locations kept."""
    with module.context:
        return Module.parse(module.operation.get_asm(enable_debug_info=True))


def number_statements(module: Module) -> None:
    """Give every statement op (store, call, copy) a `stmt_id` (program order) so steps can
    match statements."""
    counter = [0]
    with module.context:
        i64 = IntegerType.get_signless(64)

        def visit(op: Any) -> WalkResult:
            if op.name in EFFECTS:
                op.attributes["stmt_id"] = IntegerAttr.get(i64, counter[0])
                counter[0] += 1
            return WalkResult.ADVANCE

        module.operation.walk(visit)


class Schedule:
    """A kernel under customization. The original module is never mutated."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        number_statements(kernel.module)
        self.original: Module = kernel.module
        self.module: Module = clone_module(kernel.module)
        self.steps: list[Step] = []
        self.ctx = Context({name: [a.name for a in sig.args]
                            for name, sig in kernel.functions.items()})

    @property
    def sig(self):  # noqa: ANN201 - Signature
        return self.kernel.sig

    def __str__(self) -> str:
        return str(self.module)

    # ---- loops ------------------------------------------------------------------------
    def get_loops(self) -> list[LoopRef]:
        """Every named loop of the current design, qualified as `kernel:name`."""
        return list_loops(self.module)

    def loop(self, axis: str) -> LoopRef:
        """The loop `axis` (`"i"` or `"kernel:i"`) names; ambiguity is an error."""
        return find_loop(self.module, axis)

    # ---- applying primitives ----------------------------------------------------------
    def apply(self, prim: Primitive) -> Step:
        """Apply `prim` if its checks hold; otherwise raise and change nothing."""
        with self.module.context:
            new = clone_module(self.module)
            prim.apply(new, self.ctx)
            try:
                new.operation.verify()
            except MLIRError as e:
                raise ScheduleError(f"{prim.label()} refused: the rewrite does not give valid "
                                    f"IR ({str(e).splitlines()[0]})") from None
            records: list[CheckRecord] = []
            for check in prim.checks(self.module, new, self.ctx):
                result, cost = run_check(check)
                ob = check.obligation
                records.append(CheckRecord(ob.name, ob.statement, ob.location, result, cost))
                if isinstance(result, Refuted):
                    cex = result.counterexample
                    raise ScheduleError(
                        f"{prim.label()} refused: it is false that {ob.statement}\n"
                        f"  obligation: {ob.name}\n  at {ob.location}\n"
                        f"  counterexample: {cex.note if cex else '-'}",
                        cex)
        step = Step(prim, records, describe_loops(self.module), describe_loops(new))
        self.module = new
        self.steps.append(step)
        return step

    def split(self, axis: Axis, factor: int) -> tuple[str, str]:
        """Strip-mine `axis` by `factor`; returns the names `axis.outer`, `axis.inner`."""
        axis = axis_name(axis)
        name = self.loop(axis).name
        self.apply(Split(axis, int_arg(factor)))
        return split_names(name)

    def reorder(self, *axes: Axis) -> None:
        """Permute the named loops of one perfectly nested band into the given order."""
        self.apply(Reorder(tuple(axis_name(a) for a in axes)))

    def tile(self, axes: tuple[Axis, ...] | list[Axis], factors: tuple[int, ...] | list[int]
             ) -> list[str]:
        """Split each of `axes` by its factor, then move all outer loops outside all inner
        ones; logged as its parts. Returns the new loop names, outer ones first."""
        if len(axes) != len(factors):
            raise ScheduleUsageError(f"tile: {len(axes)} loops but {len(factors)} factors")
        saved = (self.module, list(self.steps))
        try:
            pairs = [self.split(a, f) for a, f in zip(axes, factors, strict=True)]
            order = [o for o, _ in pairs] + [i for _, i in pairs]
            self.reorder(*order)
        except ScheduleError:
            self.module, self.steps = saved
            raise
        return order

    def fuse(self, *axes: Axis) -> str:
        """Coalesce perfectly nested loops (outermost first) into one; returns its name."""
        axes = tuple(axis_name(a) for a in axes)
        refs = [self.loop(a) for a in axes]
        name = fused_name(self.module, refs[0].kernel, [r.name for r in refs])
        self.apply(Fuse(tuple(axes)))
        return name

    def unroll(self, axis: Axis, factor: int = 0) -> None:
        """Ask HLS to unroll `axis` by `factor` (0: fully)."""
        self.apply(Unroll(axis_name(axis), int_arg(factor)))

    def pipeline(self, axis: Axis, initiation_interval: int = 1) -> None:
        """Ask HLS to pipeline `axis` with the given initiation interval."""
        self.apply(Pipeline(axis_name(axis), int_arg(initiation_interval)))

    def parallel(self, axis: Axis) -> None:
        """Mark `axis` parallel; refused when an iteration depends on another."""
        self.apply(Parallel(axis_name(axis)))

    def compute_at(self, producer_axis: Axis, consumer_axis: Axis) -> None:
        """Move the producer nest (down to `producer_axis`) into the consumer's loop
        `consumer_axis`; refused when a value would be read before it is produced."""
        self.apply(ComputeAt(axis_name(producer_axis), axis_name(consumer_axis)))

    # ---- outputs ----------------------------------------------------------------------
    def unknowns(self) -> list[CheckRecord]:
        return [c for s in self.steps for c in s.checks if isinstance(c.result, Unknown)]

    def log(self) -> list[dict[str, Any]]:
        """The step log as JSON-ready dicts (primitive name and arguments)."""
        return [st.to_dict() for st in self.steps]

    def verify(self, layers: tuple[str, ...] = ("L1", "L2", "L3"), trials: int = 100,
               seed: int = 0, allow_reassoc: bool = False, **budgets: Any) -> Any:
        """A `Certificate` for the current design against the original kernel: the L1
        results of every step, L2 translation validation and L3 co-simulation."""
        from allo_verify.equiv.api import verify_modules
        from allo_verify.equiv.obligation import Obligation

        l1 = [(Obligation(c.name, c.statement, lambda: None, c.location), c.result, c.cost)
              for st in self.steps for c in st.checks]
        return verify_modules(self.original, self.module, self.kernel.sig, layers,
                              obligations=l1,
                              schedule_log=[st.to_dict(detail=True) for st in self.steps],
                              trials=trials,
                              seed=seed, allow_reassoc=allow_reassoc, **budgets)

    def build(self, target: str = "llvm", mode: str | None = None,
              project: str | None = None, **options: Any) -> Any:
        """The current design as: `target="llvm"` a callable LLVM simulation;
        `target="vhls"` an `HLSModule` (Vitis HLS C++, `.csim(...)`, `.write(dir)`);
        `target="vitis_hls"` the HLSModule after writing its project folder `project` and
        running Vitis in `mode` ("csim", "csyn", "cosim", "impl"; None only writes)."""
        if target == "llvm":
            from allo_verify.codegen.llvm_runner import build_llvm

            return build_llvm(self.module, self.kernel.sig)
        if target in ("vhls", "vitis_hls"):
            from allo_verify.codegen.hls import build_project, emit_hls

            mod = emit_hls(self.module, self.kernel.sig, **options)
            if target == "vhls":
                return mod
            return build_project(mod, mode, project or f"{self.kernel.sig.name}.prj")
        raise ValueError(f"unknown target {target!r}; available: 'llvm', 'vhls', 'vitis_hls'")


def customize(fn: Any) -> Schedule:
    """Parse the kernel `fn` (and the kernels it calls) into MLIR and start a schedule."""
    return Schedule(build_kernel(fn))
