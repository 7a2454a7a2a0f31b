"""Statement half of the frontend: one Python kernel function -> one `func.func`.

Local scalars live in rank-0 `memref.alloca`s and local arrays in zero-filled `memref.alloc`s
(each tagged with `buffer_name`, the variable it holds),
both hoisted to the function entry (so a name declared inside a loop stays valid after it,
as in Python). A scalar is zero at the function entry whenever a read could come before its
first assignment (`definite.maybe_unassigned`: a loop that runs no iteration, a branch not
taken), so every read has one defined value, as for local arrays. Loops over
`range`/`grid`/`reduction` become `affine.for` when their bounds are affine, else `scf.for`;
every loop carries a unique `loop_name` attribute.
"""

from __future__ import annotations

import ast
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from mlir.dialects import affine, arith, func, memref, scf
from mlir.ir import AffineMap, InsertionPoint, Location, MemRefType, StringAttr, Value

from allo_verify.lang.annotations import Annotated
from allo_verify.lang.assignments import AssignmentBuilder
from allo_verify.lang.declarations import DeclarationBuilder
from allo_verify.lang.definite import maybe_unassigned
from allo_verify.lang.emit_cast import cast, const, to_bool
from allo_verify.lang.expressions import ExpressionBuilder
from allo_verify.lang.kernel_calls import KernelCallBuilder
from allo_verify.lang.loops import LoopBuilder, LoopKeyword
from allo_verify.lang.meta import MetaBuilder
from allo_verify.lang.qualified import QualifiedDeclBuilder
from allo_verify.lang.structs import StructBuilder
from allo_verify.lang.subarrays import SubArrayBuilder, View
from allo_verify.lang.types import ArrayType, DType
from allo_verify.lang.values import AV, TV, Expr, mlir_type

if TYPE_CHECKING:
    from allo_verify.lang.kernel import ModuleBuilder, SourceInfo

_UNSUPPORTED = {
    ast.Break: "break", ast.Continue: "continue", ast.Try: "try",
    ast.Global: "global", ast.Nonlocal: "nonlocal", ast.Raise: "raise", ast.Delete: "del",
    ast.FunctionDef: "nested function definitions", ast.ClassDef: "class definitions",
    ast.Import: "import", ast.ImportFrom: "import", ast.Assert: "assert",
    ast.AsyncFor: "async for", ast.AsyncWith: "async with", ast.Match: "match",
}


