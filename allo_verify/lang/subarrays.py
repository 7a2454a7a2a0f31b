"""Sub-arrays: partial indexing (`A[i]` of a 2-D array) and slices (`A[0:4, :]`, `A[i, :]`).

A sub-array is a *view* (`View`): its base array and, per base dimension, either a fixed
index or a run `start, start + step, ..., start + (extent - 1) * step`. A view has no
storage of its own; every use is lowered to plain affine loads and stores of the base
array, so the LLVM simulation, L1/L2/L3 and the HLS emitter see nothing new.

Laws (the same in every layer, since they are the IR the frontend emits):
- Element: `V[p]` (every free dimension subscripted) is the base cell `cell(p)`, with
  `cell(p)[d] = start_d + p_k * step_d` for free dimension d (the k-th) and the fixed index
  otherwise. `A[0:4][1]` is therefore `A[1]`, as in NumPy (a chain is applied to the free
  dimensions left to right, never merged blindly).
- Bounds: a constant slice must lie inside its dimension (`0 <= lo <= hi <= size`; refused
  at build time, where NumPy would clamp); a slice whose length is not a constant is
  refused; a constant or loop index of a view outside the view is refused; a data-dependent
  index outside the view (negative ones included: no wrap-around) makes the access read 0
  and write nothing, like a data-dependent subscript outside an array (`subscripts`).
- Copy: `D = S` for a view `D` and a view or array `S` of the same shape stores, for every
  point p in row-major order, `S[p]` into `D[p]`; when both share a base array the source is
  first copied into a fresh array, so the result is NumPy's (right-hand side read in full
  before any write). A scalar right-hand side fills the view.
- Call: a view passed as a kernel argument is passed by copy-in/copy-out: a fresh local
  array T receives the view, the callee runs on T, and T is copied back into the view when
  the callee writes that parameter. This equals passing the view by reference exactly when
  no other array argument of the same call shares the view's base array with a write on
  either side; such a call is refused (`FrontendError`), and reads of one base through
  several arguments are allowed (copies of unwritten data are the data).
- A returned view (`return A[i]`, as Allo writes it) is returned as a fresh copy of its
  cells (the Copy law), so a result never aliases its base.
- A view cannot be bound to a name or used as a scalar: declare a local array from it
  (`R: int32[4] = A[i]`, a copy) instead.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from mlir.dialects import affine, arith, memref
from mlir.ir import InsertionPoint, StringAttr

from allo_verify.lang.affine_expr import Aff, aff_add
from allo_verify.lang.emit_cast import cmpi, select
from allo_verify.lang.types import ArrayType, Index, Int
from allo_verify.lang.values import AV, TV, Expr, mlir_type


@dataclass
class View:
    """A sub-array of `base`: per base dimension ("at", index) or ("free", start, step,
    extent); `text` is the source spelling, for messages, and `name` the base array's name
    (copies and their loops are named after it)."""

    base: AV
    dims: tuple[tuple, ...]
    text: str
    name: str = "array"

    @property
    def type(self) -> ArrayType:
        return ArrayType(self.base.type.dtype, tuple(d[3] for d in self.dims if d[0] == "free"))


def has_view_syntax(node: ast.Subscript, rank_of: Any) -> bool:
    """True when the subscript chain has a slice, or fewer subscripts than the base's rank
    (`rank_of(base_node)` gives the rank or None when the base is not an array)."""
    parts: list[ast.expr] = []
    cur: ast.expr = node
    while isinstance(cur, ast.Subscript):
        s = cur.slice
        parts += list(s.elts) if isinstance(s, ast.Tuple) else [s]
        cur = cur.value
    rank = rank_of(cur)
    if rank is None:
        return False
    return any(isinstance(p, ast.Slice) for p in parts) or len(parts) < rank


class SubArrayBuilder:
    """Mixin: views from subscripts, copies between views, and call arguments by copy."""

    dims: list[Any]
    dim_ranges: dict[int, tuple[int, int] | None]
    guards: int
    allocs: list[AV]
    symbols: dict[str, Any]

    # ---- building views --------------------------------------------------------------
    def _rank_of(self, base_node: ast.expr) -> int | None:
        if isinstance(base_node, ast.Name) and isinstance(self.symbols.get(base_node.id), AV):
            return len(self.symbols[base_node.id].type.shape)
        return None

    def view_of(self, node: ast.Subscript) -> View | None:
        """The view a subscript chain denotes, or None for an ordinary element access (or
        anything that is not an array subscript)."""
        if not has_view_syntax(node, self._rank_of):
            return None
        chain: list[ast.Subscript] = []
        cur: ast.expr = node
        while isinstance(cur, ast.Subscript):
            chain.append(cur)
            cur = cur.value
        base = self.symbols[cur.id]  # type: ignore[attr-defined]
        view = View(base, tuple(("free", 0, 1, n) for n in base.type.shape), cur.id, cur.id)
        for sub in reversed(chain):
            s = sub.slice
            parts = list(s.elts) if isinstance(s, ast.Tuple) else [s]
            view = self._narrow(view, parts, sub)
        return view

    def _narrow(self, view: View, parts: list[ast.expr], node: ast.Subscript) -> View:
        free = [k for k, d in enumerate(view.dims) if d[0] == "free"]
        text = ast.unparse(node)
        if len(parts) > len(free):
            raise self.error(node, f"'{text}': {len(parts)} subscript(s) for a sub-array of "
                                   f"{len(free)} dimension(s) {list(view.type.shape)}")
        dims = list(view.dims)
        for k, p in zip(free, parts, strict=False):
            _, start, step, extent = dims[k]
            whole = start == 0 and step == 1 and extent == view.base.type.shape[k]
            if isinstance(p, ast.Slice):
                lo, hi, st = self._slice_bounds(p, extent, k, text, whole)
                dims[k] = ("free", self._offset(start, lo, step, p), step * st,
                           -(-(_const_diff(hi, lo)) // st))
            else:
                x = self.scalar(p)
                if isinstance(x, float) or isinstance(x, bool) or \
                        isinstance(x, TV) and not isinstance(x.dtype, (Int, Index)):
                    raise self.error(p, f"subscript must be an integer, got {self.describe(x)}")
                if isinstance(x, int) and not 0 <= x < extent:
                    raise self.error(p, f"subscript {x} is out of bounds for dimension {k} of "
                                        f"'{text}' (size {extent})")
                at = self._offset(start, x, step, p)
                r = x.interval(self.dim_ranges) if isinstance(x, Aff) else None
                if isinstance(x, Aff) and r is not None and not self.guards and \
                        self.exact(x) and not 0 <= r[0] <= r[1] < extent:
                    raise self.error(p, f"subscript {ast.unparse(p)} ranges over [{r[0]}, "
                                        f"{r[1]}], outside dimension {k} of '{text}' (size "
                                        f"{extent})")
                inside = r is not None and 0 <= r[0] <= r[1] < extent
                if not whole and not inside and isinstance(x, (TV, Aff)):
                    at = self._inside_view(self.to_tv(x, p), at, extent, p)
                dims[k] = ("at", at)
        return View(view.base, tuple(dims), text, view.name)

    def _inside_view(self, x: TV, at: Expr, extent: int, node: ast.AST) -> TV:
        """A data-dependent index `x` of a view dimension of `extent` cells: the base index
        `at` when `0 <= x < extent`, else -1 (outside the base array, so the access reads
        0 or writes nothing, as an outside subscript of an array does)."""
        xi = self.index_value(x, node)
        zero = arith.ConstantOp.create_index(0).result
        ok = arith.AndIOp(cmpi("sge", xi, zero),
                          cmpi("slt", xi, arith.ConstantOp.create_index(extent).result)).result
        return TV(select(ok, self.index_value(at, node),
                         arith.ConstantOp.create_index(-1).result), Index())

    def _slice_bounds(self, s: ast.Slice, extent: int, d: int, text: str,
                      whole: bool) -> tuple:
        """(lower, upper, step) of a slice of a dimension of `extent` cells (`whole`: the
        base array's full dimension, whose accesses the base's subscript rules guard)."""
        lo = self.scalar(s.lower) if s.lower is not None else 0
        hi = self.scalar(s.upper) if s.upper is not None else extent
        st = self.scalar(s.step) if s.step is not None else 1
        if not isinstance(st, int) or isinstance(st, bool) or st < 1:
            raise self.error(s, f"a slice step must be a positive integer constant, got "
                                f"{ast.unparse(s.step) if s.step else st}")
        for b in (lo, hi):
            if not isinstance(b, (int, Aff)) or isinstance(b, bool):
                raise self.error(s, f"slice bounds must be integer constants or loop index "
                                    f"expressions, got {self.describe(b)} in '{text}'")
        n = _const_diff(hi, lo)
        if n is None:
            raise self.error(s, f"the slice '{ast.unparse(s)}' of '{text}' does not have a "
                                "constant length (upper - lower must be a constant)")
        if n <= 0:
            raise self.error(s, f"the slice '{ast.unparse(s)}' of '{text}' is empty")
        if isinstance(lo, int) and not 0 <= lo <= lo + n <= extent:
            raise self.error(s, f"the slice '{ast.unparse(s)}' is outside dimension {d} of "
                                f"'{text}' (size {extent})")
        if isinstance(lo, Aff):
            r = lo.interval(self.dim_ranges)
            inside = r is not None and 0 <= r[0] and r[1] + n <= extent
            if not inside and not whole:
                raise self.error(s, f"the slice '{ast.unparse(s)}' of '{text}' is not provably "
                                    f"inside dimension {d} (size {extent}) of the sub-array")
            if not inside and r is not None and not self.guards and self.exact(lo):
                raise self.error(s, f"the slice '{ast.unparse(s)}' ranges over [{r[0]}, "
                                    f"{r[1] + n}) outside dimension {d} of '{text}' (size "
                                    f"{extent})")
        return lo, hi, st

    def _offset(self, start: Expr, x: Expr, step: int, node: ast.AST) -> Expr:
        """start + x * step, affine when both are."""
        if isinstance(x, (int, Aff)) and isinstance(start, (int, Aff)):
            return aff_add(start, x * step if isinstance(x, int) else x.scale(step))
        return self.binary("+", start, self.binary("*", x, step, node), node)

    def cell(self, view: View, point: list[Expr], node: ast.AST) -> list[Expr]:
        """The base subscripts of `view[point]`."""
        it = iter(point)
        out: list[Expr] = []
        for d in view.dims:
            out.append(d[1] if d[0] == "at" else self._offset(d[1], next(it), d[2], node))
        return out

    def describe(self, x: Any) -> str:
        if isinstance(x, View):
            return f"the sub-array '{x.text}' {x.type!r}"
        return super().describe(x)  # type: ignore[misc]

    def to_tv(self, x: Any, node: ast.AST, other: Any = None) -> TV:
        if isinstance(x, View):
            raise self.error(node, f"the sub-array '{x.text}' {x.type!r} is used where a "
                                   "scalar is expected")
        return super().to_tv(x, node, other)  # type: ignore[misc]

    # ---- uses of views ---------------------------------------------------------------
    def view_value(self, node: ast.Subscript) -> Any:
        """A view with free dimensions, or the element loaded when none is left."""
        v = self.view_of(node)
        if v is None or v.type.shape:
            return v
        return self.load(v.base, self.cell(v, [], node), node)

    def view_element(self, node: ast.Subscript) -> tuple[AV, list[Expr]] | None:
        """`(base, subscripts)` when a view chain ends on one element; None for no view;
        an error when the chain leaves free dimensions (a sub-array, not an element)."""
        v = self.view_of(node)
        if v is None:
            return None
        if v.type.shape:
            raise self.error(node, f"'{v.text}' is a sub-array {v.type!r}, not an element; "
                                   "a sub-array can be passed to a kernel, copied with "
                                   "'X[...] = Y[...]', or declared as a local copy "
                                   f"'R: {v.type!r} = {v.text}'")
        return v.base, self.cell(v, [], node)

    def loop_nest(self, shape: tuple[int, ...], label: str) -> tuple[list[Aff], list]:
        """Open a rectangular nest of `affine.for` loops over `shape` (0 <= i_d < extent_d),
        named `<label><d>` (made unique); returns the loop variables as subscripts and the
        insertion points to pass to `close_nest` once the body is emitted."""
        idx: list[Aff] = []
        ips = []
        for d, extent in enumerate(shape):
            loop = affine.AffineForOp(0, extent, 1)
            loop.attributes["loop_name"] = StringAttr.get(
                self.unique_loop_name(f"{label}{d}"))
            k = len(self.dims)
            self.dims.append(loop.induction_variable)
            self.dim_ranges[k] = (0, extent - 1)
            idx.append(Aff.dim(k))
            ip = InsertionPoint(loop.body)
            ip.__enter__()
            ips.append(ip)
        return idx, ips

    @staticmethod
    def close_nest(ips: list) -> None:
        """Close a nest opened by `loop_nest`, innermost loop first."""
        for ip in reversed(ips):
            affine.AffineYieldOp([])
            ip.__exit__(None, None, None)

    def copy_into(self, dst: View | AV, src: Any, node: ast.AST, label: str) -> None:
        """`dst[p] = src[p]` for every point p in row-major order (the Copy law); `src` a
        view, an array of the same shape, or a scalar broadcast to every cell."""
        dst_v = dst if isinstance(dst, View) else _whole(dst)
        if isinstance(src, AV):
            src = _whole(src)
        if isinstance(src, View):
            if src.type.shape != dst_v.type.shape:
                raise self.error(node, f"cannot copy {src.type!r} ('{src.text}') into "
                                       f"{dst_v.type!r} ('{dst_v.text}'): shapes differ")
            if src.base.value == dst_v.base.value:  # overlap possible: read it all first
                tmp = self.fresh_array(src.type, f"{src.name}.copy", node)
                self.copy_into(tmp, src, node, f"{label}.src")
                src = _whole(tmp)
        elif isinstance(src, tuple):
            raise self.error(node, "a tuple cannot be copied into a sub-array")
        idx, ips = self.loop_nest(dst_v.type.shape, label)
        if isinstance(src, View):
            value: Any = self.load(src.base, self.cell(src, list(idx), node), node)
        else:
            value = src
        self.store(dst_v.base, self.cell(dst_v, list(idx), node), value, node)
        self.close_nest(ips)

    def fresh_array(self, t: ArrayType, name: str, node: ast.AST) -> AV:
        """A local array for a copy (allocated at the entry, freed at the return)."""
        with self.at_entry(), self.location(node):
            op = memref.AllocOp(mlir_type(t), [], [])
            op.attributes["buffer_name"] = StringAttr.get(name)
        av = AV(op.result, t)
        self.allocs.append(av)
        return av

    def view_arguments(self, node: ast.Call, fname: str, params: list, args: list[Any],
                       written: set[str]) -> tuple[list[Any], list[tuple[View, AV]]]:
        """Replace each view argument by a copy (the Call law); returns the new argument
        list and the (view, copy) pairs to write back after the call. Refuses a call where
        a view's base array reaches the callee through another argument too and either
        side is written."""
        roots: list[tuple[Any, str, bool, Any]] = []  # (base, param, written, argument)
        for a, p in zip(args, params, strict=True):
            if isinstance(a, (AV, View)) and p.is_array:
                base = a.base if isinstance(a, View) else a
                roots.append((base.value, p.name, p.name in written, a))
        for n, (b1, p1, w1, a1) in enumerate(roots):
            for b2, p2, w2, a2 in roots[n + 1:]:
                if b1 == b2 and (w1 or w2) and (isinstance(a1, View) or isinstance(a2, View)) \
                        and not _disjoint(a1, a2):
                    raise self.error(node, f"arguments '{p1}' and '{p2}' of '{fname}' share "
                                           f"one array and '{p1 if w1 else p2}' is written: "
                                           "the sub-array would alias the other argument")
        out: list[Any] = []
        back: list[tuple[View, AV]] = []
        for a, p in zip(args, params, strict=True):
            if not isinstance(a, View):
                out.append(a)
                continue
            if not p.is_array or a.type != p.type:
                raise self.error(node, f"argument '{p.name}' of '{fname}' must be "
                                       f"{p.type!r}, got the sub-array '{a.text}' {a.type!r}")
            tmp = self.fresh_array(a.type, f"{a.name}.{p.name}", node)
            self.copy_into(tmp, a, node, f"{a.name}.{p.name}.in")
            out.append(tmp)
            if p.name in written:
                back.append((a, tmp))
        return out, back

    def write_back(self, back: list[tuple[View, AV]], node: ast.AST) -> None:
        for view, tmp in back:
            self.copy_into(view, tmp, node, f"{view.name}.out")

    def refuse_view(self, value: Any, node: ast.AST, what: str) -> None:
        """A view where only an array with storage of its own is allowed."""
        if isinstance(value, View):
            raise self.error(node, f"the sub-array '{value.text}' cannot be {what}; declare "
                                   f"a local copy 'R: {value.type!r} = {value.text}'")


def _whole(av: AV) -> View:
    return View(av, tuple(("free", 0, 1, n) for n in av.type.shape), "array", "array")


def _const_diff(hi: Any, lo: Any) -> int | None:
    d = aff_add(hi, lo, -1)
    return d if isinstance(d, int) else None


def _disjoint(a: Any, b: Any) -> bool:
    """Two views of one array fixed at different constant indices of some dimension share
    no cell (`A[0]` and `A[1]`); anything else may overlap."""
    if not (isinstance(a, View) and isinstance(b, View)):
        return False
    return any(x[0] == "at" and y[0] == "at" and isinstance(x[1], int) and
               isinstance(y[1], int) and x[1] != y[1] for x, y in zip(a.dims, b.dims, strict=True))
