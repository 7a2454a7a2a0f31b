"""Symbolic execution of an MLIR `func.func` over the term graph.

Control on indices runs concretely (loop bounds, affine maps, affine.if, subscripts are
Python ints, affine maps with floor semantics); data stays symbolic (term ids in a shared
`TermStore`); memory is one `Buffer` per memref (a list cell -> term id, row-major).
An `index` value that comes from data (an index argument, a cell of an index array, a cast
of a data value) is a `SymIdx`: a 64-bit integer term, since LLVM computes on index values
as i64. Data arithmetic on it builds i64 terms; using it as a loop bound, an affine operand
or a subscript raises `DataDependent`.
`func.call` is inlined. `scf.if` on a data condition runs both branches and merges results
and written cells into `select` terms. A data-dependent loop (`scf.while` condition),
bound, or subscript raises `DataDependent` with its reason; executing more than `budget`
ops raises `TooLarge`; an op without semantics raises `Unsupported` naming it.

Law: for every input, the concrete values of the output terms (see `TermStore.evaluate`) are
what the function computes on that input (modulo the total semantics in `concrete`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from math import prod
from typing import Any

import mlir.ir as ir
import numpy as np

from allo_verify.equiv.concrete import py_float_bits, width
from allo_verify.equiv.terms import TermStore

Env = list[Any]
Step = Callable[[Env], None]


class SymexecError(Exception):
    """Base: the function could not be executed symbolically; `str(e)` is the reason."""


class DataDependent(SymexecError):
    """Control flow or a subscript depends on data values."""


class TooLarge(SymexecError):
    """More than the work budget of ops would run."""


class Unsupported(SymexecError):
    """An op (or form of an op) without a symbolic meaning here."""


class OutOfBounds(SymexecError):
    """A subscript outside its memref's shape; `buffer` and `index` name the access."""

    def __init__(self, buffer: str, index: tuple[int, ...], shape: tuple[int, ...]) -> None:
        self.buffer, self.index, self.shape = buffer, index, shape
        super().__init__(f"access {buffer}[{', '.join(map(str, index))}] outside shape {shape}")


INDEX_TERM = "i64"  # the term type of index data: LLVM's index is a 64-bit integer
_M64 = (1 << 64) - 1


def term_type(t: str) -> str:
    """The term type of values of MLIR scalar type `t` (index data are i64 terms)."""
    return INDEX_TERM if t == "index" else t


class SymIdx:
    """An index value computed from data: `tid` is its i64 term. Python arithmetic,
    comparisons and use as a subscript are refused (`DataDependent`)."""

    __slots__ = ("tid",)

    def __init__(self, tid: int) -> None:
        self.tid = tid

    def _refuse(self, *_: Any) -> Any:
        raise DataDependent("an index (bound or subscript) depends on data values")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __neg__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = __index__ = __int__ = __bool__ = _refuse


def idx_term(store: TermStore, v: Any) -> int:
    """The i64 term of an index value (a Python int or a SymIdx)."""
    return v.tid if isinstance(v, SymIdx) else store.const(int(v) & _M64, INDEX_TERM)


def idx_value(store: TermStore, tid: int) -> Any:
    """The index value of an i64 term: a Python int when it is a constant, else a SymIdx."""
    cv = store.cval[tid]
    return SymIdx(tid) if cv is None else (cv - (1 << 64) if cv >> 63 else cv)


