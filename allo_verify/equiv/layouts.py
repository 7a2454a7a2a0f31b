"""Array partition layouts: their meaning as bank/offset maps, and their inference over calls.

A layout gives some dimensions (1-based) of an array a partition: `complete` (one bank per
index), `block` with factor F (F banks of B = ceildiv(N, F) consecutive indices) or `cyclic`
with factor F (F banks, index i in bank i mod F). Per dimension of size N:

    complete:  bank(i) = i          offset(i) = 0          decode(b, o) = b
    block:     bank(i) = i div B    offset(i) = i mod B    decode(b, o) = b*B + o
    cyclic:    bank(i) = i mod F    offset(i) = i div F    decode(b, o) = o*F + b

Law (what the partition checker proves at the instance, and `proofs/partition.py` for all
N and F): for 0 <= i < N, bank(i) is a bank and offset(i) a slot of it, no two indices share
a (bank, offset), and decode(bank(i), offset(i)) = i.

Layouts are types: a buffer passed to a function, or returned by one, shares its layout with
the parameter or result it is bound to, at every call site. `buffer_classes` is the
union-find over buffer variables of the whole module (arguments, named local arrays, call
results) that this binding induces; a layout is written on every member of a class.

IR contract (read by the HLS emitter): `hls.partition` on the `memref.alloc`/`alloca` of a
local array, and under `hls.partition` in the function's `arg_attrs` for an argument; the
value is an array of dictionaries {type: "complete"|"block"|"cyclic", dim: i64 (1-based),
factor: i64}, one per partitioned dimension, sorted by dimension.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import z3
from mlir.ir import (
    ArrayAttr,
    Attribute,
    BlockArgument,
    DictAttr,
    FlatSymbolRefAttr,
    IntegerAttr,
    IntegerType,
    Module,
    OpResult,
    StringAttr,
    Value,
    WalkResult,
)

from allo_verify.schedule.buffers import ALLOCS, functions, is_memref

ATTR = "hls.partition"


class Partition(Enum):
    """Allo's partition types (`av.Partition.Complete`, `.Block`, `.Cyclic`)."""

    Complete = "complete"
    Block = "block"
    Cyclic = "cyclic"


@dataclass(frozen=True)
class DimPart:
    """The partition of one dimension (1-based); `factor` is 0 for complete."""

    dim: int
    kind: str
    factor: int

    def __str__(self) -> str:
        f = "" if self.kind == "complete" else f" factor {self.factor}"
        return f"{self.kind}{f} on dim {self.dim}"


Layout = tuple[DimPart, ...]


class LayoutConflict(Exception):
    """Two requests partition one dimension in different ways."""

    def __init__(self, old: DimPart, new: DimPart) -> None:
        self.old, self.new = old, new
        super().__init__(f"dimension {new.dim} is already partitioned {old}; {new} conflicts")


def expand(kind: str, dim: int, factor: int, rank: int) -> Layout:
    """The per-dimension parts of one request (`dim` 0: every dimension)."""
    dims = range(1, rank + 1) if dim == 0 else [dim]
    return tuple(DimPart(d, kind, 0 if kind == "complete" else factor) for d in dims)


def merge(layout: Layout, parts: Layout) -> Layout:
    """`layout` with `parts` added. A complete partition of a dimension absorbs every later
    request on it; the same request twice is one; any other second request on a dimension
    raises `LayoutConflict`."""
    by_dim = {p.dim: p for p in layout}
    for p in parts:
        old = by_dim.get(p.dim)
        if old is None:
            by_dim[p.dim] = p
        elif old.kind == "complete" or old == p:
            continue
        else:
            raise LayoutConflict(old, p)
    return tuple(by_dim[d] for d in sorted(by_dim))


# ---- meaning: bank/offset maps -----------------------------------------------------------
@dataclass(frozen=True)
class DimMap:
    """The bank/offset map of one dimension: `banks` banks of `depth` slots each."""

    banks: int
    depth: int
    bank: Callable[[z3.ArithRef], z3.ArithRef]
    offset: Callable[[z3.ArithRef], z3.ArithRef]
    decode: Callable[[z3.ArithRef, z3.ArithRef], z3.ArithRef]


