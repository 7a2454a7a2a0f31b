"""Declarations with qualified types: `x: ConstExpr[T] = e`, `acc: T @ Stateful = v`,
`buf: T[...] @ Memory(...)` (locals) and `A: T[...] @ Memory(...)` (arguments).

Lowering (laws in `lang/annotations.py`):
- ConstExpr: no IR at all; the name is bound to the Python constant (converted to T, which
  it must fit: an out-of-range value is an error, never a silent wrap).
- Stateful: a private, mutable `memref.global @__state_<func>_<name>` (rank 0 for a scalar)
  holding the initial value, tagged `allo.stateful = "<name>"`; the function reads and
  writes it through `memref.get_global` at its entry. The declaration itself runs no code
  on a call: the initial value is the global's initializer, set once when the module is
  loaded. The HLS emitter writes it as a `static` variable.
- Memory: the attribute `hls.bind_storage = {type, impl[, latency]}` on the local array's
  alloc or in the function's `arg_attrs`, which the HLS emitter turns into
  `#pragma HLS bind_storage`; no other layer reads it (a hardware annotation).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

import numpy as np
from mlir.dialects import memref
from mlir.ir import (
    ArrayAttr,
    Attribute,
    DictAttr,
    InsertionPoint,
    IntegerAttr,
    IntegerType,
    Location,
    StringAttr,
    TypeAttr,
)

from allo_verify.lang.annotations import Annotated, ConstExprType, Memory
from allo_verify.lang.structs import Struct, StructArrayType
from allo_verify.lang.types import ArrayType, DType, Float, convert_python, int_range
from allo_verify.lang.values import AV, mlir_type

if TYPE_CHECKING:
    from mlir.ir import Operation

STATEFUL_ATTR = "allo.stateful"
BIND_STORAGE_ATTR = "hls.bind_storage"


def memory_attr(m: Memory) -> Attribute:
    """The `hls.bind_storage` dictionary for a Memory annotation."""
    fields: dict[str, Attribute] = {}
    for k, v in m.pragma_fields().items():
        fields[k] = (IntegerAttr.get(IntegerType.get_signless(64), v) if isinstance(v, int)
                     else StringAttr.get(v))
    return DictAttr.get(fields)


def set_arg_memory(fop: Operation, memories: dict[int, Memory]) -> None:
    """Record each argument's Memory annotation in the function's `arg_attrs`."""
    if not memories:
        return
    n = len(fop.regions[0].blocks[0].arguments)
    dicts: list[dict[str, Attribute]] = [{} for _ in range(n)]
    if "arg_attrs" in fop.attributes:
        for k, a in enumerate(ArrayAttr(fop.attributes["arg_attrs"])):
            d = DictAttr(a)
            dicts[k] = {d[i].name: d[i].attr for i in range(len(d))}
    for k, m in memories.items():
        dicts[k][BIND_STORAGE_ATTR] = memory_attr(m)
    fop.attributes["arg_attrs"] = ArrayAttr.get([DictAttr.get(d) for d in dicts])


class QualifiedDeclBuilder:
    """Mixin of the function builder: qualified declarations."""

    symbols: dict[str, Any]
    qualifiers: dict[int, Annotated]

    def qualified_decl(self, node: ast.AnnAssign) -> bool:
        """Handle `node` when its annotation is ConstExpr or Stateful; False otherwise."""
        ann = self._annotation_object(node.annotation)
        if isinstance(ann, (Struct, StructArrayType)):
            self.struct_decl(node, ann)  # type: ignore[attr-defined]
            return True
        if isinstance(ann, ConstExprType):
            self._const_decl(node, ann)
            return True
        if isinstance(ann, Annotated) and ann.stateful:
            self._stateful_decl(node, ann)
            return True
        return False

    def _annotation_object(self, node: ast.expr) -> Any:
        try:
            return eval(compile(ast.Expression(node), self.src.filename, "eval"),  # type: ignore[attr-defined]  # noqa: S307
                        self.namespace | self.compile_time_names())  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - eval_type reports a bad annotation
            return None

    def _target(self, node: ast.AnnAssign, what: str) -> str:
        if not isinstance(node.target, ast.Name):
            raise self.error(node, f"only a plain name can be declared {what}")  # type: ignore[attr-defined]
        name = node.target.id
        if name in self.symbols or name in getattr(self, "arg_names", []):
            raise self.error(node, f"'{name}' is already declared")  # type: ignore[attr-defined]
        return name

    def _const_decl(self, node: ast.AnnAssign, ann: ConstExprType) -> None:
        name = self._target(node, "ConstExpr")
        if node.value is None:
            raise self.error(node, f"ConstExpr '{name}' needs a value")  # type: ignore[attr-defined]
        v = self.compile_time(node.value, f"value of ConstExpr '{name}'")  # type: ignore[attr-defined]
        t = ann.dtype
        if isinstance(t, Float):
            self.symbols[name] = float(convert_python(v, t))
            return
        if isinstance(v, float) and not float(v).is_integer():
            raise self.error(node, f"ConstExpr '{name}' of type {t!r} cannot hold {v!r}")  # type: ignore[attr-defined]
        lo, hi = int_range(t)
        if not lo <= int(v) <= hi:
            raise self.error(node, f"ConstExpr '{name}' = {int(v)} does not fit {t!r}")  # type: ignore[attr-defined]
        self.symbols[name] = int(v)

    def _stateful_decl(self, node: ast.AnnAssign, ann: Annotated) -> None:
        name = self._target(node, "Stateful")
        if ann.memory is not None:
            raise self.error(node, f"Memory(...) on the Stateful variable '{name}' is not "  # type: ignore[attr-defined]
                                   "supported (the state is a static global)")
        t = ann.type
        dtype = t.dtype if isinstance(t, ArrayType) else t
        shape = t.shape if isinstance(t, ArrayType) else ()
        if node.value is None:
            init: Any = 0
        elif isinstance(node.value, ast.List):
            from allo_verify.lang.declarations import literal_list

            init = literal_list(node.value, self)  # type: ignore[arg-type]
        else:
            init = self._numpy_constant(node.value)  # type: ignore[attr-defined]
            if init is None:
                init = self.compile_time(node.value, f"initial value of Stateful '{name}'")  # type: ignore[attr-defined]
        arr = np.asarray(init)
        if arr.ndim == 0:
            arr = np.full(shape, arr.item(), dtype=arr.dtype) if shape else arr
        if tuple(arr.shape) != shape:
            raise self.error(node, f"initial value of shape {list(arr.shape)} does not match "  # type: ignore[attr-defined]
                                   f"{t!r}")
        sym = self._state_global(node, name, dtype, shape, arr)
        with self.at_entry(), self.location(node):  # type: ignore[attr-defined]
            mtype = mlir_type(ArrayType(dtype, shape)) if shape else _rank0(dtype)
            v = memref.GetGlobalOp(mtype, sym).result
        if shape:
            self.symbols[name] = AV(v, ArrayType(dtype, shape))
        else:
            self.scalar_slots[name] = (v, dtype)  # type: ignore[attr-defined]
            self.symbols[name] = "scalar"

    def _state_global(self, node: ast.AST, name: str, dtype: DType, shape: tuple[int, ...],
                      arr: np.ndarray) -> str:
        from allo_verify.lang.kernel import _convert, dense_initializer

        mb = self.mb  # type: ignore[attr-defined]
        data = _convert(arr, dtype, node, self.src)  # type: ignore[attr-defined]
        sym = f"__state_{self.func_name}_{name}"  # type: ignore[attr-defined]
        with mb.context, Location.unknown():
            attr = dense_initializer(data, shape, dtype)
            mtype = mlir_type(ArrayType(dtype, shape)) if shape else _rank0(dtype)
            with InsertionPoint.at_block_begin(mb.module.body):
                g = memref.GlobalOp(sym, TypeAttr.get(mtype), sym_visibility="private",
                                    initial_value=attr)
            g.attributes[STATEFUL_ATTR] = StringAttr.get(name)
            g.attributes["allo.state_dtype"] = StringAttr.get(repr(dtype))
        return sym

    def apply_memory(self, av: AV, annotation: ast.expr) -> None:
        """Attach a local array's Memory annotation to its alloc."""
        ann = self.qualifiers.get(id(annotation))
        if ann is None or ann.memory is None:
            return
        if ann.memory.read_only:
            raise self.error(annotation, "a local array is written (initialized), so its "  # type: ignore[attr-defined]
                                         f"Memory cannot be the read-only "
                                         f"{ann.memory.storage_type}")
        av.value.owner.attributes[BIND_STORAGE_ATTR] = memory_attr(ann.memory)


def _rank0(dtype: DType) -> Any:
    from mlir.ir import MemRefType

    return MemRefType.get([], mlir_type(dtype))
