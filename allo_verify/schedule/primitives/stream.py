"""to(target, dst, depth): turn a buffer between two stages into a FIFO stream.

Rewrite: the local array `target` gets `hls.stream = {depth = D : i64}` on its
`memref.alloc` (the HLS emitter declares `hls::stream<T>` and turns its one store into
`write()` and its one load into `read()`); its initialization nest (`<buf>.init*`, dead once
the producer writes every cell) is removed. The LLVM simulation still sees an array written
by the producer then read by the consumer, so L2/L3 check the same computation; only these
obligations vouch for the stream (P the producer stage's store of the buffer with domain D_P
and cell map w, C the consumer stage's load with domain D_C and cell map r, `<` the
lexicographic order of iteration vectors; all Z3 queries over symbolic vectors):

1. the IR is unchanged apart from `hls.*` attributes and the removed initialization nest;
2. write-once: w is injective on D_P; read-once: r is injective on D_C;
3. covers: every cell of the buffer is w(x) for some x in D_P (so the producer writes
   N = number of cells elements, and the removed initialization is dead);
4. same cells: every written cell is read (some y in D_C has r(y) = w(x)) and every read
   cell is written; with 2 and 3 this is a bijection: the counts match (N each);
5. same order: w(x) = r(y), w(x') = r(y') and x < x' imply y < y'. A monotone bijection
   between finite ordered sets maps the k-th to the k-th: the k-th write's cell is the k-th
   read's cell, so FIFO order delivers each cell to its read;
6. no deadlock at `depth`, in this model: if the enclosing function is a dataflow region and
   no other path of channels joins P to C, P and C overlap and the consumer's k-th read
   needs only the k-th write (5), so depth >= 1 suffices; otherwise (sequential stages, or
   another path makes C wait for P to finish) P must complete with all N elements queued:
   depth >= N. A refusal names the channel and the minimum depth.

Stages must be loop nests of one function, with one store (producer) and one load
(consumer) of the buffer; streams across sub-kernel calls are not supported yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Any, ClassVar

import z3
from mlir.ir import BlockArgument, DictAttr, IntegerAttr, IntegerType, Module, WalkResult

from allo_verify.equiv.instance_map import Check, lex_before, renamed, subst
from allo_verify.equiv.obligation import Obligation
from allo_verify.equiv.polyhedral import Statement
from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.schedule.buffers import shape_of
from allo_verify.schedule.dataflow_stages import (
    LOADS,
    STORES,
    Stage,
    is_init_nest,
    region_stages,
)
from allo_verify.schedule.primitives._annotation import stray_hls, strip_hls
from allo_verify.schedule.primitives.base import Context, Primitive, function, register
from allo_verify.schedule.primitives.dataflow import fact


def stream_depth(v: Any) -> int | None:
    """The declared depth of a stream buffer value, else None."""
    if isinstance(v, BlockArgument):
        return None
    op = v.owner.operation
    if "hls.stream" not in op.attributes:
        return None
    return IntegerAttr(DictAttr(op.attributes["hls.stream"])["depth"]).value


def min_depth(stages: list[Stage], buf: str, cells: int, overlapped: bool) -> int:
    """The smallest deadlock-free depth for stream `buf` in the model of obligation 6."""
    writers = [s for s in stages if buf in s.writes]
    readers = [s for s in stages if buf in s.reads and buf not in s.writes]
    if not overlapped or len(writers) != 1 or len(readers) != 1:
        return cells
    p, c = writers[0], readers[0]
    edges = {(a.name, b.name) for a in stages for b in stages if a.index < b.index
             for x in a.writes & (b.reads | b.writes) if x != buf}
    # another path from p to c (through any channel but this one) makes c wait for p
    reach, todo = {p.name}, [p.name]
    while todo:
        n = todo.pop()
        for a, b in edges:
            if a == n and b not in reach:
                reach.add(b)
                todo.append(b)
    return cells if c.name in reach else 1


def depth_checks(module: Module, region: str, stages: list[Stage], values: dict[str, Any],
                 step: str) -> list[Check]:
    """Obligation 6 for every stream among the region's buffers (for a lowered df.region,
    decided by running its channels' tokens: `allo_verify.df.deadlock`)."""
    if _is_df_region(module, region):
        from allo_verify.df.deadlock import df_depth_checks

        return df_depth_checks(module, region, stages, values, step)
    overlapped = _is_dataflow(module, region)
    out: list[Check] = []
    for buf, v in sorted(values.items()):
        depth = stream_depth(v)
        if depth is None:
            continue
        need = min_depth(stages, buf, prod(shape_of(v)), overlapped)
        model = "overlapped dataflow" if need == 1 else (
            "dataflow, but another path makes the consumer wait for the producer to finish"
            if overlapped else "sequential stages (no dataflow region)")
        out.append(fact(f"{step}/{buf}/depth",
                        f"stream {buf} cannot deadlock at depth {depth} ({model})",
                        depth >= need, step,
                        f"channel {buf}: depth {depth} is too shallow ({model}); the "
                        f"minimum depth is {need}"))
    return out


