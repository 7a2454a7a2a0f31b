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

from allo_verify.lang import emit_ops, templates
from allo_verify.lang.affine_expr import Aff
from allo_verify.lang.annotations import Annotated
from allo_verify.lang.definite import maybe_unassigned
from allo_verify.lang.emit_cast import cast, const, to_bool
from allo_verify.lang.expressions import BINOPS, ExpressionBuilder
from allo_verify.lang.kernel_calls import KernelCallBuilder
from allo_verify.lang.loops import LoopBuilder, LoopKeyword
from allo_verify.lang.meta import MetaBuilder
from allo_verify.lang.qualified import QualifiedDeclBuilder
from allo_verify.lang.structs import Struct, StructArrayType, StructBuilder
from allo_verify.lang.subarrays import SubArrayBuilder, View
from allo_verify.lang.types import ArrayType, DType, Int, InvalidArrayType, float32, int32
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


class FunctionBuilder(KernelCallBuilder, SubArrayBuilder, StructBuilder, MetaBuilder,
                      QualifiedDeclBuilder, LoopBuilder, ExpressionBuilder):
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

    def eval_type(self, node: ast.expr) -> Any:
        node = templates.unquote(node)  # a quoted annotation: "T[M, K]"
        try:
            t = eval(compile(ast.Expression(node), self.src.filename, "eval"),  # noqa: S307
                     self.namespace | self.compile_time_names())
        except Exception as e:  # noqa: BLE001 - any failure is a bad annotation
            raise self.error(node, f"cannot evaluate type annotation '{ast.unparse(node)}': {e} "
                                   "(names resolve in the kernel's module globals and "
                                   "closure)") from None
        if isinstance(t, (Struct, StructArrayType)):
            raise self.error(node, "struct types are supported for local variables only; "
                                   "pass one array per field")
        if isinstance(t, Annotated):  # `T[...] @ Memory(...)`: qualifiers kept by node
            self.qualifiers[id(node)] = t
            t = t.type
        if isinstance(t, InvalidArrayType):
            raise self.error(node, f"annotation '{ast.unparse(node)}' is not a kernel type: "
                                   f"{t.reason}")
        if not isinstance(t, (DType, ArrayType)):
            raise self.error(node, f"annotation '{ast.unparse(node)}' is not a kernel type")
        return t

    def stmt_AnnAssign(self, node: ast.AnnAssign) -> None:
        if self.qualified_decl(node):  # ConstExpr, Stateful (lang/qualified.py)
            return
        if not isinstance(node.target, ast.Name):
            raise self.error(node, "only a plain name can be declared with a type")
        name = node.target.id
        t = self.eval_type(node.annotation)
        if name in self.symbols and name not in self.scalar_slots and isinstance(t, DType):
            raise self.error(node, f"'{name}' is already declared")
        if isinstance(t, ArrayType):
            if name in self.symbols:
                raise self.error(node, f"'{name}' is already declared")
            if isinstance(node.value, ast.List):
                value: Any = _literal_list(node.value, self)
            elif self._numpy_constant(node.value) is not None:
                value = self._numpy_constant(node.value)
            else:
                self.array_target = ((node.value, t),) if node.value is not None else ()
                value = self.expr(node.value) if node.value is not None else 0
                self.array_target = ()
            if isinstance(value, AV) and value.type == t and node.value is not None and \
                    isinstance(node.value, (ast.Call, ast.BinOp, ast.UnaryOp)) and \
                    value not in self.symbols.values() \
                    and id(node.annotation) not in self.qualifiers:  # Memory: own alloc
                self.symbols[name] = value  # a fresh array returned by a kernel call
                self.allocs.append(value)
                return
            av = self.declare_array(name, t, node)
            self.apply_memory(av, node.annotation)
            self.init_array(av, value, node)
            return
        if name not in self.scalar_slots:
            self.declare_scalar(name, t, node)
        elif self.scalar_slots[name][1] != t:
            old = self.scalar_slots[name][1]
            raise self.error(node, f"'{name}' is already declared as {old!r}")
        value = self.scalar(node.value) if node.value is not None else 0
        self.store_scalar(name, value, node)

    def _numpy_constant(self, node: ast.expr | None) -> Any:
        """The NumPy array a name from the enclosing scope refers to, else None."""
        if isinstance(node, ast.Name) and node.id in self.symbols:
            return None
        if isinstance(node, (ast.Name, ast.Attribute)):
            try:
                v = self.static_value(node)
            except Exception:  # noqa: BLE001 - not a static name: evaluate it normally
                return None
            if hasattr(v, "shape") and hasattr(v, "dtype"):
                return v
        return None

    def init_array(self, av: AV, value: Any, node: ast.AST) -> None:
        if isinstance(value, View):
            if value.type != av.type:
                raise self.error(node, f"cannot initialize {av.type!r} from the sub-array "
                                       f"'{value.text}' {value.type!r}")
            self.copy_into(av, value, node, f"{self._array_name(av)}.init")
            return
        if isinstance(value, AV):
            if value.type != av.type:
                raise self.error(node, f"cannot initialize {av.type!r} from {value.type!r}")
            memref.CopyOp(value.value, av.value)
            return
        if isinstance(value, list):
            value = self.mb.list_constant(node, value, self.src)
        if hasattr(value, "shape") and hasattr(value, "dtype"):  # a NumPy array
            if tuple(value.shape) != av.type.shape:
                raise self.error(node, f"initializer of shape {list(value.shape)} does not "
                                       f"match {av.type!r}")
            src = self.global_array(node, value, av.type.dtype)
            memref.CopyOp(src.value, av.value)
            return
        if isinstance(value, tuple):
            raise self.error(node, "a tuple cannot initialize an array")
        self.fill(av, self.coerce(value, av.type.dtype, node), node)

    def fill(self, av: AV, v: TV, node: ast.AST) -> None:
        """Store `v` into every cell of `av` with a loop nest named `<array>.init<d>`."""
        idx: list[Expr] = []
        ips = []
        for d, extent in enumerate(av.type.shape):
            loop = affine.AffineForOp(0, extent, 1)
            loop.attributes["loop_name"] = StringAttr.get(f"{self._array_name(av)}.init{d}")
            k = len(self.dims)
            self.dims.append(loop.induction_variable)
            self.dim_ranges[k] = (0, extent - 1)
            idx.append(Aff.dim(k))
            ip = InsertionPoint(loop.body)
            ip.__enter__()
            ips.append(ip)
        self.store(av, idx, v, node)
        for ip in reversed(ips):
            affine.AffineYieldOp([])
            ip.__exit__(None, None, None)

    def _array_name(self, av: AV) -> str:
        for k, v in self.symbols.items():
            if v is av:
                return k
        return "array"

    def stmt_Assign(self, node: ast.Assign) -> None:
        if self.struct_assign_stmt(node):  # lang/structs.py
            return
        first = node.targets[0]
        if len(node.targets) == 1 and isinstance(first, ast.Name) and \
                isinstance(self.symbols.get(first.id), AV):
            self.array_target = ((node.value, self.symbols[first.id].type),)  # `C = A @ B`
        value = self.expr(node.value)
        self.array_target = ()
        for target in node.targets:
            self.assign(target, value, node)

    def assign(self, target: ast.expr, value: Any, node: ast.AST) -> None:
        if isinstance(target, ast.Tuple):
            if not isinstance(value, tuple) or len(value) != len(target.elts):
                raise self.error(node, f"cannot unpack into {len(target.elts)} names")
            for t, v in zip(target.elts, value, strict=True):
                self.assign(t, v, node)
            return
        if isinstance(target, ast.Name):
            self.assign_name(target.id, value, node)
            return
        field = self.field_ref(target) if isinstance(target, ast.Attribute) else None
        if field is not None:  # a struct field: its scalar slot or array (lang/structs.py)
            self.assign(field, value, node)
            return
        if isinstance(target, ast.Subscript) and self.element_bits(target):
            self.assign_bits(target, value, node)
            return
        if isinstance(target, ast.Subscript):
            view = self.view_of(target)
            if view is not None and view.type.shape:
                self.copy_into(view, value, node, f"{view.name}.set")
                return
            acc = (view.base, self.cell(view, [], node)) if view is not None else \
                self.array_access(target)
            if acc is None:
                self.assign_bits(target, value, node)
                return
            self.store(acc[0], acc[1], value, node)
            return
        raise self.error(node, f"cannot assign to {ast.unparse(target)}")

    def assign_name(self, name: str, value: Any, node: ast.AST) -> None:
        cur = self.symbols.get(name)
        if isinstance(value, tuple):
            raise self.error(node, f"cannot assign a tuple to '{name}'")
        if isinstance(value, View) and isinstance(cur, AV) and value.type == cur.type:
            self.note_write(cur, node)
            self.copy_into(cur, value, node, f"{name}.set")
            return
        self.refuse_view(value, node, f"bound to the name '{name}'")
        if cur == "scalar":
            self.store_scalar(name, value, node)
        elif isinstance(cur, AV):
            if not isinstance(value, AV) or value.type != cur.type:
                raise self.error(node, f"cannot assign {self.describe(value)} to array '{name}' "
                                       f"of type {cur.type!r}")
            self.note_write(cur, node)
            memref.CopyOp(value.value, cur.value)
        elif cur is not None:
            what = "a compile-time constant" if isinstance(cur, (bool, int, float)) \
                else "a loop variable or argument"
            raise self.error(node, f"cannot assign to '{name}' ({what})")
        elif isinstance(value, AV):
            self.symbols[name] = value
        else:
            tv = self.to_tv(value, node, None)
            t = tv.dtype
            if isinstance(value, (int, float)):  # an untyped literal: Allo's defaults
                t = float32 if isinstance(value, float) else int32
            self.declare_scalar(name, t, node)
            self.store_scalar(name, tv)

    def assign_bits(self, target: ast.Subscript, value: Any, node: ast.AST) -> None:
        """`x[k] = b` and `x[lo:hi] = v` on an integer scalar variable, or on one array
        element (`A[i][k] = b`, Allo's spelling): the other bits are kept."""
        elem = self.array_access(target.value) if self.element_bits(target) else None
        if elem is None and (not isinstance(target.value, ast.Name)
                             or target.value.id not in self.scalar_slots):
            raise self.error(node, "bit assignment needs a scalar integer variable or an "
                                   "array element")
        name = ast.unparse(target.value)
        cur = self.to_tv(self.load(elem[0], elem[1], target), node) if elem is not None \
            else self.load_scalar(name)
        t = cur.dtype
        if not isinstance(t, Int):
            raise self.error(node, f"bit assignment needs an integer, '{name}' is {t!r}")
        s = target.slice
        if isinstance(s, ast.Slice):
            lo = self.scalar(s.lower) if s.lower else 0
            hi = self.scalar(s.upper) if s.upper else t.bits
        else:
            lo = self.scalar(s)
            hi = lo + 1 if isinstance(lo, int) else None
        u = Int(t.bits, signed=False)
        ones = (1 << t.bits) - 1
        if hi is None and not isinstance(lo, float):
            # one bit at a computed position k (`v[k] = b`, k a loop variable): the mask is
            # 1 << k, with shift's defined result (no bit changes) for k outside 0..width-1
            k = self.to_tv(lo, s)
            bit = cast(cast(self.to_tv(value, node, Int(1, False)), Int(1, False)), u)
            mask_v = emit_ops.shift("<<", const(u, 1), k)
            placed = emit_ops.shift("<<", bit, k)
            kept = emit_ops.binary("&", cast(cur, u),
                                   emit_ops.binary("^", mask_v, const(u, ones)))
        elif not isinstance(lo, int) or not isinstance(hi, int) or not 0 <= lo < hi <= t.bits:
            raise self.error(node, f"bit slice positions must be constants inside {t!r}")
        else:
            mask = ((1 << (hi - lo)) - 1) << lo
            field = cast(self.to_tv(value, node, Int(hi - lo, False)), Int(hi - lo, False))
            placed = emit_ops.shift("<<", cast(field, u), lo)
            kept = emit_ops.binary("&", cast(cur, u), const(u, ~mask & ones))
        merged = emit_ops.binary("|", kept, placed)
        if elem is not None:
            self.store(elem[0], elem[1], cast(merged, t), node)
        else:
            self.store_scalar(name, cast(merged, t))

    def returned_copy(self, view: View, node: ast.AST) -> AV:
        """A returned sub-array (`return A[5]`, as Allo writes it) becomes a fresh local
        array holding its cells (the Copy law), so the result never aliases its base."""
        tmp = self.fresh_array(view.type, f"{view.name}.ret", node)
        self.copy_into(tmp, view, node, f"{view.name}.ret")
        return tmp

    def stmt_AugAssign(self, node: ast.AugAssign) -> None:
        op = BINOPS[type(node.op)]
        rhs = self.scalar(node.value)
        t = node.target
        if isinstance(t, ast.Subscript):
            acc = self.array_access(t)
            if acc is not None:
                cur = self.load(acc[0], acc[1], t)
                self.store(acc[0], acc[1], self.binary(op, cur, rhs, node), node)
                return
        cur_v = self.scalar(t)
        self.assign(t, self.binary(op, cur_v, rhs, node), node)

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


def _literal_list(node: ast.List, fb: FunctionBuilder) -> list:
    """A nested list of compile-time numbers (an array initializer)."""
    out: list = []
    for e in node.elts:
        if isinstance(e, ast.List):
            out.append(_literal_list(e, fb))
            continue
        v = fb.scalar(e)
        if not isinstance(v, (int, float)):
            raise fb.error(e, "a list initializer may hold only constants")
        out.append(v)
    return out