class FunctionBuilder(DeclarationBuilder, AssignmentBuilder, KernelCallBuilder, SubArrayBuilder,
                      StructBuilder, MetaBuilder, QualifiedDeclBuilder, LoopBuilder,
                      ExpressionBuilder):
    """Builds the body of one kernel function into an existing `func.func`."""

    def __init__(self, mb: ModuleBuilder, src: SourceInfo, fdef: ast.FunctionDef,
                 namespace: dict[str, Any]) -> None:
        self.mb = mb
        self.src = src
        self.fdef = fdef
        self.namespace = namespace
        self.symbols: dict[str, Any] = {}
        self.scalar_slots: dict[str, tuple[Value, DType]] = {}
        self.dims: list[Value] = []
        self.dim_ranges: dict[int, tuple[int, int] | None] = {}
        self.dim_exact: set[int] = set()  # dimensions whose range both ends are reached
        self.loop_names: set[str] = set()
        self.loop_keywords: list[LoopKeyword] = []
        self.allocs: list[AV] = []
        self.globals_here: dict[str, AV] = {}
        self.anchor: Any = None
        self.returned = False
        self.arg_names: list[str] = [a.arg for a in fdef.args.args]
        self.func_name = fdef.name  # the func.func symbol (the module builder may rename)
        self.qualname = fdef.name  # the Python function's __qualname__ (set by the module builder)
        self.written_args: set[str] = set()
        self.constant_arrays: set[int] = set()
        self._maybe_unassigned: set[str] | None = None
        self.prev_stmt: ast.stmt | None = None  # the statement before, same block (meta)
        self._meta_taken: dict[int, bool] = {}
        self.qualifiers: dict[int, Annotated] = {}  # annotation node -> its qualifiers

    # ---- locations and errors ----------------------------------------------------------
    def error(self, node: ast.AST, msg: str) -> Exception:
        return self.src.error(node, msg)

    @contextmanager
    def location(self, node: ast.AST):
        line, col = self.src.position(node)
        with Location.file(self.src.filename, line, col + 1):
            yield

    # ---- storage -----------------------------------------------------------------------
    @contextmanager
    def at_entry(self):
        """Insert hoisted ops (allocs, globals) at the function entry, in order."""
        with InsertionPoint(self.anchor):
            yield

    def declare_scalar(self, name: str, t: DType, node: ast.AST,
                       zero: bool | None = None) -> None:
        """A slot for scalar `name`, zero-initialized at the entry when `zero`; by default
        unless every read of it runs after an assignment (`definitely_assigned`)."""
        with self.at_entry(), self.location(node):
            op = memref.AllocaOp(MemRefType.get([], mlir_type(t)), [], [])
            op.attributes["buffer_name"] = StringAttr.get(name)
            slot = op.result
            if zero if zero is not None else not self.definitely_assigned(name):
                affine.AffineStoreOp(const(t, 0).value, slot, [], AffineMap.get(0, 0, []))
        self.scalar_slots[name] = (slot, t)
        self.symbols[name] = "scalar"

    def definitely_assigned(self, name: str) -> bool:
        """True unless some read of `name` may run before any assignment of it (a loop
        that runs no iteration, a branch not taken): `definite.maybe_unassigned`."""
        if self._maybe_unassigned is None:
            self._maybe_unassigned = maybe_unassigned(self.fdef)
        return name not in self._maybe_unassigned

    def load_scalar(self, name: str) -> TV:
        slot, t = self.scalar_slots[name]
        return TV(affine.AffineLoadOp(mlir_type(t), slot, [], AffineMap.get(0, 0, [])).result, t)

    def store_scalar(self, name: str, value: Expr, node: ast.AST | None = None) -> None:
        slot, t = self.scalar_slots[name]
        v = self.coerce(value, t, node or self.fdef).value
        affine.AffineStoreOp(v, slot, [], AffineMap.get(0, 0, []))

    def declare_array(self, name: str, t: ArrayType, node: ast.AST) -> AV:
        with self.at_entry(), self.location(node):
            op = memref.AllocOp(mlir_type(t), [], [])
            op.attributes["buffer_name"] = StringAttr.get(name)
            av = AV(op.result, t)
        self.allocs.append(av)
        self.symbols[name] = av
        return av

    def note_write(self, av: AV, node: ast.AST) -> None:
        """Record a write to `av`: argument arrays written are part of the kernel's
        interface; constants from the enclosing scope cannot be written."""
        if id(av) in self.constant_arrays:
            raise self.error(node, "a NumPy array from the enclosing scope is a constant and "
                                   "cannot be written; copy it into a local array first")
        for a in self.arg_names:
            if self.symbols.get(a) is av:
                self.written_args.add(a)

    def global_array(self, node: ast.AST, value: Any, dtype: DType | None) -> AV:
        name, t = self.mb.global_constant(node, value, dtype, self.src)
        if name not in self.globals_here:
            with self.at_entry(), self.location(node):
                v = memref.GetGlobalOp(mlir_type(t), name).result
            self.globals_here[name] = AV(v, t)
            self.constant_arrays.add(id(self.globals_here[name]))
        return self.globals_here[name]

    # ---- building ----------------------------------------------------------------------
    def build(self, fop: func.FuncOp, sig_args: list[tuple[str, Any]],
              result_types: list[Any] | None) -> list[Any]:
        """Emit the body; returns the result types (declared, or inferred from `return`)."""
        entry = fop.add_entry_block()
        assigned = _assigned_names(self.fdef)
        with InsertionPoint(entry), self.location(self.fdef):
            self.anchor = arith.ConstantOp.create_index(0)
            for (name, t), value in zip(sig_args, entry.arguments, strict=True):
                if isinstance(t, ArrayType):
                    self.symbols[name] = AV(value, t)
                elif name in assigned:
                    self.declare_scalar(name, t, self.fdef, zero=False)  # stored just below
                    self.store_scalar(name, TV(value, t))
                else:
                    self.symbols[name] = TV(value, t)
        self.result_types = result_types
        with InsertionPoint(entry):
            body = self.fdef.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]  # docstring
            self.block(body)
            if not self.returned:
                if result_types:
                    raise self.error(self.fdef, f"kernel '{self.fdef.name}' declares a return "
                                                "type but has no return statement")
                self.finish([], self.fdef)
        self.anchor.operation.erase()
        return self.result_types or []

    def block(self, stmts: list[ast.stmt]) -> None:
        saved, self.prev_stmt = self.prev_stmt, None
        for s in stmts:
            if self.returned and not self.skipped_meta_branch(s):
                raise self.error(s, "statement after return")
            self.stmt(s)
            self.prev_stmt = s
        self.prev_stmt = saved

    def stmt(self, node: ast.stmt) -> None:
        with self.location(node):
            if type(node) in _UNSUPPORTED:
                raise self.error(node, f"{_UNSUPPORTED[type(node)]} is not supported in kernels")
            method = getattr(self, f"stmt_{type(node).__name__}", None)
            if method is None:
                raise self.error(node, f"unsupported statement: {type(node).__name__}")
            method(node)

    def stmt_Pass(self, node: ast.Pass) -> None:
        pass

    def stmt_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return
        if not isinstance(node.value, ast.Call):
            raise self.error(node, "an expression statement must be a call")
        self.expr(node.value)

    def stmt_Return(self, node: ast.Return) -> None:
        if self.depth:
            raise self.error(node, "return is only allowed at the end of the kernel body")
        vals: list[Any] = []
        if node.value is not None:
            parts = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            declared = self.result_types or []
            if len(parts) == len(declared):  # `return A @ B` takes the declared result type
                self.array_target = tuple((p, d) for p, d in zip(parts, declared, strict=True)
                                          if isinstance(d, ArrayType))
            v = self.expr(node.value)
            self.array_target = ()
            vals = list(v) if isinstance(v, tuple) else [v]
        self.finish(vals, node)

    def finish(self, vals: list[Any], node: ast.AST) -> None:
        declared = self.result_types
        if declared is not None and len(declared) != len(vals):
            raise self.error(node, f"kernel declares {len(declared)} result(s) but returns "
                                   f"{len(vals)}")
        out: list[Value] = []
        types: list[Any] = []
        for k, v in enumerate(vals):
            want = declared[k] if declared is not None else None
            if isinstance(v, View):  # `return A[5]`: the result is a copy of the sub-array
                vals[k] = v = self.returned_copy(v, node)
            if isinstance(v, AV):
                if want is not None and want != v.type:
                    raise self.error(node, f"returns {v.type!r} where {want!r} is declared")
                out.append(v.value)
                types.append(v.type)
            else:
                if isinstance(want, ArrayType):
                    raise self.error(node, f"returns a scalar where {want!r} is declared")
                tv = self.to_tv(v, node, want)
                if want is not None:
                    tv = cast(tv, want)
                out.append(tv.value)
                types.append(tv.dtype)
        arrays = [v for v in vals if isinstance(v, AV)]
        if len({v.value for v in arrays}) != len(arrays):
            raise self.error(node, "the same array is returned twice; return a copy "
                                   "(a local array assigned from it) for the second result")
        returned = {id(v) for v in vals}
        for v in vals:
            if isinstance(v, AV) and any(v is self.symbols.get(a) for a in self.arg_names):
                self.mb.returns_argument[self.func_name] = next(
                    a for a in self.arg_names if self.symbols.get(a) is v)
        for av in self.allocs:
            if id(av) not in returned:
                memref.DeallocOp(av.value)
        func.ReturnOp(out)
        self.result_types = types
        self.returned = True

    def stmt_If(self, node: ast.If) -> None:
        self.emit_if(node)

    def stmt_While(self, node: ast.While) -> None:
        if node.orelse:
            raise self.error(node, "while ... else is not supported in kernels")
        w = scf.WhileOp([], [])
        before = w.before.blocks.append()
        with InsertionPoint(before):
            c = to_bool(self.to_tv(self.scalar(node.test), node.test))
            scf.ConditionOp(c.value, [])
        after = w.after.blocks.append()
        with InsertionPoint(after):
            self.depth += 1
            self.guards += 1
            self.block(node.body)
            self.guards -= 1
            self.depth -= 1
            scf.YieldOp([])

    def stmt_For(self, node: ast.For) -> None:
        if not self.meta_for_stmt(node):
            self.emit_for(node)

    depth = 0


def _assigned_names(fdef: ast.FunctionDef) -> set[str]:
    names: set[str] = set()
    for n in ast.walk(fdef):
        targets: list[ast.expr] = []
        if isinstance(n, ast.Assign):
            targets = n.targets
        elif isinstance(n, (ast.AugAssign, ast.AnnAssign)):
            targets = [n.target]
        for t in targets:
            for m in ast.walk(t):
                if isinstance(m, ast.Name):
                    names.add(m.id)
    return names