def dense_bits(attr: ir.Attribute, elem: str, n: int) -> list[int]:
    """The `n` element values of a dense constant as bit patterns of `elem` (floats: IEEE
    bits; ints and index: two's complement at their width). Floats are read through NumPy
    (exact); integers from the attribute's text (decimal, `true`/`false`, or the hex blob
    MLIR prints for large constants: one little-endian cell of ceil(w/8) bytes each),
    since NumPy cannot hold odd or wide integer types."""
    if elem.startswith("f") or elem == "bf16":
        vals = [py_float_bits(float(x), elem) for x in np.array(attr).reshape(-1)]
    else:
        w = width(term_type(elem))
        text = str(attr)
        body = text[text.index("<") + 1:text.rindex(" : ")].rstrip()[:-1].strip()
        if body.startswith('"0x'):
            blob = bytes.fromhex(body[3:-1])
            if w == 1:  # bit-packed: NumPy reads i1 attributes exactly
                vals = [int(x) for x in np.array(attr).reshape(-1)]
            else:
                size = -(-w // 8)
                vals = [int.from_bytes(blob[k:k + size], "little") & ((1 << w) - 1)
                        for k in range(0, len(blob), size)]
        else:
            toks = body.replace("[", " ").replace("]", " ").replace(",", " ").split()
            vals = [int(t == "true") if t in ("true", "false") else int(t, 0) & ((1 << w) - 1)
                    for t in toks]
    if len(vals) == 1 and n != 1:
        vals = vals * n
    if len(vals) != n:
        raise Unsupported(f"dense constant with {len(vals)} values for {n} cells")
    return vals


@dataclass
class Buffer:
    """A memref's cells (term ids, row-major), its shape, element type and whether written."""

    name: str
    shape: tuple[int, ...]
    elem: str
    cells: list[int]
    written: bool = False

    @property
    def strides(self) -> tuple[int, ...]:
        return tuple(prod(self.shape[k + 1:]) for k in range(len(self.shape)))

    def unflatten(self, flat: int) -> tuple[int, ...]:
        """The subscript of row-major offset `flat`."""
        out = []
        for d in reversed(self.shape):
            flat, r = divmod(flat, d)
            out.append(r)
        return tuple(reversed(out))


@dataclass
class Run:
    """What one execution produced: results (terms/Buffers/ints) and the final argument values
    (Buffers for memrefs: inspect `.written`), plus the op count."""

    results: list[Any]
    args: list[Any]
    work: int
    notes: list[str] = field(default_factory=list)


def memref_shape(t: ir.Type) -> tuple[tuple[int, ...], str]:
    mt = ir.MemRefType(t)
    return tuple(int(d) for d in mt.shape), str(mt.element_type)


def _affine_src(e: Any, dims: list[str], syms: list[str]) -> str:
    """Python source of an affine expression (floor division and floor modulo)."""
    k = type(e).__name__
    if k == "AffineDimExpr":
        return dims[e.position]
    if k == "AffineSymbolExpr":
        return syms[e.position]
    if k == "AffineConstantExpr":
        return str(e.value)
    lhs, rhs = _affine_src(e.lhs, dims, syms), _affine_src(e.rhs, dims, syms)
    if k == "AffineAddExpr":
        return f"({lhs} + {rhs})"
    if k == "AffineMulExpr":
        return f"({lhs} * {rhs})"
    if k == "AffineModExpr":
        return f"({lhs} % {rhs})"
    if k == "AffineFloorDivExpr":
        return f"({lhs} // {rhs})"
    if k == "AffineCeilDivExpr":
        return f"(-((-{lhs}) // {rhs}))"
    raise Unsupported(f"affine expression kind {k}")


def map_srcs(amap: ir.AffineMap, operand_srcs: list[str]) -> list[str]:
    """Python source for each result of `amap` applied to operands (dims then symbols)."""
    nd = amap.n_dims
    return [_affine_src(r, operand_srcs[:nd], operand_srcs[nd:]) for r in amap.results]


def set_constraints(attr: ir.Attribute) -> tuple[ir.AffineMap, list[bool]]:
    """An integer set `affine_set<(d)[s] : (e >= 0, f == 0)>` as a map of its constraint
    expressions plus which are equalities (parsed from the attribute text)."""
    text = str(attr)
    inner = text[len("affine_set<"):-1]
    head, _, body = inner.partition(" : ")
    body = body.strip()[1:-1]
    parts, depth, cur = [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    parts.append(cur)
    exprs, eqs = [], []
    for p in parts:
        p = p.strip()
        if p.endswith("== 0"):
            exprs.append(p[:-4].strip())
            eqs.append(True)
        else:
            exprs.append(p[:-4].strip())
            eqs.append(False)
    amap = ir.AffineMapAttr(ir.Attribute.parse(f"affine_map<{head} -> ({', '.join(exprs)})>"))
    return amap.value, eqs


DEFAULT_MAX_TERMS = 8_000_000  # about 2 GB: a term costs ~260 bytes (measured, GEMM)
INEXACT_SLACK = 2  # an inexact static estimate must exceed the budget this many times over


class Executor:
    """Compiles functions of one module into Python closures and runs them on terms."""

    def __init__(self, module: ir.Module, store: TermStore, budget: int = 5_000_000,
                 max_terms: int | None = None) -> None:
        self.store = store
        self.budget = budget
        self.max_terms = DEFAULT_MAX_TERMS if max_terms is None else max_terms
        self.work = 0
        self.journal: list[list[tuple[Buffer, int, int]]] = []
        self.funcs: dict[str, Any] = {}
        self.globals: dict[str, Any] = {}
        for op in module.body.operations:
            o = op.operation
            if o.name == "func.func":
                self.funcs[ir.StringAttr(o.attributes["sym_name"]).value] = o
            elif o.name == "memref.global":
                self.globals[ir.StringAttr(o.attributes["sym_name"]).value] = o
        self.compiled: dict[str, tuple[list[Step], list[int], list[int], int]] = {}
        self.global_bufs: dict[str, Buffer] = {}
        self.slots: dict[Any, int] = {}

    # ----- compilation -------------------------------------------------------------------
    def slot(self, v: ir.Value) -> int:
        s = self.slots.get(v)
        if s is None:
            s = len(self.slots)
            self.slots[v] = s
        return s

    def compile_func(self, name: str) -> tuple[list[Step], list[int], list[int], int]:
        """(steps, argument slots, result slots, number of slots) of function `name`."""
        if name in self.compiled:
            return self.compiled[name]
        if name not in self.funcs:
            raise Unsupported(f"call to unknown function @{name}")
        saved, self.slots = self.slots, {}
        block = self.funcs[name].regions[0].blocks[0]
        arg_slots = [self.slot(a) for a in block.arguments]
        steps, res = self.compile_block(block)
        out = (steps, arg_slots, res, len(self.slots))
        self.slots = saved
        self.compiled[name] = out
        return out

    def compile_block(self, block: ir.Block) -> tuple[list[Step], list[int]]:
        """Steps of a block's ops; the terminator's operand slots are the block's results."""
        from allo_verify.equiv.symexec_ops import compile_op

        steps: list[Step] = []
        res: list[int] = []
        for op in block.operations:
            o = op.operation
            if o.name in ("affine.yield", "scf.yield", "func.return", "scf.condition"):
                res = [self.slot(v) for v in o.operands]
                continue
            steps.append(compile_op(self, o))
        return steps, res

    def run_block(self, steps: list[Step], env: Env) -> None:
        self.work += len(steps)
        if self.work > self.budget:
            raise TooLarge(f"more than {self.budget} ops executed")
        self.check_terms()
        for s in steps:
            s(env)

    def check_terms(self) -> None:
        """Raise `TooLarge` once the term store holds more than `max_terms` terms."""
        if len(self.store.op) > self.max_terms:
            raise TooLarge(f"more than {self.max_terms} terms (the memory budget)")

    @staticmethod
    def unflat(shape: tuple[int, ...], k: int) -> tuple[int, ...]:
        return tuple(int(x) for x in np.unravel_index(k, shape)) if shape else ()

    # ----- running -----------------------------------------------------------------------
    def call(self, name: str, args: list[Any]) -> list[Any]:
        steps, arg_slots, res, n = self.compile_func(name)
        env: Env = [None] * n
        for s, a in zip(arg_slots, args, strict=False):
            env[s] = a
        self.run_block(steps, env)
        return [env[s] for s in res]

    def global_buffer(self, name: str) -> Buffer:
        """The constant buffer of `memref.global @name` (its initial value as constants)."""
        if name in self.global_bufs:
            return self.global_bufs[name]
        g = self.globals.get(name)
        if g is None:
            raise Unsupported(f"unknown memref.global @{name}")
        shape, mlir_elem = memref_shape(ir.TypeAttr(g.attributes["type"]).value)
        elem = term_type(mlir_elem)
        init = g.attributes["initial_value"] if "initial_value" in g.attributes else None
        n = prod(shape)
        if init is None or str(init) == "unit":
            cells = [self.store.leaf(f"@{name}", self.unflat(shape, k), elem) for k in range(n)]
        else:
            cells = [self.store.const(b, elem) for b in dense_bits(init, mlir_elem, n)]
        buf = Buffer(f"@{name}", shape, elem, cells)
        self.global_bufs[name] = buf
        return buf


def symbolic_args(store: TermStore, func: Any, names: list[str]) -> list[Any]:
    """Fresh symbolic inputs for the arguments of `func`: Buffers of leaves for memrefs,
    leaves for scalars (index scalars are SymIdx of i64 leaves; index arrays hold i64 leaves)."""
    out: list[Any] = []
    for name, a in zip(names, func.regions[0].blocks[0].arguments, strict=False):
        t = a.type
        if isinstance(t, ir.MemRefType) or str(t).startswith("memref<"):
            shape, elem = memref_shape(t)
            elem = term_type(elem)
            cells = [store.leaf(name, Executor.unflat(shape, k), elem)
                     for k in range(prod(shape))]
            out.append(Buffer(name, shape, elem, cells))
        elif str(t) == "index":
            out.append(SymIdx(store.leaf(name, (), INDEX_TERM)))
        else:
            out.append(store.leaf(name, (), str(t)))
    return out


def execute(module: ir.Module, store: TermStore, func_name: str, names: list[str] | None = None,
            budget: int = 5_000_000, narrow: bool = True,
            max_terms: int | None = None) -> Run:
    """Run function `func_name` of `module` on symbolic inputs named `names` (default the
    argument positions `arg0`, ...). Raises a `SymexecError` subclass when it cannot.
    With `narrow`, a copy of the module whose `trunci(widened arithmetic)` chains compute
    at the narrow width (`narrow.narrow_module`: the same function, fewer ops) is run;
    `module` itself is not changed.

    Budgets: before anything runs, the work is estimated from trip counts
    (`work_estimate`); past `budget` (twice `budget` when the estimate is inexact) it
    raises `TooLarge` at once. While running, `budget` bounds the ops executed and
    `max_terms` (default `DEFAULT_MAX_TERMS`) the terms in `store`, which is what memory
    grows with."""
    from allo_verify.equiv.work_estimate import estimate

    est = estimate(module, func_name)
    if narrow:
        from allo_verify.equiv.narrow import narrow_module

        copy = ir.Module.parse(str(module))
        if narrow_module(copy):
            slim = estimate(copy, func_name)
            if slim.ops <= est.ops:  # narrowing a chain whose wide form stays can cost more
                module, est = copy, slim
    if est.ops > budget * (1 if est.exact else INEXACT_SLACK):
        raise TooLarge(f"estimated {est.ops} ops > budget {budget} (static estimate from "
                       f"trip counts{'' if est.exact else ', inexact'}; nothing was run)")
    ex = Executor(module, store, budget, max_terms)
    if func_name not in ex.funcs:
        raise Unsupported(f"no func.func @{func_name} in module")
    f = ex.funcs[func_name]
    nargs = len(f.regions[0].blocks[0].arguments)
    names = names if names is not None else [f"arg{k}" for k in range(nargs)]
    args = symbolic_args(store, f, names)
    results = ex.call(func_name, list(args))
    ftype = ir.FunctionType(ir.TypeAttr(f.attributes["function_type"]).value)
    for k, t in enumerate(ftype.results):
        if str(t) == "index":
            results[k] = idx_term(store, results[k])
    return Run(results, args, ex.work)


__all__ = ["execute", "Executor", "Buffer", "Run", "SymIdx", "SymexecError", "DataDependent",
           "TooLarge", "Unsupported", "OutOfBounds", "map_srcs", "set_constraints",
           "memref_shape", "symbolic_args", "term_type", "idx_term", "idx_value", "INDEX_TERM",
           "dense_bits", "DEFAULT_MAX_TERMS"]