def _is_df_region(module: Module, region: str) -> bool:
    try:
        return "df.region" in function(module, region).attributes
    except KeyError:
        return False


def _is_dataflow(module: Module, region: str) -> bool:
    try:
        return "hls.dataflow" in function(module, region).attributes
    except KeyError:
        return False


def _access_ops(stage: Stage, value: Any, kinds: tuple[str, ...], pos: int) -> list[Any]:
    found: list[Any] = []

    def visit(o: Any) -> WalkResult:
        if o.name in kinds and o.operands[pos] == value:
            found.append(o)
        return WalkResult.ADVANCE

    stage.op.walk(visit)
    return found


@register
@dataclass(frozen=True)
class Stream(Primitive):
    target: str  # "kernel:buffer"
    dst: str  # the consumer stage
    depth: int = 2
    name = "to"
    hardware: ClassVar[bool] = True

    # ---- locating the channel ---------------------------------------------------------
    def locate(self, module: Module, ctx: Context) -> dict[str, Any]:
        """The buffer's alloc, producer and consumer stages, access ops and init nest."""
        if ":" not in self.target:
            raise ScheduleUsageError(f"to: target must be 'kernel:buffer', got {self.target!r}")
        if isinstance(self.depth, bool) or not isinstance(self.depth, int) or self.depth < 1:
            raise ScheduleUsageError(f"to: depth must be an integer >= 1, got {self.depth!r}")
        kernel, buf = self.target.split(":", 1)
        stages, _, values = region_stages(module, kernel, ctx.arg_names)
        v = values.get(buf)
        if v is None:
            raise ScheduleUsageError(f"to: no stage of {kernel} touches a buffer {buf!r}")
        if isinstance(v, BlockArgument) or v.owner.operation.name != "memref.alloc" \
                or not shape_of(v):
            raise ScheduleError(f"{self.label()} refused: {buf} is not a local array of "
                                f"{kernel} (only an intermediate array can become a stream)")
        writers = [s for s in stages if buf in s.writes]
        readers = [s for s in stages if buf in s.reads and buf not in s.writes]
        if len(writers) != 1 or len(readers) != 1:
            raise ScheduleError(
                f"{self.label()} refused: {buf} must have one producer and one consumer stage "
                f"in {kernel}, it has producers {[s.name for s in writers]} and consumers "
                f"{[s.name for s in readers]}")
        p, c = writers[0], readers[0]
        if c.name != self.dst:
            raise ScheduleUsageError(f"to: the consumer of {buf} is stage {c.name}, not "
                                     f"{self.dst!r}")
        if p.index > c.index:
            raise ScheduleError(f"{self.label()} refused: the consumer {c.name} of {buf} "
                                f"runs before its producer {p.name} (feedback)")
        for s in (p, c):
            if s.op.name != "affine.for":
                raise ScheduleError(f"{self.label()} refused: stage {s.name} is a call; streams "
                                    "between sub-kernel calls are not supported yet")
        stores = _access_ops(p, v, STORES, 1)
        loads = _access_ops(c, v, LOADS, 0)
        if len(stores) != 1 or len(loads) != 1 or stores[0].name != "affine.store" \
                or loads[0].name != "affine.load":
            raise ScheduleError(f"{self.label()} refused: the producer {p.name} must store "
                                f"into {buf} with one affine.store and the consumer {c.name} "
                                f"read it with one affine.load (found {len(stores)} and "
                                f"{len(loads)})")
        for s, acc, what in ((p, stores[0], "store into"), (c, loads[0], "load from")):
            guard = _data_guard(acc, s.op)
            if guard is not None:
                raise ScheduleError(
                    f"{self.label()} refused: stage {s.name}'s {what} {buf} runs under a "
                    f"data-dependent {guard}; a FIFO needs one push and one pop per "
                    "iteration of the affine domain, whatever the data")
        init = None
        fn = function(module, kernel)
        for op in fn.regions[0].blocks[0].operations:
            if is_init_nest(op.operation) == buf:
                init = op.operation
        for use in v.uses:
            o = use.owner
            allowed_ops = (stores[0], loads[0])
            if o.name == "memref.dealloc" or any(o == a for a in allowed_ops):
                continue
            if init is not None and _inside(o, init):
                continue
            raise ScheduleError(f"{self.label()} refused: {buf} is used outside its producer "
                                f"store and consumer load ({o.name})")
        return {"kernel": kernel, "buf": buf, "value": v, "p": p, "c": c, "store": stores[0],
                "load": loads[0], "init": init, "stages": stages, "values": values}

    def apply(self, module: Module, ctx: Context) -> None:
        loc = self.locate(module, ctx)
        if loc["init"] is not None:
            loc["init"].erase()
        attr = DictAttr.get({"depth": IntegerAttr.get(IntegerType.get_signless(64),
                                                      self.depth)})
        loc["value"].owner.operation.attributes["hls.stream"] = attr

    # ---- obligations ------------------------------------------------------------------
    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        step = self.label()
        with before.context:
            expected = Module.parse(str(before))
            loc = self.locate(expected, ctx)
            if loc["init"] is not None:
                loc["init"].erase()
            same = strip_hls(expected) == strip_hls(after)
            stray = (stray_hls(expected, after, [(loc["value"].owner, {"hls.stream"})])
                     if same else None)
        out = [fact(f"{step}/rewrite-only", f"{step} changes only hls.stream on "
                    f"{loc['buf']} and removes its initialization", same and stray is None,
                    step, stray or "the IR differs beyond hls.* attributes and the removed "
                    "initialization")]
        loc = self.locate(after, ctx)
        sp = _statement_of(after, ctx, loc["kernel"], loc["store"], True)
        sc = _statement_of(after, ctx, loc["kernel"], loc["load"], False)
        if sp is None or sc is None:
            return [*out, Check(Obligation(f"{step}/affine", "the producer and consumer "
                                           "accesses are affine", lambda: z3.BoolVal(False),
                                           step), unknown="an access of the stream is not in "
                                           "an affine statement")]
        out += order_checks(sp[0], sp[1], sc[0], sc[1], loc["buf"], shape_of(loc["value"]),
                            step)
        out += depth_checks(after, loc["kernel"], loc["stages"], loc["values"], step)
        return out


