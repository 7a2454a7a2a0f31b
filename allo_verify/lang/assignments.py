"""Assignments in a kernel body: `x = e`, `a, b = f(...)`, `A[i] = v`, `A[i:j] = B`,
bit assignments `x[k] = b`, `x[lo:hi] = v`, and augmented assignments `x += e`.

Law: a store converts the value to the target's type (`coerce`); a whole-array assignment
copies cells (`memref.copy`) between arrays of one type; a bit assignment changes only the
named bits and keeps the others.
"""

from __future__ import annotations

import ast
from typing import Any

from mlir.dialects import memref

from allo_verify.lang import emit_ops
from allo_verify.lang.emit_cast import cast, const
from allo_verify.lang.operators import BINOPS
from allo_verify.lang.subarrays import View
from allo_verify.lang.types import Int, float32, int32
from allo_verify.lang.values import AV


class AssignmentBuilder:
    """Mixin of the function builder: assignment statements."""

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
