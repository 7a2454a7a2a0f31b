"""Struct types: `Struct({"x": int32, "y": float32})`, local struct variables and local
arrays of structs, fields read and written as `s.x` and `P[i].x`.

    Point = Struct({"x": int32, "y": int32})
    def k(A: int32[N]) -> int32[N]:
        p: Point = {"x": 1, "y": 2}      # a dict literal names every field it sets
        P: Point[N]                      # an array of structs, every field zero
        for i in range(N):
            P[i].x = A[i] + p.y
            P[i] = {"x": P[i].x, "y": p.x}
            q: Point = P[i]              # copies every field

Lowering (the law every layer then shares): a struct is scalarized, one scalar slot (or one
array of the struct's shape) per field, named `<var>.<field>`; a field access is an access
to that slot or array, a whole-struct assignment reads every source field, then writes
every field in field order. There is no struct value in the IR, so the LLVM simulation,
the proofs and the emitted C++ (one variable or array per field) see ordinary scalars and
arrays. A declaration makes a fresh struct: the fields its initializer does not name are
zero (each time it runs); a later assignment of a dict literal leaves the fields it does
not name unchanged.

Not supported (FrontendError): struct kernel arguments and results (pass one array per
field), nested structs, a whole struct used as a value outside an assignment.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from typing import Any

from allo_verify.errors import TypeArgumentError
from allo_verify.lang.types import ArrayType, DType, InvalidArrayType


class Struct:
    """A record type: ordered fields, each a scalar kernel type. `S[d0, ...]` is an array
    of structs."""

    def __init__(self, fields: dict[str, Any]) -> None:
        if not isinstance(fields, dict) or not fields:
            raise TypeArgumentError(f"Struct({fields!r}): Struct takes a non-empty dict "
                                    "{field name: scalar type}")
        for k, t in fields.items():
            if not isinstance(k, str) or not k.isidentifier():
                raise TypeArgumentError(f"Struct: field names must be identifiers, got {k!r}")
            if not isinstance(t, DType):
                raise TypeArgumentError(f"Struct: field '{k}' must have a scalar kernel type, "
                                        f"got {t!r}")
        self.fields: tuple[tuple[str, DType], ...] = tuple(fields.items())

    def __getitem__(self, shape: Any) -> StructArrayType:
        dims = shape if isinstance(shape, tuple) else (shape,)
        first = self.fields[0][1][dims]  # validates the dimensions like any array type
        if isinstance(first, InvalidArrayType):
            raise TypeArgumentError(f"{self!r}[{', '.join(map(repr, dims))}]: {first.reason}")
        return StructArrayType(self, first.shape)

    def field_type(self, name: str) -> DType | None:
        return dict(self.fields).get(name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Struct) and other.fields == self.fields

    def __hash__(self) -> int:
        return hash(self.fields)

    def __repr__(self) -> str:
        return "Struct({" + ", ".join(f"{k!r}: {t!r}" for k, t in self.fields) + "})"


@dataclass(frozen=True)
class StructArrayType:
    struct: Struct
    shape: tuple[int, ...]


@dataclass
class StructVar:
    """A scalarized struct variable: field -> the internal name of its slot or array."""

    struct: Struct
    names: dict[str, str]
    shape: tuple[int, ...] | None  # None: one struct; else an array of structs


def _sets_field(value: ast.expr | None, field: str) -> bool:
    """Whether the initializer `value` of a struct declaration sets `field`."""
    if value is None:
        return False
    if isinstance(value, ast.Dict):
        return any(isinstance(k, ast.Constant) and k.value == field for k in value.keys)
    return True


def _internal(node: ast.AST, name: str) -> ast.Name:
    return ast.copy_location(ast.Name(id=name, ctx=ast.Load()), node)


class StructBuilder:
    """Mixin of the function builder: struct declarations, field accesses, assignments."""

    symbols: dict[str, Any]

    # ---- declarations ------------------------------------------------------------------
    def struct_decl(self, node: ast.AnnAssign, t: Struct | StructArrayType) -> None:
        if not isinstance(node.target, ast.Name):
            raise self.error(node, "only a plain name can be declared with a struct type")  # type: ignore[attr-defined]
        name = node.target.id
        struct = t if isinstance(t, Struct) else t.struct
        shape = None if isinstance(t, Struct) else t.shape
        old = self.symbols.get(name)
        if old is not None and not (isinstance(old, StructVar) and old.struct == struct
                                    and old.shape == shape and shape is None):
            raise self.error(node, f"'{name}' is already declared")  # type: ignore[attr-defined]
        names = {f: f"{name}.{f}" for f, _ in struct.fields}
        for f, ft in struct.fields:
            if shape is None:
                if old is None:
                    self.declare_scalar(names[f], ft, node, zero=False)  # type: ignore[attr-defined]
                if not _sets_field(node.value, f):  # a declaration makes a fresh struct
                    self.store_scalar(names[f], 0, node)  # type: ignore[attr-defined]
            else:
                av = self.declare_array(names[f], ArrayType(ft, shape), node)  # type: ignore[attr-defined]
                self.init_array(av, 0, node)  # type: ignore[attr-defined]
        var = StructVar(struct, names, shape)
        self.symbols[name] = var
        if node.value is None:
            return
        if shape is not None:
            if not (isinstance(node.value, ast.Constant) and node.value.value == 0):
                raise self.error(node, "an array of structs starts with every field zero; "  # type: ignore[attr-defined]
                                       "assign its elements' fields afterwards")
            return
        self.struct_store(node.target, node.value, node)

    # ---- accesses ----------------------------------------------------------------------
    def _struct_base(self, node: ast.expr) -> tuple[StructVar, ast.Name, Any] | None:
        """(variable, its name node, subscript slice or None) when `node` denotes one
        struct (`s` or `P[i]`), else None."""
        if isinstance(node, ast.Name) and isinstance(self.symbols.get(node.id), StructVar):
            var = self.symbols[node.id]
            if var.shape is not None:
                raise self.error(node, f"'{node.id}' is an array of structs; subscript it "  # type: ignore[attr-defined]
                                       "before using a field")
            return var, node, None
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and \
                isinstance(self.symbols.get(node.value.id), StructVar):
            var = self.symbols[node.value.id]
            if var.shape is None:
                raise self.error(node, f"'{node.value.id}' is a struct, not an array")  # type: ignore[attr-defined]
            return var, node.value, node.slice
        return None

    def field_ref(self, node: ast.Attribute) -> ast.expr | None:
        """The internal slot or array element a field access denotes, or None when `node`
        is not a field access."""
        base = self._struct_base(node.value)
        if base is None:
            return None
        var, name_node, sl = base
        if node.attr not in var.names:
            fields = ", ".join(var.names)
            raise self.error(node, f"struct '{name_node.id}' has no field '{node.attr}' "  # type: ignore[attr-defined]
                                   f"(fields: {fields})")
        ref = _internal(node, var.names[node.attr])
        if sl is None:
            return ref
        return ast.copy_location(ast.Subscript(value=ref, slice=copy.deepcopy(sl),
                                               ctx=ast.Load()), node)

    def expr_Attribute(self, node: ast.Attribute) -> Any:
        ref = self.field_ref(node)
        if ref is not None:
            return self.expr(ref)  # type: ignore[attr-defined]
        return super().expr_Attribute(node)  # type: ignore[misc]

    def expr_Name(self, node: ast.Name) -> Any:
        if isinstance(self.symbols.get(node.id), StructVar):
            raise self.error(node, f"struct '{node.id}' is used through its fields "  # type: ignore[attr-defined]
                                   f"('{node.id}.<field>') or assigned as a whole")
        return super().expr_Name(node)  # type: ignore[misc]

    # ---- whole-struct assignment -------------------------------------------------------
    def struct_assign_stmt(self, node: ast.Assign) -> bool:
        """`s = {...}`, `P[i] = s`, ...: True when handled (the target is a struct)."""
        if len(node.targets) != 1 or self._struct_base(node.targets[0]) is None:
            return False
        self.struct_store(node.targets[0], node.value, node)
        return True

    def struct_store(self, target: ast.expr, value: ast.expr, node: ast.AST) -> None:
        """Assign every field of the struct `target` from `value` (a dict literal naming
        fields, another struct or struct array element of the same type). All values are
        read before any field is written (so `p = {"x": p.y, "y": p.x}` swaps)."""
        base = self._struct_base(target)
        assert base is not None
        var, name_node, _ = base
        fields: dict[str, ast.expr] = {}
        if isinstance(value, ast.Dict):
            for k, v in zip(value.keys, value.values, strict=True):
                if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
                    raise self.error(value, "struct literal keys must be field-name strings")  # type: ignore[attr-defined]
                if k.value not in var.names:
                    raise self.error(k, f"struct '{name_node.id}' has no field '{k.value}'")  # type: ignore[attr-defined]
                fields[k.value] = v
        else:
            src = self._struct_base(value)
            if src is None:
                raise self.error(node, f"cannot assign {ast.unparse(value)} to the struct "  # type: ignore[attr-defined]
                                       f"'{ast.unparse(target)}' (use a dict literal or a struct)")
            if src[0].struct != var.struct:
                raise self.error(node, f"cannot assign a {src[0].struct!r} to a "  # type: ignore[attr-defined]
                                       f"{var.struct!r}")
            for f in var.names:
                fields[f] = ast.copy_location(ast.Attribute(value=value, attr=f,
                                                            ctx=ast.Load()), value)
        values = {f: self.scalar(v) for f, v in fields.items()}  # type: ignore[attr-defined]
        for f, v in values.items():
            ref = ast.Attribute(value=target, attr=f, ctx=ast.Store())
            dest = self.field_ref(ast.copy_location(ref, target))
            assert dest is not None
            self.assign(dest, v, node)  # type: ignore[attr-defined]
