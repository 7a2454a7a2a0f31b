"""Declarations in a kernel body: `x: T = e` and `A: T[M, N] = init`.

A declared scalar gets its slot (`FunctionBuilder.declare_scalar`) and its value converted to
T; a declared array is a fresh zero-filled local (`declare_array`) initialized from a
sub-array, another array of the same type, a NumPy constant of the same shape, a nested list
of constants, or one scalar stored into every cell (a loop nest named `<array>.init<d>`).
An annotation must evaluate to a kernel type (a `DType` or an `ArrayType`), else a
`FrontendError` at the annotation.
"""

from __future__ import annotations

import ast
from typing import Any

from mlir.dialects import memref

from allo_verify.errors import TypeArgumentError
from allo_verify.lang import templates
from allo_verify.lang.annotations import Annotated
from allo_verify.lang.structs import Struct, StructArrayType
from allo_verify.lang.subarrays import View
from allo_verify.lang.types import ArrayType, DType, InvalidArrayType
from allo_verify.lang.values import AV, TV


class DeclarationBuilder:
    """Mixin of the function builder: typed declarations and array initializers."""

    def eval_type(self, node: ast.expr) -> Any:
        node = templates.unquote(node)  # a quoted annotation: "T[M, K]"
        try:
            t = eval(compile(ast.Expression(node), self.src.filename, "eval"),  # noqa: S307
                     self.namespace | self.compile_time_names())
        except TypeArgumentError as e:  # `Int(0)`, `Memory(resource="FOO")`, ...
            raise self.error(node, f"annotation '{ast.unparse(node)}' is not a kernel type: "
                                   f"{e.message}") from None
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
                value: Any = literal_list(node.value, self)
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
        idx, ips = self.loop_nest(av.type.shape, f"{self._array_name(av)}.init")
        self.store(av, idx, v, node)
        self.close_nest(ips)

    def _array_name(self, av: AV) -> str:
        for k, v in self.symbols.items():
            if v is av:
                return k
        return "array"



def literal_list(node: ast.List, fb: Any) -> list:
    """A nested list of compile-time numbers (an array initializer)."""
    out: list = []
    for e in node.elts:
        if isinstance(e, ast.List):
            out.append(literal_list(e, fb))
            continue
        v = fb.scalar(e)
        if not isinstance(v, (int, float)):
            raise fb.error(e, "a list initializer may hold only constants")
        out.append(v)
    return out