NON_AFFINE_CONTROL = ("scf.if", "scf.while", "scf.for", "scf.index_switch")


def _data_guard(access: Any, stage: Any) -> str | None:
    """The name of the first non-affine control op between `access` and its stage op, or
    None. Law: a stream access the polyhedral domain describes exactly runs once per point
    of that domain; one under scf control may be skipped or repeated depending on data."""
    cur = access.parent
    while cur is not None and cur != stage:
        if cur.name in NON_AFFINE_CONTROL:
            return cur.name
        if cur.name == "func.func":
            return None
        cur = cur.parent
    return None


def _inside(op: Any, outer: Any) -> bool:
    cur = op
    while cur is not None:
        if cur == outer:
            return True
        cur = cur.parent
        if cur is not None and cur.name == "func.func":
            return False
    return False


def _statement_of(module: Module, ctx: Context, kernel: str, access: Any, write: bool
                  ) -> tuple[Statement, tuple[z3.ArithRef, ...]] | None:
    """The statement containing `access` (the store itself, or the store in the same block
    whose value tree reads it) and the access's subscripts."""
    from allo_verify.equiv.polyhedral import extract

    sid = None
    if write:
        sid = IntegerAttr(access.attributes["stmt_id"]).value \
            if "stmt_id" in access.attributes else None
    else:  # the stores the loaded value flows into, in the load's own block
        sids: set[int] = set()
        todo, seen = [access.results[0]], 0
        while todo and seen < 10_000:
            seen += 1
            for use in todo.pop().uses:
                o = use.owner
                if o.name in STORES:
                    if "stmt_id" in o.attributes and o.parent == access.parent:
                        sids.add(IntegerAttr(o.attributes["stmt_id"]).value)
                    else:
                        return None
                else:
                    todo.extend(o.results)
        if len(sids) != 1:
            return None
        sid = sids.pop()
    if sid is None:
        return None
    for s in extract(function(module, kernel), ctx.arg_names.get(kernel, [])):
        if s.sid != sid or not s.affine:
            continue
        accs = [a for a in s.accesses if a.write == write]
        buf = _name(access, write, ctx, kernel)
        hits = [a for a in accs if a.buffer == buf and a.subscripts is not None]
        if len(hits) == 1:
            return s, hits[0].subscripts
    return None


