"""The stages of a dataflow region and the buffers between them (the dataflow graph).

A region is a function body or a loop body. Its stages are its top-level loop nests and
calls, in program order; a stage reads a buffer when an op inside it loads from it (or passes
it to a callee that loads from the matching parameter, or copies from it) and writes it when
an op inside it stores to it (likewise through callees and copies). A local buffer's
initialization nest (the frontend's `<buf>.init<d>` nest, which only stores one constant into
every cell of that buffer) is part of the buffer's declaration, not a stage.

Law: `region_stages` reads the IR only; the graph lists every buffer some stage touches, with
its producer stages (writers), consumer stages (readers that do not write it) and its layout
(plain memory, a `hls.partition` layout, or a `hls.stream` FIFO with its depth).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlir.ir import BlockArgument, DictAttr, IntegerAttr, StringAttr, Value, WalkResult

from allo_verify.schedule.buffers import functions, is_memref, shape_of

LOOPS = ("affine.for", "scf.for")
LOADS = ("affine.load", "memref.load")
STORES = ("affine.store", "memref.store")


@dataclass
class Stage:
    """One stage: a top-level loop nest (named by its outer loop) or call (by its callee)."""

    name: str
    op: Any
    index: int  # position among the region's stages (program order)
    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)


@dataclass
class Channel:
    """A buffer of the region and the stages on each side of it."""

    buffer: str
    producers: list[str]
    consumers: list[str]
    layout: str  # "memory", "partition(...)" or "stream(depth=D)"
    shape: tuple[int, ...] = ()


@dataclass
class DataflowGraph:
    """Stages of one region and the channels between them."""

    region: str
    stages: list[Stage]
    channels: list[Channel]

    def to_dot(self) -> str:
        """Graphviz DOT text: one box per stage, one edge per producer->consumer channel
        (dashed and labelled with the depth for streams); buffers without both sides are
        drawn as ellipses (region inputs and outputs)."""
        out = [f'digraph "{self.region}" {{', "  rankdir=LR;", "  node [shape=box];"]
        for s in self.stages:
            out.append(f'  "{s.name}";')
        for c in self.channels:
            label = f"{c.buffer} {list(c.shape)} {c.layout}"
            style = ", style=dashed" if c.layout.startswith("stream") else ""
            if c.producers and c.consumers:
                for p in c.producers:
                    for q in c.consumers:
                        out.append(f'  "{p}" -> "{q}" [label="{label}"{style}];')
            else:
                out.append(f'  "{c.buffer}" [shape=ellipse, label="{label}"];')
                for p in c.producers:
                    out.append(f'  "{p}" -> "{c.buffer}";')
                for q in c.consumers:
                    out.append(f'  "{c.buffer}" -> "{q}";')
        out.append("}")
        return "\n".join(out) + "\n"


def value_name(v: Value, arg_names: list[str]) -> str:
    """The source name of a buffer value (argument name or `buffer_name`)."""
    if isinstance(v, BlockArgument):
        n = v.arg_number
        return arg_names[n] if n < len(arg_names) else f"arg{n}"
    op = v.owner.operation
    if "buffer_name" in op.attributes:
        return StringAttr(op.attributes["buffer_name"]).value
    if op.name == "func.call":  # each call returns fresh arrays: one buffer per result
        callee = str(op.attributes["callee"]).lstrip("@")
        where = f"S{IntegerAttr(op.attributes['stmt_id']).value}" \
            if "stmt_id" in op.attributes else "?"
        part = f" #{v.result_number}" if v.result_number else ""
        return f"<{callee}() of {where}{part}>"
    return f"<{op.name}>"


def _param_effects(func_op: Any) -> list[tuple[bool, bool]]:
    """Per parameter of a callee: (read, written) by any op inside it (calls included)."""
    block = func_op.regions[0].blocks[0]
    effects = [[False, False] for _ in block.arguments]
    args = list(block.arguments)

    def visit(op: Any) -> WalkResult:
        for k, a in enumerate(args):
            if op.name in LOADS and op.operands[0] == a:
                effects[k][0] = True
            if op.name in STORES and op.operands[1] == a:
                effects[k][1] = True
            if op.name in ("func.call", "memref.copy") and a in list(op.operands):
                effects[k] = [True, True]
        return WalkResult.ADVANCE

    func_op.walk(visit)
    return [(r, w) for r, w in effects]


def _effects(op: Any, funcs: dict[str, Any], names: Any) -> tuple[set[str], set[str]]:
    reads: set[str] = set()
    writes: set[str] = set()

    def visit(o: Any) -> WalkResult:
        if o.name in LOADS:
            reads.add(names(o.operands[0]))
        elif o.name in STORES:
            writes.add(names(o.operands[1]))
        elif o.name == "memref.copy":
            reads.add(names(o.operands[0]))
            writes.add(names(o.operands[1]))
        elif o.name == "func.call":
            callee = funcs.get(str(o.attributes["callee"]).lstrip("@"))
            eff = _param_effects(callee) if callee is not None else None
            for k, a in enumerate(o.operands):
                if not is_memref(a):
                    continue
                r, w = eff[k] if eff is not None and k < len(eff) else (True, True)
                if r:
                    reads.add(names(a))
                if w:
                    writes.add(names(a))
            for res in o.results:
                if is_memref(res):
                    writes.add(names(res))
        return WalkResult.ADVANCE

    op.walk(visit)
    return reads, writes


def is_init_nest(op: Any) -> str | None:
    """The buffer an initialization nest fills (`<buf>.init0` loop whose body is only loops
    and one store of a constant), else None."""
    if op.name != "affine.for" or "loop_name" not in op.attributes:
        return None
    name = StringAttr(op.attributes["loop_name"]).value
    if not name.endswith(".init0"):
        return None
    stores: list[Any] = []
    other: list[Any] = []

    def visit(o: Any) -> WalkResult:
        if o.name in STORES:
            stores.append(o)
        elif o.name not in ("affine.for", "affine.yield", "arith.constant"):
            other.append(o)
        return WalkResult.ADVANCE

    op.walk(visit)
    if len(stores) != 1 or other:
        return None
    val = stores[0].operands[0]
    if isinstance(val, BlockArgument) or val.owner.operation.name != "arith.constant":
        return None
    return name[: -len(".init0")]


def region_block(module: Any, target: str) -> tuple[str, Any, Any]:
    """(function name, region op, its body block) for a function name or a loop name."""
    funcs = functions(module)
    if target in funcs:
        f = funcs[target]
        return target, f, f.regions[0].blocks[0]
    from allo_verify.schedule.rewrite import loop_op  # a loop name (raises when unknown)

    fname, op = loop_op(module, target)
    return fname, op, op.regions[0].blocks[0]


def region_stages(module: Any, target: str, arg_names: dict[str, list[str]]
                  ) -> tuple[list[Stage], list[str], dict[str, Any]]:
    """The stages of region `target`, the ops that touch memory but are not stages (their
    descriptions), and the buffers' defining values by name."""
    fname, _, block = region_block(module, target)
    funcs = functions(module)
    names_of = arg_names.get(fname, [])
    values: dict[str, Any] = {}

    def names(v: Value) -> str:
        n = value_name(v, names_of)
        values.setdefault(n, v)
        return n

    stages: list[Stage] = []
    loose: list[str] = []
    seen: dict[str, int] = {}
    for op in block.operations:
        op = op.operation
        if op.name in LOOPS:
            if is_init_nest(op) is not None:
                continue
            base = (StringAttr(op.attributes["loop_name"]).value
                    if "loop_name" in op.attributes else f"loop{len(stages)}")
        elif op.name == "func.call":
            base = str(op.attributes["callee"]).lstrip("@")
        else:
            if op.name in (*LOADS, *STORES, "memref.copy"):
                loose.append(f"{op.name} at top level of {target}")
            continue
        seen[base] = seen.get(base, 0) + 1
        name = base if seen[base] == 1 else f"{base}#{seen[base]}"
        reads, writes = _effects(op, funcs, names)
        stages.append(Stage(name, op, len(stages), reads, writes))
    return stages, loose, values


def layout_text(v: Value) -> str:
    """plain memory, a partition layout, or a stream with its depth."""
    if isinstance(v, BlockArgument):
        return "memory"
    op = v.owner.operation
    if "hls.stream" in op.attributes:
        d = DictAttr(op.attributes["hls.stream"])
        return f"stream(depth={IntegerAttr(d['depth']).value})"
    if "hls.partition" in op.attributes:
        return f"partition({op.attributes['hls.partition']})"
    return "memory"


def dataflow_graph(module: Any, target: str, arg_names: dict[str, list[str]]
                   ) -> DataflowGraph:
    """The graph of region `target` (a function or loop name)."""
    stages, _, values = region_stages(module, target, arg_names)
    channels: list[Channel] = []
    for buf in sorted(values):
        v = values[buf]
        prod = [s.name for s in stages if buf in s.writes]
        cons = [s.name for s in stages if buf in s.reads and buf not in s.writes]
        if not isinstance(v, BlockArgument) and len(prod) + len(cons) <= 1:
            continue  # private to one stage (an accumulator): not a channel
        shape = shape_of(v)
        channels.append(Channel(buf, prod, cons, layout_text(v), shape))
    return DataflowGraph(target, stages, channels)
