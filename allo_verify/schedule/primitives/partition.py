"""partition(target, partition_type, dim, factor): split an array into banks (a layout).

Rewrite: none of the computation changes; the layout is recorded on the array and on every
array bound to it through calls (`equiv.layouts.buffer_graph`), for the HLS emitter
(`#pragma HLS array_partition`):

    %A = memref.alloc() : memref<10x8xi32>   ==>   %A = memref.alloc() {hls.partition =
                                                     [{type = "block", dim = 1, factor = 4}]}

It is a hardware annotation: the LLVM simulation ignores it, so only these obligations
vouch for it (N_d the size of dimension d, bank_d/offset_d/decode_d its maps, see
`equiv.layouts`):

1. the IR is unchanged apart from `hls.partition`;
2. every buffer bound to the target through calls carries the same layout;
3. into banks: for every cell x (0 <= x_d < N_d): 0 <= bank_d(x_d) < banks_d and
   0 <= offset_d(x_d) < depth_d;
4. one-to-one: two cells x != y never share (bank_d, offset_d) in every dimension;
5. same cell: decode_d(bank_d(x_d), offset_d(x_d)) = x_d for every cell;
6. per affine access k of a bound buffer in statement S: for every instance x in D_S, the
   cell acc_k(x) it touches maps into the banks and decodes back to acc_k(x). (A subscript
   the frontend could not prove in bounds is guarded in the IR, so every access touches a
   cell of the array and 3-5 cover the non-affine ones.)

3-5 make the bank/offset map a bijection onto the original cells (banks are filled from
the front: no slot of a bank beyond its last cell is counted), 6 that every access reaches
the same cell. All are Z3 queries over symbolic cells and iteration vectors with the
instance's sizes; `proofs/partition.py` proves 3-5 for all N and F.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import z3
from mlir.ir import Module

from allo_verify.equiv.instance_map import Check
from allo_verify.equiv.layouts import (
    GLOBAL,
    DimMap,
    DimPart,
    Layout,
    LayoutConflict,
    Node,
    buffer_graph,
    dim_map,
    expand,
    merge,
    node_text,
    read_layout,
    strip_layouts,
    write_layout,
)
from allo_verify.equiv.obligation import Obligation
from allo_verify.equiv.polyhedral import Statement
from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.schedule.buffers import BufferRef, buffer_value, shape_of
from allo_verify.schedule.primitives.base import Context, Primitive, register, statements

KINDS = ("complete", "block", "cyclic")


def parse_ref(target: str) -> BufferRef:
    kernel, name = target.split(":", 1)
    return BufferRef(kernel, name)


def class_layout(graph: Any, members: list[Node]) -> Layout:
    """The layout the members of one class carry (their union; a conflict is an error)."""
    out: Layout = ()
    for n in members:
        if n not in graph.values:
            continue
        f, v = graph.values[n]
        try:
            out = merge(out, read_layout(f, v))
        except LayoutConflict as e:
            raise ScheduleError(f"partition: buffers bound to {node_text(n)} carry different "
                                f"layouts: {e}") from None
    return out


@register
@dataclass(frozen=True)
class ArrayPartition(Primitive):
    target: str  # "kernel:buffer"
    partition_type: str = "complete"
    dim: int = 0
    factor: int = 0
    name = "partition"
    hardware: ClassVar[bool] = True

    def parts(self, shape: tuple[int, ...]) -> Layout:
        """The request as per-dimension parts, after checking its arguments."""
        rank = len(shape)
        if rank == 0:
            raise ScheduleUsageError(f"partition: {self.target} is a scalar; only arrays have "
                                     "banks")
        if self.partition_type not in KINDS:
            raise ScheduleUsageError(f"partition type must be one of {', '.join(KINDS)}, got "
                                     f"{self.partition_type!r}")
        if not isinstance(self.dim, int) or isinstance(self.dim, bool) \
                or not 0 <= self.dim <= rank:
            raise ScheduleUsageError(f"partition of {self.target}: dim must be 0 (every "
                                     f"dimension) or 1..{rank}, got {self.dim!r}")
        parts = expand(self.partition_type, self.dim, self.factor, rank)
        if self.partition_type != "complete":
            for p in parts:
                size = shape[p.dim - 1]
                if not isinstance(self.factor, int) or isinstance(self.factor, bool) \
                        or not 1 <= self.factor <= size:
                    raise ScheduleUsageError(
                        f"partition of {self.target}: a {self.partition_type} factor must be "
                        f"an integer in 1..{size} (the size of dimension {p.dim}), got "
                        f"{self.factor!r}")
        return parts

    def dim_map(self, part: DimPart, size: int) -> DimMap:
        """The bank/offset map the layout means (tests override it with broken ones)."""
        return dim_map(part, size)

    def target_class(self, module: Module, ctx: Context) -> tuple[Any, list[Node]]:
        ref = parse_ref(self.target)
        buffer_value(module, ref, ctx.arg_names)  # exists
        graph = buffer_graph(module, ctx.arg_names)
        return graph, graph.members((ref.kernel, ref.name))

    def apply(self, module: Module, ctx: Context) -> None:
        ref = parse_ref(self.target)
        shape = shape_of(buffer_value(module, ref, ctx.arg_names))
        parts = self.parts(shape)
        graph, members = self.target_class(module, ctx)
        constants = [n for n in members if n[0] == GLOBAL]
        if constants:
            raise ScheduleError(f"{self.label()} refused: {self.target} is bound through calls "
                                f"to the constant array {node_text(constants[0])} (a NumPy "
                                "array from the enclosing scope), which has no layout")
        for n in members:
            if n in graph.values and shape_of(graph.values[n][1]) != shape:
                raise ScheduleError(f"partition: {node_text(n)} is bound to {self.target} "
                                    f"but has shape {shape_of(graph.values[n][1])}, not {shape}")
        current = class_layout(graph, members)
        try:
            layout = merge(current, parts)
        except LayoutConflict as e:
            raise ScheduleUsageError(f"{self.label()} refused: {self.target} {e}") from None
        for n in members:
            if n in graph.values:
                f, v = graph.values[n]
                write_layout(f, v, layout)

    # ---- obligations ----------------------------------------------------------------------
    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        step = self.label()
        same = strip_layouts(before) == strip_layouts(after)
        graph, members = self.target_class(after, ctx)
        # only the target's class may change layout: another buffer's is covered by no
        # obligation below (the cell checks are of the target's layout)
        old = buffer_graph(before, ctx.arg_names).values if same else {}
        stray = [n for n in graph.values if n not in members and n in old
                 and read_layout(*old[n]) != read_layout(*graph.values[n])]
        out = [Check(Obligation(f"{step}/layout-only",
                                f"{step} changes only hls.partition layouts, of {self.target} "
                                "and the buffers bound to it; the IR is otherwise identical",
                                lambda: z3.BoolVal(same and not stray), step),
                     lambda m: f"it also changes the layout of {node_text(stray[0])}" if stray
                     else "the IR differs beyond hls.partition")]
        ref = parse_ref(self.target)
        f, v = graph.values[(ref.kernel, ref.name)]
        layout, shape = read_layout(f, v), shape_of(v)
        others = [n for n in members if n in graph.values
                  and read_layout(*graph.values[n]) != layout]
        out.append(Check(Obligation(
            f"{step}/unified", f"every buffer bound to {self.target} through calls carries "
            "its layout", lambda: z3.BoolVal(not others), step),
            lambda m: f"{node_text(others[0])} is bound to {self.target} but has layout "
                      f"{read_layout(*graph.values[others[0]])}"))
        maps = {p.dim: self.dim_map(p, shape[p.dim - 1]) for p in layout}
        out += self.cell_checks(ref.name, shape, maps, step)
        extracted: dict[str, dict[int, Statement]] = {}
        for node in members:
            if node not in graph.values:
                continue
            if node[0] not in extracted:
                extracted[node[0]] = statements(after, node[0], ctx)
            for s in extracted[node[0]].values():
                out += self.access_checks(s, node, maps, step)
        return out

    def cell_checks(self, name: str, shape: tuple[int, ...], maps: dict[int, DimMap],
                    step: str) -> list[Check]:
        """Obligations 3-5 over a symbolic cell (two for one-to-one)."""
        x = [z3.Int(f"{name}@{d}") for d in range(len(shape))]
        y = [z3.Int(f"{name}@{d}'") for d in range(len(shape))]

        def inside(c: list) -> z3.BoolRef:
            return z3.And(*[z3.And(0 <= c[d], c[d] < shape[d]) for d in range(len(shape))])

        def in_banks() -> z3.BoolRef:
            conds = []
            for d, m in maps.items():
                b, o = m.bank(x[d - 1]), m.offset(x[d - 1])
                conds += [0 <= b, b < m.banks, 0 <= o, o < m.depth]
            return z3.Implies(inside(x), z3.And(*conds))

        def one_to_one() -> z3.BoolRef:
            same = []
            for d in range(1, len(shape) + 1):
                if d in maps:
                    m = maps[d]
                    same += [m.bank(x[d - 1]) == m.bank(y[d - 1]),
                             m.offset(x[d - 1]) == m.offset(y[d - 1])]
                else:
                    same.append(x[d - 1] == y[d - 1])
            return z3.Implies(z3.And(inside(x), inside(y), *same),
                              z3.And(*[a == b for a, b in zip(x, y, strict=True)]))

        def decodes() -> z3.BoolRef:
            eqs = [m.decode(m.bank(x[d - 1]), m.offset(x[d - 1])) == x[d - 1]
                   for d, m in maps.items()]
            return z3.Implies(inside(x), z3.And(*eqs))

        def cell(m: z3.ModelRef, c: list) -> str:
            vals = [m.eval(e, model_completion=True).as_long() for e in c]
            return f"{name}[{', '.join(map(str, vals))}]"

        def placed(m: z3.ModelRef, c: list) -> str:
            out = []
            for d, dm in maps.items():
                b = m.eval(dm.bank(c[d - 1]), model_completion=True)
                o = m.eval(dm.offset(c[d - 1]), model_completion=True)
                out.append(f"dim {d}: bank {b} of 0..{dm.banks - 1}, offset {o} of "
                           f"0..{dm.depth - 1}")
            return "; ".join(out)

        return [
            Check(Obligation(f"{step}/into-banks", f"every cell of {name} maps to a bank and "
                             "a slot within it", in_banks, step),
                  lambda m: f"cell {cell(m, x)} maps outside the banks ({placed(m, x)})"),
            Check(Obligation(f"{step}/one-to-one", f"no two cells of {name} share a bank "
                             "slot", one_to_one, step),
                  lambda m: f"cells {cell(m, x)} and {cell(m, y)} share a bank slot "
                            f"({placed(m, x)})"),
            Check(Obligation(f"{step}/same-cell", f"the bank slot of every cell of {name} "
                             "decodes back to that cell", decodes, step),
                  lambda m: f"cell {cell(m, x)} decodes to another cell ({placed(m, x)})"),
        ]

    def access_checks(self, s: Statement, node: Node, maps: dict[int, DimMap], step: str
                      ) -> list[Check]:
        """Obligation 6 for the accesses of statement `s` to buffer variable `node`."""
        out = []
        for k, a in enumerate(s.accesses):
            if a.buffer != node[1] or a.subscripts is None or s.reason or not maps:
                continue  # non-affine accesses are in bounds (frontend guards): 3-5 cover them
            subs = a.subscripts

            def build(subs: tuple = subs, s: Statement = s) -> z3.BoolRef:
                conds = []
                for d, m in maps.items():
                    i = subs[d - 1]
                    b, o = m.bank(i), m.offset(i)
                    conds += [0 <= b, b < m.banks, 0 <= o, o < m.depth, m.decode(b, o) == i]
                return z3.Implies(s.domain, z3.And(*conds))

            def explain(m: z3.ModelRef, subs: tuple = subs, s: Statement = s) -> str:
                inst = ", ".join(f"{n}={m.eval(z3.Int(n), model_completion=True)}"
                                 for n in s.loops)
                c = ", ".join(str(m.eval(e, model_completion=True)) for e in subs)
                return (f"instance S{s.sid}({inst}) touches {node_text(node)}[{c}], which "
                        "does not reach the same cell through the banks")

            out.append(Check(Obligation(
                f"{step}/{node_text(node)}/S{s.sid}/access{k}",
                f"access {k} of S{s.sid} to {node_text(node)} reaches the same cell through "
                "the banks", build, s.location or step), explain))
        return out


def precheck(steps: list[tuple[str, ArrayPartition]], new: ArrayPartition, module: Module,
             ctx: Context) -> None:
    """Layout inference over the whole log: the earlier partition steps and `new`, each
    expanded to per-dimension parts on its buffer class in `module`. A dimension of one class
    partitioned in two conflicting ways raises `ScheduleUsageError` naming both steps."""
    graph = buffer_graph(module, ctx.arg_names)
    origin: dict[tuple[Node, int], tuple[DimPart, str]] = {}
    for label, p in [*steps, ("this step", new)]:
        ref = parse_ref(p.target)
        node = (ref.kernel, ref.name)
        if node not in graph.values:
            continue
        root = graph.classes.find(node)
        for part in p.parts(shape_of(graph.values[node][1])):
            seen = origin.get((root, part.dim))
            if seen is None:
                origin[(root, part.dim)] = (part, label)
                continue
            old, where = seen
            if old.kind == "complete" or old == part:
                continue
            raise ScheduleUsageError(
                f"{new.label()} refused: it partitions dimension {part.dim} of {p.target}"
                f" as {part}, but {where} already made it {old} (buffers bound "
                f"through calls share one layout: "
                f"{', '.join(node_text(n) for n in graph.members(node) if '%' not in n[1])})")


def partition_kind(kind: Any) -> str:
    """`av.Partition.Block`, Allo's integers (0 complete, 1 block, 2 cyclic) or a name."""
    from allo_verify.equiv.layouts import Partition

    if isinstance(kind, Partition):
        return kind.value
    if isinstance(kind, int) and not isinstance(kind, bool) and 0 <= kind < len(KINDS):
        return KINDS[kind]
    if isinstance(kind, str) and kind.lower() in KINDS:
        return kind.lower()
    raise ScheduleUsageError(f"partition type must be av.Partition.Complete, .Block or "
                             f".Cyclic, got {kind!r}")