def _name(access: Any, write: bool, ctx: Context, kernel: str) -> str:
    from allo_verify.schedule.dataflow_stages import value_name

    return value_name(access.operands[1 if write else 0], ctx.arg_names.get(kernel, []))


def order_checks(sp: Statement, w: tuple, sc: Statement, r: tuple, buf: str,
                 shape: tuple[int, ...], step: str) -> list[Check]:
    """Obligations 2-5 over symbolic iteration vectors of the producer store (sp, w) and
    the consumer load (sc, r)."""
    x, x2 = renamed(sp.loops, "w"), renamed(sp.loops, "w'")
    y, y2 = renamed(sc.loops, "r"), renamed(sc.loops, "r'")

    def dom(s: Statement, env: dict) -> z3.BoolRef:
        return subst(s.domain, env)

    def cell(subs: tuple, env: dict) -> list[z3.ArithRef]:
        return [subst(e, env) for e in subs]

    def eq(a: list, b: list) -> z3.BoolRef:
        return z3.And(*[p == q for p, q in zip(a, b, strict=True)])

    def text(m: z3.ModelRef, subs: tuple, env: dict) -> str:
        vals = [str(m.eval(e, model_completion=True)) for e in cell(subs, env)]
        return f"{buf}[{', '.join(vals)}]"

    def at(m: z3.ModelRef, s: Statement, env: dict) -> str:
        return "(" + ", ".join(f"{n}={m.eval(env[n], model_completion=True)}"
                               for n in s.loops) + ")"

    def once(s: Statement, subs: tuple, a: dict, b: dict, what: str) -> Check:
        def build() -> z3.BoolRef:
            return z3.Implies(z3.And(dom(s, a), dom(s, b), eq(cell(subs, a), cell(subs, b))),
                              z3.And(*[a[n] == b[n] for n in s.loops]))
        return Check(Obligation(f"{step}/{what}-once", f"the {what} of {buf} touches each cell "
                                "at most once", build, step),
                     lambda m: f"the {what} touches {text(m, subs, a)} twice, at "
                               f"{at(m, s, a)} and {at(m, s, b)}")

    cvars = [z3.Int(f"{buf}@{d}") for d in range(len(shape))]

    def covers() -> z3.BoolRef:
        inside = z3.And(*[z3.And(0 <= c, c < n) for c, n in zip(cvars, shape, strict=True)])
        xs = [x[n] for n in sp.loops]
        hit = z3.And(dom(sp, x), eq(cell(w, x), cvars))
        return z3.Implies(inside, z3.Exists(xs, hit) if xs else hit)

    def matched(s: Statement, subs: tuple, a: dict, t: Statement, tsubs: tuple, b: dict
                ) -> z3.BoolRef:
        bs = [b[n] for n in t.loops]
        hit = z3.And(dom(t, b), eq(cell(tsubs, b), cell(subs, a)))
        return z3.Implies(dom(s, a), z3.Exists(bs, hit) if bs else hit)

    def order_violation() -> z3.BoolRef:
        return z3.And(dom(sp, x), dom(sp, x2), dom(sc, y), dom(sc, y2),
                      eq(cell(w, x), cell(r, y)), eq(cell(w, x2), cell(r, y2)),
                      lex_before(sp, x, sp, x2), z3.Not(lex_before(sc, y, sc, y2)))

    def first_out_of_order(m: z3.ModelRef) -> str:
        opt = z3.Optimize()
        opt.set("timeout", 10_000)
        opt.add(order_violation())
        for n in sc.loops:
            opt.minimize(y2[n])
        for n in sp.loops:
            opt.minimize(x[n])
        if opt.check() == z3.sat:
            m = opt.model()
        return (f"first out-of-order cell: the consumer reads {text(m, w, x2)} at "
                f"{at(m, sc, y2)} before {text(m, w, x)} at {at(m, sc, y)}, but the producer "
                f"writes {text(m, w, x)} at {at(m, sp, x)} before {text(m, w, x2)} at "
                f"{at(m, sp, x2)}")

    return [
        once(sp, w, x, x2, "producer"),
        once(sc, r, y, y2, "consumer"),
        Check(Obligation(f"{step}/covers", f"the producer writes every cell of {buf} (the "
                         f"stream carries all {prod(shape)} cells)", covers, step),
              lambda m: f"the producer never writes {buf}[" + ", ".join(
                  str(m.eval(c, model_completion=True)) for c in cvars) + "]"),
        Check(Obligation(f"{step}/written-is-read", f"every cell of {buf} the producer writes "
                         "the consumer reads", lambda: matched(sp, w, x, sc, r, y), step),
              lambda m: f"the producer writes {text(m, w, x)} at {at(m, sp, x)}, which the "
                        "consumer never reads (counts differ)"),
        Check(Obligation(f"{step}/read-is-written", f"every cell of {buf} the consumer reads "
                         "the producer writes", lambda: matched(sc, r, y, sp, w, x), step),
              lambda m: f"the consumer reads {text(m, r, y)} at {at(m, sc, y)}, which the "
                        "producer never writes (counts differ)"),
        Check(Obligation(f"{step}/same-order", f"the producer writes the cells of {buf} in "
                         "the order the consumer reads them",
                         lambda: z3.Not(order_violation()), step),
              first_out_of_order),
    ]