def dim_map(part: DimPart, size: int) -> DimMap:
    """The bank/offset map HLS implements for `part` on a dimension of `size` indices."""
    if part.kind == "complete":
        return DimMap(size, 1, lambda i: i, lambda i: z3.IntVal(0), lambda b, o: b)
    f = part.factor
    depth = -(-size // f)
    if part.kind == "block":
        return DimMap(f, depth, lambda i: i / depth, lambda i: i % depth,
                      lambda b, o: b * depth + o)
    if part.kind == "cyclic":
        return DimMap(f, depth, lambda i: i % f, lambda i: i / f, lambda b, o: o * f + b)
    raise ValueError(f"unknown partition type {part.kind!r}")


# ---- the IR encoding ---------------------------------------------------------------------
def to_attr(layout: Layout) -> Attribute:
    i64 = IntegerType.get_signless(64)
    return ArrayAttr.get([DictAttr.get({"type": StringAttr.get(p.kind),
                                        "dim": IntegerAttr.get(i64, p.dim),
                                        "factor": IntegerAttr.get(i64, p.factor)})
                          for p in layout])


def from_attr(attr: Attribute) -> Layout:
    out = []
    for a in ArrayAttr(attr):
        d = DictAttr(a)
        out.append(DimPart(IntegerAttr(d["dim"]).value, StringAttr(d["type"]).value,
                           IntegerAttr(d["factor"]).value))
    return tuple(sorted(out, key=lambda p: p.dim))


def _arg_dicts(func_op: Any) -> list[dict[str, Attribute]]:
    n = len(func_op.regions[0].blocks[0].arguments)
    if "arg_attrs" not in func_op.attributes:
        return [{} for _ in range(n)]
    out = []
    for a in ArrayAttr(func_op.attributes["arg_attrs"]):
        d = DictAttr(a)
        out.append({d[i].name: d[i].attr for i in range(len(d))})
    return out


def _set_arg_dicts(func_op: Any, dicts: list[dict[str, Attribute]]) -> None:
    if all(not d for d in dicts):
        if "arg_attrs" in func_op.attributes:
            del func_op.attributes["arg_attrs"]
        return
    func_op.attributes["arg_attrs"] = ArrayAttr.get([DictAttr.get(d) for d in dicts])


def read_layout(func_op: Any, v: Value) -> Layout:
    """The layout recorded for buffer value `v` of `func_op` (empty: none)."""
    if isinstance(v, BlockArgument):
        d = _arg_dicts(func_op)[v.arg_number]
        return from_attr(d[ATTR]) if ATTR in d else ()
    op = v.owner.operation
    return from_attr(op.attributes[ATTR]) if ATTR in op.attributes else ()


def write_layout(func_op: Any, v: Value, layout: Layout) -> None:
    """Record `layout` for `v` (an argument or a local array; the empty layout removes it)."""
    if isinstance(v, BlockArgument):
        dicts = _arg_dicts(func_op)
        if layout:
            dicts[v.arg_number][ATTR] = to_attr(layout)
        else:
            dicts[v.arg_number].pop(ATTR, None)
        _set_arg_dicts(func_op, dicts)
        return
    op = v.owner.operation
    if layout:
        op.attributes[ATTR] = to_attr(layout)
    elif ATTR in op.attributes:
        del op.attributes[ATTR]


def strip_layouts(module: Module) -> str:
    """The module's text without any `hls.partition` (on ops and in argument attributes)."""
    with module.context:
        copy = Module.parse(str(module))
        for f in functions(copy).values():
            _set_arg_dicts(f, [{k: a for k, a in d.items() if k != ATTR}
                               for d in _arg_dicts(f)])

            def visit(op: Any) -> WalkResult:
                if ATTR in op.attributes:
                    del op.attributes[ATTR]
                return WalkResult.ADVANCE

            f.walk(visit)
        return str(copy)


# ---- inference over the call graph -------------------------------------------------------
Node = tuple[str, str]  # (function, buffer name or "%call<n>.<k>" for a call's result)
GLOBAL = ""  # the "function" of a module-level constant array: ("", "@name")


class UnionFind:
    """Disjoint sets of buffer variables."""

    def __init__(self) -> None:
        self.parent: dict[Node, Node] = {}

    def find(self, x: Node) -> Node:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: Node, b: Node) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def members(self, x: Node) -> list[Node]:
        r = self.find(x)
        return sorted(n for n in list(self.parent) if self.find(n) == r)


