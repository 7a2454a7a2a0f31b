"""The Schedule facade: the original kernel module, the current one, and the step log.

Every primitive runs on a copy of the current module; its checks are discharged at once.
Law: a step is applied only if its checker proves every obligation. A refuted, inapplicable
or undecided (Unknown) step raises `ScheduleError` naming the obligation and why, and leaves
the schedule exactly as it was; only a registered primitive (one with its checker) applies.
`unchecked=True` on a primitive method accepts a step whose obligations are undecided (never
a refuted one); such a step is marked unchecked in the log, the certificate and the reports,
and the verdict rule never counts it as proved by L1.

Inside `collect_refusals()` (how design files are loaded) a refused step is recorded on its
schedule instead of raised, and later steps of that schedule are skipped, so the other
designs of a file still get their verdicts.
"""

from __future__ import annotations

from typing import Any

from mlir.ir import MLIRError, Module

from allo_verify.equiv.l1 import run_checks
from allo_verify.equiv.results import Proved, Refuted, Unknown
from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.lang.kernel import Kernel, build_kernel
from allo_verify.schedule.buffers import BufferRef, find_buffer, list_buffers
from allo_verify.schedule.edits import Seal, SealedLoops
from allo_verify.schedule.interface_types import check_interface_types
from allo_verify.schedule.loops import (
    LOOPS,
    LoopRef,
    copied_from,
    describe_loops,
    find_loop,
    list_loops,
    unchanged,
)
from allo_verify.schedule.primitives import REGISTRY, Context, Primitive
from allo_verify.schedule.primitives.base import FULL_BYTECODE
from allo_verify.schedule.primitives.buffer_at import BufferAt
from allo_verify.schedule.primitives.compute_at import ComputeAt
from allo_verify.schedule.primitives.fuse import Fuse, fused_name
from allo_verify.schedule.primitives.parallel import Parallel
from allo_verify.schedule.primitives.partition import ArrayPartition, partition_kind, precheck
from allo_verify.schedule.primitives.pipeline import Pipeline
from allo_verify.schedule.primitives.reorder import Reorder
from allo_verify.schedule.primitives.reshape import Reshape
from allo_verify.schedule.primitives.reuse_at import ReuseAt
from allo_verify.schedule.primitives.split import Split, split_names
from allo_verify.schedule.primitives.unroll import Unroll
from allo_verify.schedule.refusals import (
    Axis,
    _buffer_fallback,
    _fuse_fallback,
    _split_fallback,
    _step_method,
    _tile_fallback,
    axis_name,
)
from allo_verify.schedule.sources import with_source
from allo_verify.schedule.steps import (  # noqa: F401 - public here as well
    CheckRecord,
    Step,
    clone_module,
    number_statements,
)
from allo_verify.schedule.usage import (
    int_param,
    loop_arg,
    loop_list,
    primitive_arg,
)


