"""Compile-time control in kernels: `with allo.meta_if(c):` / `meta_elif(c)` / `meta_else()`
and `for i in allo.meta_for(...)` (or Allo's `with allo.meta_for(...) as i:`).

Laws:
- a meta condition is evaluated when the kernel is built, from compile-time constants only
  (literals, module constants, template parameters, `ConstExpr` names, meta_for variables);
  exactly the first branch of a chain whose condition is true is built, the others are not
  built at all (they may even be ill-typed for this instance). A condition that is not a
  compile-time constant is a FrontendError at its file and line.
- `meta_elif`/`meta_else` must directly follow a `meta_if`/`meta_elif` in the same block.
- `meta_for(stop)` / `meta_for(start, stop[, step])` (constant ints, step != 0) builds its
  body once per value, in order, with the variable bound to that Python int; so the
  variable folds in subscripts, bounds and meta conditions. The unrolled program is the
  kernel: every layer (LLVM simulation, proofs, HLS C++) sees the same straight-line code.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from allo_verify.lang.annotations import META_MARKERS
from allo_verify.lang.structs import StructVar
from allo_verify.lang.values import AV

MAX_META_ITERATIONS = 4096


class MetaBuilder:
    """Mixin of the function builder: meta statements."""

    symbols: dict[str, Any]
    prev_stmt: ast.stmt | None = None
    _meta_taken: dict[int, bool]

    # ---- recognizing -------------------------------------------------------------------
    def meta_kind(self, call: ast.expr) -> str | None:
        """'meta_if' ... 'meta_for' when `call` calls one of the markers, else None."""
        if not isinstance(call, ast.Call):
            return None
        try:
            fn = self.static_value(call.func)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - not a static callee: not a meta construct
            return None
        return META_MARKERS.get(id(fn))

    def compile_time(self, node: ast.expr, what: str) -> Any:
        """The Python value of `node`, which must be a compile-time constant."""
        v = self.scalar(node)  # type: ignore[attr-defined]
        if isinstance(v, (np.integer, np.floating, np.bool_)):
            v = v.item()
        if not isinstance(v, (bool, int, float)):
            raise self.error(node, f"{what} '{ast.unparse(node)}' is not a compile-time "  # type: ignore[attr-defined]
                                   "constant (it depends on kernel data or a loop variable; "
                                   "use ConstExpr, template parameters, meta_for variables "
                                   "or module constants)")
        return v

    def compile_time_names(self) -> dict[str, Any]:
        """Kernel names bound to compile-time constants (ConstExpr, meta_for variables):
        annotations may use them (`B: int32[K]`)."""
        return {k: v for k, v in self.symbols.items()
                if isinstance(v, (bool, int, float)) and k.isidentifier()}

    def skipped_meta_branch(self, node: ast.stmt) -> bool:
        """`node` is a meta_elif/meta_else after a taken branch of its chain (so it is not
        built, and may follow a branch that returned)."""
        if not (isinstance(node, ast.With) and len(node.items) == 1):
            return False
        if self.meta_kind(node.items[0].context_expr) not in ("meta_elif", "meta_else"):
            return False
        prev = self.prev_stmt
        return isinstance(prev, ast.With) and self._meta_taken.get(id(prev), False)

    # ---- with --------------------------------------------------------------------------
    def stmt_With(self, node: ast.With) -> None:
        if len(node.items) != 1:
            raise self.error(node, "only 'with allo.meta_if/meta_elif/meta_else/meta_for' "  # type: ignore[attr-defined]
                                   "is supported in kernels")
        item = node.items[0]
        kind = self.meta_kind(item.context_expr)
        if kind is None:
            raise self.error(node, "with is not supported in kernels (except allo.meta_if, "  # type: ignore[attr-defined]
                                   "meta_elif, meta_else and meta_for)")
        call = item.context_expr
        assert isinstance(call, ast.Call)
        if call.keywords:
            raise self.error(call, f"{kind} takes no keyword arguments")  # type: ignore[attr-defined]
        if kind == "meta_for":
            if not isinstance(item.optional_vars, ast.Name):
                raise self.error(node, "write 'with allo.meta_for(...) as i:' with one name")  # type: ignore[attr-defined]
            self.unroll(node, item.optional_vars.id, call, node.body)
            return
        if item.optional_vars is not None:
            raise self.error(node, f"{kind} binds no name ('as' is not allowed)")  # type: ignore[attr-defined]
        if kind == "meta_if":
            cond = self._condition(call, kind)
            if cond:
                self.block(node.body)  # type: ignore[attr-defined]
            self._meta_taken[id(node)] = cond
            return
        prev = self.prev_stmt
        if not (isinstance(prev, ast.With) and id(prev) in self._meta_taken):
            raise self.error(node, f"{kind} must directly follow a meta_if or meta_elif "  # type: ignore[attr-defined]
                                   "block at the same level")
        taken = self._meta_taken[id(prev)]
        if kind == "meta_elif":
            cond = self._condition(call, kind)
            if cond and not taken:
                self.block(node.body)  # type: ignore[attr-defined]
            self._meta_taken[id(node)] = taken or cond
            return
        if call.args:
            raise self.error(call, "meta_else takes no arguments")  # type: ignore[attr-defined]
        if not taken:
            self.block(node.body)  # type: ignore[attr-defined]

    def _condition(self, call: ast.Call, kind: str) -> bool:
        if len(call.args) != 1:
            raise self.error(call, f"{kind} takes one condition")  # type: ignore[attr-defined]
        return bool(self.compile_time(call.args[0], f"{kind} condition"))

    # ---- for ---------------------------------------------------------------------------
    def meta_for_stmt(self, node: ast.For) -> bool:
        """Unroll `for i in allo.meta_for(...)`; False when `node` is another loop."""
        if self.meta_kind(node.iter) != "meta_for":
            return False
        if node.orelse:
            raise self.error(node, "for ... else is not supported in kernels")  # type: ignore[attr-defined]
        if not isinstance(node.target, ast.Name):
            raise self.error(node, "a meta_for variable must be a plain name")  # type: ignore[attr-defined]
        assert isinstance(node.iter, ast.Call)
        if node.iter.keywords:
            raise self.error(node.iter, "meta_for takes no keyword arguments")  # type: ignore[attr-defined]
        self.unroll(node, node.target.id, node.iter, node.body)
        return True

    def unroll(self, node: ast.stmt, var: str, call: ast.Call, body: list[ast.stmt]) -> None:
        """Build `body` once per value of `range(*call.args)`, `var` bound to the value.
        Arrays and constants declared in the body are fresh in every copy."""
        if not 1 <= len(call.args) <= 3:
            raise self.error(call, "meta_for takes 1 to 3 arguments, like range")  # type: ignore[attr-defined]
        bounds = [self.compile_time(a, "meta_for bound") for a in call.args]
        if not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
            raise self.error(call, "meta_for bounds must be compile-time integers")  # type: ignore[attr-defined]
        if len(bounds) == 3 and bounds[2] == 0:
            raise self.error(call, "meta_for step must not be zero")  # type: ignore[attr-defined]
        values = range(*bounds)
        if len(values) > MAX_META_ITERATIONS:
            raise self.error(call, f"meta_for unrolls {len(values)} copies; at most "  # type: ignore[attr-defined]
                                   f"{MAX_META_ITERATIONS} are built")
        if var in self.symbols:
            raise self.error(node, f"meta_for variable '{var}' is already a kernel name")  # type: ignore[attr-defined]
        for n, v in enumerate(values):
            before = set(self.symbols)
            self.symbols[var] = v
            self.block(body)  # type: ignore[attr-defined]
            del self.symbols[var]
            if n + 1 < len(values):
                for name in set(self.symbols) - before:
                    sym = self.symbols[name]
                    if isinstance(sym, (AV, StructVar, bool, int, float)):  # fresh next copy
                        del self.symbols[name]