@dataclass
class BufferGraph:
    """The buffer variables of a module, their values, and the classes calls bind."""

    classes: UnionFind
    values: dict[Node, tuple[Any, Value]]  # node -> (function op, value) for arrays

    def members(self, node: Node) -> list[Node]:
        return self.classes.members(node)


def value_key(func: str, v: Value, arg_names: list[str], calls: dict[Any, int]
              ) -> Node | None:
    """The buffer variable `v` is in function `func` (None: not one that carries a layout)."""
    if isinstance(v, BlockArgument):
        owner = v.owner.owner
        if owner is not None and owner.operation.name == "func.func":
            n = v.arg_number
            return func, arg_names[n] if n < len(arg_names) else f"arg{n}"
        return None
    if isinstance(v, OpResult):
        op = v.owner.operation
        if op.name in ALLOCS and "buffer_name" in op.attributes:
            return func, StringAttr(op.attributes["buffer_name"]).value
        if op.name == "func.call" and op in calls:
            return func, f"%call{calls[op]}.{v.result_number}"
        if op.name == "memref.get_global":
            return GLOBAL, "@" + FlatSymbolRefAttr(op.attributes["name"]).value
    return None


def buffer_graph(module: Module, arg_names: dict[str, list[str]]) -> BufferGraph:
    """Union-find over every buffer variable: a call's array operand is bound to the
    callee's parameter, a call's array result to the array the callee returns."""
    uf = UnionFind()
    values: dict[Node, tuple[Any, Value]] = {}
    funcs = functions(module)
    calls: dict[Any, int] = {}
    call_ops: list[tuple[str, Any]] = []
    returns: dict[str, list[Value]] = {}
    for fname, f in funcs.items():
        def visit(op: Any, fname: str = fname) -> WalkResult:
            if op.name == "func.call":
                calls[op] = len(calls)
                call_ops.append((fname, op))
            elif op.name == "func.return" and op.parent.name == "func.func":
                returns[fname] = list(op.operands)
            return WalkResult.ADVANCE

        f.walk(visit)
    for fname, f in funcs.items():
        names = arg_names.get(fname, [])
        for a in f.regions[0].blocks[0].arguments:
            if is_memref(a):
                k = value_key(fname, a, names, calls)
                if k is not None:
                    values[k] = (f, a)
                    uf.find(k)

        def visit(op: Any, fname: str = fname, f: Any = f, names: list[str] = names
                  ) -> WalkResult:
            if op.name in ALLOCS:
                k = value_key(fname, op.results[0], names, calls)
                if k is not None:
                    values.setdefault(k, (f, op.results[0]))
                    uf.find(k)
            elif op.name == "memref.get_global":  # a constant: bound, but carries no layout
                uf.find((GLOBAL, "@" + FlatSymbolRefAttr(op.attributes["name"]).value))
            return WalkResult.ADVANCE

        f.walk(visit)
    for fname, op in call_ops:
        callee = FlatSymbolRefAttr(op.attributes["callee"]).value
        if callee not in funcs:
            continue
        names, cnames = arg_names.get(fname, []), arg_names.get(callee, [])
        cargs = funcs[callee].regions[0].blocks[0].arguments
        for k, v in enumerate(op.operands):
            if is_memref(v) and k < len(cargs):
                a = value_key(fname, v, names, calls)
                b = value_key(callee, cargs[k], cnames, calls)
                if a is not None and b is not None:
                    uf.union(a, b)
        rets = returns.get(callee, [])
        for k, r in enumerate(op.results):
            if is_memref(r) and k < len(rets):
                a = value_key(fname, r, names, calls)
                b = value_key(callee, rets[k], cnames, calls)
                if a is not None and b is not None:
                    uf.union(a, b)
    return BufferGraph(uf, values)


def node_text(n: Node) -> str:
    return n[1] if n[0] == GLOBAL else f"{n[0]}:{n[1]}"