class Schedule:
    """A kernel under customization. The original module is never mutated."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        number_statements(kernel.module)
        self.original: Module = kernel.module
        self.module: Module = clone_module(kernel.module)
        self.steps: list[Step] = []
        self._seal = Seal.of(self.module)  # the design before any step (see `edits`)
        self.ctx = Context({name: [a.name for a in sig.args]
                            for name, sig in kernel.functions.items()})
        #: a step refused while loading a design file (see `collect_refusals`), and the steps
        #: skipped after it
        self.refusal: ScheduleError | None = None
        self.refusal_site = ""
        self.skipped: list[str] = []
        self._depth = 0
        #: print each applied step's verdict (Allo's `customize(..., verbose=True)`)
        self.verbose = False

    @property
    def sig(self):  # noqa: ANN201 - Signature
        return self.kernel.sig

    def __str__(self) -> str:
        return str(self.module)

    # ---- loops ------------------------------------------------------------------------
    def get_loops(self, target: str | None = None) -> Any:
        """Allo's view of the loops of kernel `target` (default: the top kernel), a
        `KernelLoops`: bands by name (`loops.S_i_j_0.i`, `loops["S_i_j_0"]["i"]`, another
        kernel's bands by `loops["gemm"]`), iterating as (name, band) pairs; see
        `allo_verify.schedule.loop_bands`. `all_loops()` lists every loop."""
        from allo_verify.schedule.loop_bands import kernel_loops

        name = self.kernel.name if target is None else getattr(target, "__name__", target)
        if not isinstance(name, str):
            raise ScheduleUsageError(f"get_loops: expected a kernel name, got {target!r}")
        return kernel_loops(self.original, self.module, name)

    def all_loops(self) -> list[LoopRef]:
        """Every named loop of the current design (all functions), in program order."""
        return list_loops(self.module)

    def loop(self, axis: str) -> LoopRef:
        """The loop `axis` (`"i"` or `"kernel:i"`) names; ambiguity is an error."""
        return find_loop(self.module, loop_arg(axis, "loop"))

    # ---- buffers ----------------------------------------------------------------------
    def __getattr__(self, name: str) -> BufferRef:
        """`s.A`: the buffer `A` (of the top kernel when it has one)."""
        if name.startswith("_") or "module" not in self.__dict__:
            raise AttributeError(name)
        try:
            return self.buffer(name)
        except ScheduleUsageError as e:
            raise AttributeError(str(e)) from None

    def buffer(self, target: str | BufferRef) -> BufferRef:
        """The buffer `target` names (`"A"`, `"kernel:A"` or a handle)."""
        return find_buffer(self.module, target, self.ctx.arg_names, self.kernel.name)

    def get_buffers(self) -> list[BufferRef]:
        """Every named buffer (arguments and local arrays) of every function."""
        return list_buffers(self.module, self.ctx.arg_names)

    # ---- applying primitives ----------------------------------------------------------
    def apply(self, prim: Primitive, unchecked: bool = False) -> Step:
        """Apply `prim` if it is a registered primitive and its checker proves every
        obligation; otherwise raise and change nothing. With `unchecked`, undecided
        (Unknown) obligations are accepted and the step is marked unchecked; a refuted one
        never is. The raised `ScheduleError` carries the refused `Step` as `.step`."""
        primitive_arg(prim)
        cls = REGISTRY.get(getattr(prim, "name", ""))
        if cls is None or type(prim) is not cls:
            raise ScheduleUsageError(
                f"{type(prim).__name__} is not a registered schedule primitive (registered: "
                f"{', '.join(sorted(REGISTRY))}); only a registered primitive, with its "
                "checker, can be applied")
        return self._apply(prim, unchecked)

    def _apply(self, prim: Primitive, unchecked: bool = False) -> Step:
        """`apply` without the registry gate: only for tests that show a checker refusing a
        deliberately broken rewrite (a subclass keeping the registered checks)."""
        last = self.steps[-1] if self.steps else None
        seal = last.seal if last is not None and last.seal is not None else self._seal
        edited = seal.check(self.module, prim.label())
        # the current design is the last step's `after`, unless edited in place: its loops
        # are then known
        same = last is not None and last.after is self.module and not edited
        before = last.loops_after if same else describe_loops(self.module)
        # bytecodes of the current design, computed while the last step checked it (it is
        # still that IR: `seal.check`); loop lists hold ops and are listed afresh
        carried = {k: v for k, v in last.memo.items() if k != LOOPS} if same else {}
        records: list[CheckRecord] = []
        try:
            check_interface_types(self.steps, prim, self.module, self.ctx, self.kernel.name)
            new, memo = self._checked(prim, records, unchecked, carried)
        except ScheduleError as e:
            e.step = Step(prim, records, before, [], refused=str(e))  # type: ignore[attr-defined]
            raise
        sealed = Seal.of(new, memo.get(FULL_BYTECODE))
        step = Step(prim, records, before, SealedLoops(sealed),
                    unchecked=any(not isinstance(r.result, Proved) for r in records),
                    after=new, seal=sealed, edited_before=edited, memo=memo)
        self.module = new
        self.steps.append(step)
        if self.verbose:
            state = "accepted unchecked" if step.unchecked else "proved"
            print(f"[allo_verify] {prim.label()}: {state} ({len(records)} obligations)")
        return step

    def _checked(self, prim: Primitive, records: list[CheckRecord], unchecked: bool,
                 carried: dict[Any, Any] | None = None
                 ) -> tuple[Module, dict[Any, Any]]:
        """The rewritten copy of the design and what was computed from it
        (`loops.remembered`; `carried`: the same for the current design),
        after every obligation of `prim` was discharged into `records`; raises
        `ScheduleError` for a refutation or an undecided obligation (unless `unchecked`)."""
        with self.module.context:
            new = clone_module(self.module)
            with unchanged(self.module, memos=(carried,)), copied_from(self.module):
                prim.apply(new, self.ctx)
            try:
                new.operation.verify()
            except MLIRError as e:
                raise ScheduleError(f"{prim.label()} refused: the rewrite does not give valid "
                                    f"IR ({str(e).splitlines()[0]})") from None
            from allo_verify.schedule.primitives.parallel import parallel_rechecks
            from allo_verify.schedule.primitives.stream import stream_rechecks

            memo: dict[Any, Any] = {}
            with unchanged(self.module, new, memos=(carried, memo)):  # checks only read
                checks = [*prim.checks(self.module, new, self.ctx),
                          *stream_rechecks(prim, new, self.ctx),
                          *parallel_rechecks(prim, self.module, new, self.ctx)]
            for check, result, cost in run_checks(checks):
                ob = check.obligation
                records.append(CheckRecord(ob.name, ob.statement, ob.location, result, cost))
                if isinstance(result, Refuted):
                    cex = result.counterexample
                    raise ScheduleError(
                        f"{prim.label()} refused: it is false that {ob.statement}\n"
                        f"  obligation: {ob.name}\n  at {with_source(ob.location)}\n"
                        f"  counterexample: {cex.note if cex else '-'}",
                        cex)
        if not records:
            raise ScheduleError(f"{prim.label()} refused: its checker gave no obligation, so "
                                "nothing vouches for the rewrite")
        undecided = [r for r in records if not isinstance(r.result, Proved)]
        if undecided and not unchecked:
            r = undecided[0]
            reason = getattr(r.result, "reason", r.result.status)
            more = f" ({len(undecided) - 1} more undecided)" if len(undecided) > 1 else ""
            hw = (" (a hardware annotation: an unchecked one is never proved, since only L1 "
                  "can vouch for it)" if type(prim).hardware else
                  " (the design is then proved only if L2 proves the whole kernel)")
            raise ScheduleError(
                f"{prim.label()} refused: obligation {r.name} could not be decided: "
                f"{reason}{more}\n  claim: {r.statement}\n  at {with_source(r.location)}\n"
                f"  pass unchecked=True to apply it anyway, marked unchecked{hw}")
        return new, memo

    @_step_method(_split_fallback)
    def split(self, axis: Axis, factor: int, unchecked: bool = False) -> tuple[str, str]:
        """Strip-mine `axis` by `factor`; returns the names `axis.outer`, `axis.inner`."""
        axis = axis_name(axis, "split")
        name = self.loop(axis).name
        self.apply(Split(axis, int_param(factor, "split", "factor", 1, 1 << 40)), unchecked)
        return split_names(name)

    @_step_method()
    def reorder(self, *axes: Axis, unchecked: bool = False) -> None:
        """Permute the named loops of one perfectly nested band into the given order."""
        self.apply(Reorder(tuple(axis_name(a, "reorder") for a in axes)), unchecked)

    @_step_method(_tile_fallback)
    def tile(self, axes: tuple[Axis, ...] | list[Axis], factors: tuple[int, ...] | list[int],
             unchecked: bool = False) -> list[str]:
        """Split each of `axes` by its factor, then move all outer loops outside all inner
        ones; logged as its parts. Returns the new loop names, outer ones first."""
        axes, factors = loop_list(axes, "tile"), loop_list(factors, "tile")
        for a, f in zip(axes, factors, strict=False):
            axis_name(a, "tile")
            int_param(f, "tile", "each factor", 1)
        if len(axes) != len(factors):
            raise ScheduleUsageError(f"tile: {len(axes)} loops but {len(factors)} factors")
        saved = (self.module, list(self.steps))
        try:
            pairs = [self.split(a, f, unchecked) for a, f in zip(axes, factors, strict=True)]
            order = [o for o, _ in pairs] + [i for _, i in pairs]
            self.reorder(*order, unchecked=unchecked)
        except ScheduleError:
            self.module, self.steps = saved
            raise
        return order

    @_step_method(_fuse_fallback)
    def fuse(self, *axes: Axis, unchecked: bool = False) -> str:
        """Coalesce perfectly nested loops (outermost first) into one; returns its name."""
        axes = tuple(axis_name(a, "fuse") for a in axes)
        refs = [self.loop(a) for a in axes]
        name = fused_name(self.module, refs[0].kernel, [r.name for r in refs])
        self.apply(Fuse(tuple(axes)), unchecked)
        return name

    @_step_method()
    def unroll(self, axis: Axis, factor: int = 0, unchecked: bool = False) -> None:
        """Ask HLS to unroll `axis` by `factor` (0: fully)."""
        self.apply(Unroll(axis_name(axis, "unroll"), int_param(factor, "unroll", "factor", 0)),
                   unchecked)

    @_step_method()
    def pipeline(self, axis: Axis, initiation_interval: int = 1, unchecked: bool = False
                 ) -> None:
        """Ask HLS to pipeline `axis` with the given initiation interval."""
        ii = int_param(initiation_interval, "pipeline", "initiation_interval", 1)
        self.apply(Pipeline(axis_name(axis, "pipeline"), ii), unchecked)

    @_step_method()
    def parallel(self, axis: Axis, unchecked: bool = False) -> None:
        """Mark `axis` parallel; refused when an iteration depends on another."""
        self.apply(Parallel(axis_name(axis, "parallel")), unchecked)

    @_step_method()
    def unfold(self, band: Any, axes: Any, unchecked: bool = False) -> None:
        """Allo's unfold: the loops at positions `axes` (consecutive, 0 = the band's
        outermost) of band `band` (a name from `get_loops()`, `"kernel:band"`, or the band)
        become one instance (PE) per iteration; refused unless the instances are
        independent (see `primitives/unfold.py`)."""
        from allo_verify.schedule.loop_bands import band_loops
        from allo_verify.schedule.primitives.unfold import Unfold

        loops = band_loops(self, band, axes, "unfold")
        self.apply(Unfold(tuple(r.qualified for r in loops)), unchecked)

    @_step_method()
    def compute_at(self, producer_axis: Axis, consumer_axis: Axis, unchecked: bool = False
                   ) -> None:
        """Move the producer nest (down to `producer_axis`) into the consumer's loop
        `consumer_axis`; refused when a value would be read before it is produced."""
        self.apply(ComputeAt(axis_name(producer_axis, "compute_at"),
                             axis_name(consumer_axis, "compute_at")), unchecked)

    @_step_method()
    def partition(self, target: str | BufferRef, partition_type: Any = "complete",
                  dim: int = 0, factor: int = 0, unchecked: bool = False) -> None:
        """Split buffer `target` into banks along `dim` (1-based; 0: every dimension):
        `av.Partition.Complete`, `.Block` or `.Cyclic` with `factor` banks. The layout is
        shared by every buffer bound to `target` through calls; a dimension partitioned twice
        in conflicting ways is an error naming both steps."""
        ref = self.buffer(target)
        prim = ArrayPartition(ref.qualified, partition_kind(partition_type),
                              int_param(dim, "partition", "dim", 0),
                              int_param(factor, "partition", "factor", 0))
        earlier = [(f"step {k + 1} ({st.primitive.label()})", st.primitive)
                   for k, st in enumerate(self.steps) if isinstance(st.primitive, ArrayPartition)]
        precheck(earlier, prim, self.module, self.ctx)
        self._apply_memory(prim, unchecked)

    @_step_method(_buffer_fallback("buf"))
    def buffer_at(self, target: str | BufferRef, axis: Axis, unchecked: bool = False
                  ) -> BufferRef:
        """A local copy of the slice of `target` one iteration of `axis` uses: loaded at the
        start of each iteration, written back at its end (when written); the loop body uses
        the copy. Returns the new buffer's handle."""
        ref = self.buffer(target)
        before = self._apply_memory(BufferAt(ref.qualified, axis_name(axis)), unchecked)
        return self._new_buffer(before, ref.kernel)

    @_step_method(_buffer_fallback("reuse"))
    def reuse_at(self, target: str | BufferRef, axis: Axis, unchecked: bool = False
                 ) -> BufferRef:
        """A reuse buffer for the stencil reads of `target` in `axis`: a line buffer (or a
        window buffer, when `target` is itself a reuse buffer) refilled by one shift and one
        new row per iteration. Returns the new buffer's handle (chainable)."""
        ref = self.buffer(target)
        before = self._apply_memory(ReuseAt(ref.qualified, axis_name(axis)), unchecked)
        return self._new_buffer(before, ref.kernel)

    @_step_method()
    def reshape(self, target: str | BufferRef, shape: tuple[int, ...] | list[int],
                unchecked: bool = False) -> None:
        """Give the local array `target` the shape `shape` (same cells, row-major order)."""
        ref = self.buffer(target)
        dims = tuple(int_param(n, "reshape", "each dimension", 1)
                     for n in loop_list(shape, "reshape"))
        self._apply_memory(Reshape(ref.qualified, dims), unchecked)

    @_step_method()
    def dataflow(self, target: Any, feedback: tuple[str, ...] | list[str] = (),
                 unchecked: bool = False, disjoint: tuple[str, ...] | list[str] = ()) -> None:
        """Run the stages (top-level loop nests and calls) of function or loop `target`
        concurrently (`#pragma HLS dataflow`); refused when a buffer has two producers or two
        consumers, or feeds back to an earlier stage (unless listed in `feedback`); the
        arguments in `disjoint` may have several producers writing disjoint cells."""
        from allo_verify.schedule.primitives.dataflow import Dataflow

        name = target if isinstance(target, str) else getattr(target, "__name__", None) \
            or axis_name(target, "dataflow")
        self.apply(Dataflow(name, tuple(loop_list(feedback, "dataflow")),
                            tuple(loop_list(disjoint, "dataflow"))), unchecked)

    @_step_method()
    def to(self, target: str | BufferRef, dst: Any, depth: int = 2,
           unchecked: bool = False) -> None:
        """Make the intermediate array `target` a FIFO stream of `depth` elements from its
        producer stage to its consumer stage `dst`; refused unless the producer writes the
        cells in the order the consumer reads them, each once, and `depth` cannot block."""
        from allo_verify.schedule.primitives.stream import Stream

        ref = self.buffer(target)
        dst_name = dst if isinstance(dst, str) else axis_name(dst, "to")
        self.apply(Stream(ref.qualified, dst_name, int_param(depth, "to", "depth", 1)),
                   unchecked)

    def dataflow_graph(self, target: Any = None) -> Any:
        """The stages of function or loop `target` (default: the top kernel) and the buffers
        or streams between them, with their layouts; `.to_dot()` renders Graphviz DOT."""
        from allo_verify.schedule.dataflow_stages import dataflow_graph

        name = self.kernel.name if target is None else (
            target if isinstance(target, str) else axis_name(target, "dataflow_graph"))
        with self.module.context:
            return dataflow_graph(self.module, name, self.ctx.arg_names)

    def _new_buffer(self, before: Module, kernel: str) -> BufferRef:
        """The buffer the last step added to `kernel` (the one not in `before`)."""
        seen = {b.qualified for b in list_buffers(before, self.ctx.arg_names)}
        new = [b for b in self.get_buffers() if b.qualified not in seen and b.kernel == kernel]
        return new[0]

    def _apply_memory(self, prim: Primitive, unchecked: bool) -> Module:
        """`apply`; returns the module as it was before the step."""
        before = self.module
        self.apply(prim, unchecked)
        return before

    @_step_method()
    def compose(self, sub: Schedule, id: str | None = None, instantiate: Any = None) -> None:
        """Replay `sub`'s steps onto its kernel's instance in this design (the instance named
        `id`, or at template arguments `instantiate`), each re-checked here and filed under
        the instance; a step that no longer applies refuses the whole compose."""
        from allo_verify.schedule.compose import compose

        compose(self, sub, id, instantiate)

    # ---- saved schedules ----------------------------------------------------------------
    def save(self, path: Any) -> None:
        """Write the step log as JSON (format version, kernel, original and final IR hashes);
        `Schedule.load` replays it. See `allo_verify.schedule.saved`."""
        from allo_verify.schedule.saved import save

        save(self, path)

    @classmethod
    def load(cls, path: Any, kernel: Any, instantiate: Any = None) -> Schedule:
        """A fresh schedule of `kernel` with the saved log at `path` replayed, every step
        re-proved; refuses a malformed, foreign or edited log (`ScheduleUsageError`)."""
        from allo_verify.schedule.saved import load

        return load(path, kernel, instantiate)

    # ---- outputs ----------------------------------------------------------------------
    def unknowns(self) -> list[CheckRecord]:
        return [c for s in self.steps for c in s.checks if isinstance(c.result, Unknown)]

    def log(self) -> list[dict[str, Any]]:
        """The step log as JSON-ready dicts (primitive name and arguments)."""
        return [st.to_dict() for st in self.steps]

    def verify(self, layers: tuple[str, ...] = ("L1", "L2", "L3"), trials: int = 100,
               seed: int = 0, allow_reassoc: bool = False, tolerance: float | None = None,
               csim: bool = False, **budgets: Any) -> Any:
        """A `Certificate` for the current design against the original kernel (see
        `allo_verify.schedule.certify.certify`): the L1 results of every step, L2
        translation validation and L3 co-simulation; with `csim`, the C simulation of the
        final design's emitted HLS C++ on the L3 inputs."""
        from allo_verify.schedule.certify import certify

        return certify(self, layers, trials, seed, allow_reassoc, tolerance, csim, **budgets)

    def estimate(self) -> Any:
        """The latency estimate (`DesignEstimate`: cycles and II per loop and for the
        kernel) of the current design: an estimate from the schedule and the operator table
        of `allo_verify.estimate`, not a synthesis result."""
        from allo_verify.estimate import estimate

        return estimate(self.module, self.kernel.name, arg_names=self.ctx.arg_names)

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
        raise ScheduleUsageError(f"unknown target {target!r}; available: 'llvm', 'vhls', "
                                 "'vitis_hls'")


def customize(fn: Any, instantiate: Any = None, verbose: bool = False) -> Schedule:
    """Parse the kernel `fn` (and the kernels it calls) into MLIR and start a schedule; a
    kernel template is instantiated at `instantiate` (its arguments, in parameter order).
    The loop keywords in the source (`grid(..., pipeline=True)`) are its first steps. With
    `verbose`, every applied step prints its verdict."""
    from allo_verify.lang.templates import kernel_entry
    from allo_verify.schedule.loop_keywords import apply_loop_keywords

    if not isinstance(verbose, bool):
        raise ScheduleUsageError(f"customize: verbose must be True or False, got {verbose!r}")
    s = Schedule(build_kernel(kernel_entry(fn, instantiate)))
    s.verbose = verbose
    apply_loop_keywords(s)
    return s
