"""Subscripts of the frontend: array loads and stores (affine when every subscript is),
bit access and bit slices of integer scalars, and the bounds of subscripts: an affine
subscript that leaves the array outside any condition is refused at build time; a
subscript computed from data is checked when the kernel runs (outside the array, a read
gives 0 and a write does nothing), so no layer ever touches memory outside an array."""

from __future__ import annotations

import ast
from typing import Any

from mlir.dialects import affine, arith, memref, scf
from mlir.ir import AffineConstantExpr, AffineMap, InsertionPoint, IntegerSet, Value

from allo_verify.lang import emit_ops
from allo_verify.lang.affine_expr import Aff, aff_add
from allo_verify.lang.emit_cast import cast, cmpi, const, select
from allo_verify.lang.types import Index, Int
from allo_verify.lang.values import AV, TV, Expr, mlir_type


class SubscriptBuilder:
    """Mixin: subscripts. The expression builder provides evaluation and materialization."""

    guards = 0  # how many conditionals (if, while, conditional expressions) enclose the code
    dim_ranges: dict[int, tuple[int, int] | None]
    dim_exact: set[int]
    dims: list[Value]
    symbols: dict[str, Any]

    def error(self, node: ast.AST, msg: str) -> Exception:  # pragma: no cover - overridden
        raise NotImplementedError

    def scalar(self, node: ast.expr) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def describe(self, x: Expr) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def index_value(self, x: Expr, node: ast.AST) -> Value:  # pragma: no cover - overridden
        raise NotImplementedError

    def to_tv(self, x: Expr, node: ast.AST, other: Any = None) -> TV:  # pragma: no cover
        raise NotImplementedError

    def coerce(self, x: Expr, t: Any, node: ast.AST) -> TV:  # pragma: no cover - overridden
        raise NotImplementedError

    def subscript_chain(self, node: ast.Subscript) -> tuple[ast.expr, list[ast.expr]]:
        """`A[i][j]` and `A[i, j]` both give (A, [i, j])."""
        idx: list[ast.expr] = []
        cur: ast.expr = node
        while isinstance(cur, ast.Subscript):
            s = cur.slice
            parts = list(s.elts) if isinstance(s, ast.Tuple) else [s]
            idx = parts + idx
            cur = cur.value
        return cur, idx

    def view_value(self, node: ast.Subscript) -> Any:
        """What a slice or partial subscript reads (`subarrays`: a sub-array, or the one
        element it names), else None."""
        return None

    def view_element(self, node: ast.Subscript) -> tuple[AV, list[Expr]] | None:
        """The element a subscript chain through a sub-array names, else None."""
        return None

    def array_access(self, node: ast.Subscript) -> tuple[AV, list[Expr]] | None:
        el = self.view_element(node)
        if el is not None:
            return el
        base_node, idx_nodes = self.subscript_chain(node)
        base = self.scalar(base_node)
        if not isinstance(base, AV):
            return None
        if any(isinstance(n, ast.Slice) for n in idx_nodes):
            raise self.error(node, "array slices are not supported; subscript every dimension")
        rank = len(base.type.shape)
        if len(idx_nodes) != rank:
            raise self.error(node, f"'{ast.unparse(base_node)}' has {rank} dimension(s) "
                                   f"{list(base.type.shape)} but is subscripted with "
                                   f"{len(idx_nodes)} index(es)")
        idx = [self.scalar(n) for n in idx_nodes]
        for d, (x, n) in enumerate(zip(idx, idx_nodes, strict=True)):
            if isinstance(x, float) or isinstance(x, TV) and not isinstance(x.dtype, (Int, Index)):
                raise self.error(n, f"subscript must be an integer, got {self.describe(x)}")
            if isinstance(x, int) and not 0 <= x < base.type.shape[d]:
                raise self.error(n, f"subscript {x} is out of bounds for dimension {d} of "
                                    f"'{ast.unparse(base_node)}' (size {base.type.shape[d]})")
            r = x.interval(self.dim_ranges) if isinstance(x, Aff) and not self.guards \
                and self.exact(x) else None
            if r is not None and not 0 <= r[0] <= r[1] < base.type.shape[d]:
                raise self.error(n, f"subscript {ast.unparse(n)} ranges over [{r[0]}, {r[1]}], "
                                    f"outside dimension {d} of '{ast.unparse(base_node)}' "
                                    f"(size {base.type.shape[d]})")
        return base, idx

    def exact(self, x: Aff) -> bool:
        """`x` is `c * d + k` over one loop whose whole range is reached, so its interval is
        reached too (an out-of-range end is a real access)."""
        return len(x.terms) == 1 and x.terms[0][0][0] == "d" and x.terms[0][0][1] in \
            self.dim_exact

    def bounds_guard(self, arr: AV, idx: list[Expr]) -> tuple[IntegerSet, list[Value]] | None:
        """The condition that every affine subscript not provably inside `arr` is inside
        it, as an integer set over loop variables (None when all are provably inside)."""
        cons: list[Aff | int] = []
        for x, size in zip(idx, arr.type.shape, strict=True):
            if not isinstance(x, Aff):
                continue
            r = x.interval(self.dim_ranges)
            if r is None or not 0 <= r[0] <= r[1] < size:
                cons += [x, aff_add(size - 1, x, -1)]
        if not cons:
            return None
        dims = sorted(set().union(*(c.dims() for c in cons if isinstance(c, Aff))))
        pos = {k: p for p, k in enumerate(dims)}
        exprs = [c.to_mlir(pos) if isinstance(c, Aff) else AffineConstantExpr.get(c)
                 for c in cons]
        return IntegerSet.get(len(dims), 0, exprs, [False] * len(exprs)), \
            [self.dims[k] for k in dims]

    def access_operands(
        self, arr: AV, idx: list[Expr], node: ast.AST
    ) -> tuple[AffineMap, list[Value]] | tuple[list[Value], Value | None]:
        """An affine map and its operands when every subscript is affine; otherwise index
        values clamped into the array and the condition that every subscript was inside it
        (None when all are known to be)."""
        if all(isinstance(x, (int, Aff)) and not isinstance(x, bool) for x in idx):
            dims = sorted(set().union(*(x.dims() for x in idx if isinstance(x, Aff))))
            pos = {k: p for p, k in enumerate(dims)}
            results = [x.to_mlir(pos) if isinstance(x, Aff) else AffineConstantExpr.get(x)
                       for x in idx]
            return AffineMap.get(len(dims), 0, results), [self.dims[k] for k in dims]
        values: list[Value] = []
        inside: Value | None = None
        for x, size in zip(idx, arr.type.shape, strict=True):
            v = self.index_value(x, node)
            r = x.interval(self.dim_ranges) if isinstance(x, Aff) else (
                (x, x) if isinstance(x, int) else None)
            if r is not None and 0 <= r[0] <= r[1] < size:
                values.append(v)
                continue
            zero = arith.ConstantOp.create_index(0).result
            ok = arith.AndIOp(cmpi("sge", v, zero),
                              cmpi("slt", v, arith.ConstantOp.create_index(size).result)).result
            inside = ok if inside is None else arith.AndIOp(inside, ok).result
            values.append(select(ok, v, zero))
        return values, inside

    def load(self, arr: AV, idx: list[Expr], node: ast.AST) -> TV:
        """`arr[idx]`; a data-dependent subscript outside the array reads 0."""
        ops = self.access_operands(arr, idx, node)
        et = mlir_type(arr.type.dtype)
        if isinstance(ops[0], AffineMap):
            guard = self.bounds_guard(arr, idx)
            if guard is None:
                return TV(affine.AffineLoadOp(et, arr.value, ops[1], ops[0]).result,
                          arr.type.dtype)
            aif = affine.AffineIfOp(guard[0], results_=[et], cond_operands=guard[1],
                                    has_else=True)
            with InsertionPoint(aif.then_block):
                affine.AffineYieldOp([affine.AffineLoadOp(et, arr.value, ops[1], ops[0])
                                      .result])
            with InsertionPoint(aif.else_block):
                affine.AffineYieldOp([const(arr.type.dtype, 0).value])
            return TV(aif.results[0], arr.type.dtype)
        values, inside = ops
        v = memref.LoadOp(arr.value, values).result
        if inside is not None:
            v = select(inside, v, const(arr.type.dtype, 0).value)
        return TV(v, arr.type.dtype)

    def note_write(self, av: AV, node: ast.AST) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def store(self, arr: AV, idx: list[Expr], value: Expr, node: ast.AST) -> None:
        """`arr[idx] = value`; a data-dependent subscript outside the array writes nothing."""
        self.note_write(arr, node)
        v = self.coerce(value, arr.type.dtype, node).value
        ops = self.access_operands(arr, idx, node)
        if isinstance(ops[0], AffineMap):
            guard = self.bounds_guard(arr, idx)
            if guard is None:
                affine.AffineStoreOp(v, arr.value, ops[1], ops[0])
                return
            aif = affine.AffineIfOp(guard[0], cond_operands=guard[1])
            with InsertionPoint(aif.then_block):
                affine.AffineStoreOp(v, arr.value, ops[1], ops[0])
                affine.AffineYieldOp([])
            return
        values, inside = ops
        if inside is None:
            memref.StoreOp(v, arr.value, values)
            return
        guard = scf.IfOp(inside, [], has_else=False)
        with InsertionPoint(guard.then_block):
            memref.StoreOp(v, arr.value, values)
            scf.YieldOp([])

    def element_bits(self, node: ast.Subscript) -> bool:
        """True when `node` is a bit access or bit slice of one array element, as Allo
        writes it: `A[i][k]`, `A[i, j][lo:hi]` (the inner chain subscripts every dimension
        of the array with integers, no slice; the outer subscript then names bits)."""
        inner = node.value
        if not isinstance(inner, ast.Subscript):
            return False
        base_node, idx = self.subscript_chain(inner)
        base = self.symbols.get(base_node.id) if isinstance(base_node, ast.Name) else None
        return isinstance(base, AV) and len(idx) == len(base.type.shape) and \
            not any(isinstance(p, ast.Slice) for p in idx)

    def is_bits_receiver(self, node: ast.expr) -> bool:
        """The receiver of `.reverse()` is an integer value, not a module or a name bound
        outside the kernel: a subscript, an expression, or a kernel variable."""
        if isinstance(node, ast.Name):
            return node.id in self.symbols
        return not isinstance(node, ast.Attribute)

    def bit_reverse(self, node: ast.expr, call: ast.AST) -> Expr:
        """`x.reverse()` (Allo): bit k of the result is bit w-1-k of x, w the width of x's
        type (a slice `x[lo:hi]` has width hi - lo); the result has x's type."""
        tv = self.to_tv(self.scalar(node), node)
        t = tv.dtype
        if not isinstance(t, Int):
            raise self.error(call, f".reverse() needs an integer, got {self.describe(tv)}")
        u = Int(t.bits, signed=False)
        x = cast(tv, u)
        acc = const(u, 0)
        for k in range(t.bits):
            bit = emit_ops.binary("&", emit_ops.shift(">>", x, k), const(u, 1))
            acc = emit_ops.binary("|", acc, emit_ops.shift("<<", bit, t.bits - 1 - k))
        return cast(acc, t)

    def expr_Subscript(self, node: ast.Subscript) -> Expr:
        if not self.element_bits(node):
            view = self.view_value(node)
            if view is not None:
                return view
            acc = self.array_access(node)
            if acc is not None:
                return self.load(acc[0], acc[1], node)
        base = self.scalar(node.value)
        tv = self.to_tv(base, node.value)
        if not isinstance(tv.dtype, Int):
            raise self.error(node, f"bit access needs an integer, got {self.describe(base)}")
        s = node.slice
        if isinstance(s, ast.Slice):
            lo = self.scalar(s.lower) if s.lower else 0
            hi = self.scalar(s.upper) if s.upper else tv.dtype.bits
            if not isinstance(lo, int) or not isinstance(hi, int) or s.step is not None:
                raise self.error(node, "bit slice bounds must be constants, as x[lo:hi]")
            if not 0 <= lo < hi <= tv.dtype.bits:
                raise self.error(node, f"bit slice [{lo}:{hi}] is outside {tv.dtype!r}")
            shifted = emit_ops.shift(">>", cast(tv, Int(tv.dtype.bits, False)), lo)
            return cast(shifted, Int(hi - lo, signed=False))
        k = self.scalar(s)
        if isinstance(k, int) and not 0 <= k < tv.dtype.bits:
            raise self.error(node, f"bit {k} is outside {tv.dtype!r}")
        kk: TV | int = k if isinstance(k, int) else self.to_tv(k, s)
        shifted = emit_ops.shift(">>", cast(tv, Int(tv.dtype.bits, False)), kk)
        return cast(shifted, Int(1, signed=False))