def stream_rechecks(prim: Primitive, after: Module, ctx: Context) -> list[Check]:
    """Obligations 2-6 of every FIFO already in `after`, re-proved for a later step `prim`.

    Law: a step applied after `to` keeps each stream's order, once, cover and depth
    obligations, or it is refused. The other primitives' checkers read a stream as the
    array the LLVM simulation still sees, so without this a reorder of the consumer (or
    producer) nest would be proved while the FIFO delivers cells to the wrong reads."""
    if isinstance(prim, Stream):
        return []
    from mlir.ir import StringAttr

    step = prim.label()
    out: list[Check] = []
    streams: list[tuple[str, str, int]] = []

    def visit(o: Any) -> WalkResult:
        if o.name == "memref.alloc" and "hls.stream" in o.attributes \
                and "buffer_name" in o.attributes:
            fn = o.parent
            while fn is not None and fn.name != "func.func":
                fn = fn.parent
            if fn is not None:
                streams.append((StringAttr(fn.attributes["sym_name"]).value,
                                StringAttr(o.attributes["buffer_name"]).value,
                                stream_depth(o.results[0]) or 1))
        return WalkResult.ADVANCE

    after.operation.walk(visit)
    for kernel, buf, depth in streams:
        stages, _, _ = region_stages(after, kernel, ctx.arg_names)
        readers = [s.name for s in stages if buf in s.reads and buf not in s.writes]
        dst = readers[0] if len(readers) == 1 else "?"
        try:
            loc = Stream(f"{kernel}:{buf}", dst, depth).locate(after, ctx)
        except (ScheduleError, ScheduleUsageError) as e:
            out.append(fact(f"{step}/stream {buf}/shape", f"stream {buf} still has one "
                            "producer store and one consumer load after the step", False,
                            step, str(e)))
            continue
        sp = _statement_of(after, ctx, kernel, loc["store"], True)
        sc = _statement_of(after, ctx, kernel, loc["load"], False)
        if sp is None or sc is None:
            out.append(fact(f"{step}/stream {buf}/affine", f"the accesses of stream {buf} "
                            "are still affine statements", False, step,
                            "an access of the stream is not in an affine statement"))
            continue
        out += order_checks(sp[0], sp[1], sc[0], sc[1], buf, shape_of(loc["value"]), step)
        out += depth_checks(after, kernel, loc["stages"], loc["values"], step)
    return out
