"""Loops and conditionals of the frontend.

Loop naming: a loop is named after its variable (`i`); when a kernel has several loops over
the same variable name, later ones are `i_1`, `i_2`, ... in source order. `grid(M, N)` makes
one loop per variable; `reduction(M, N)` is the same nest with every loop marked as a
reduction loop (Allo's meaning: `reduction(*extents)` is `numpy.ndindex(*extents)`, so
`for k in reduction(N)` is `range(N)` and `for i, j in reduction(3, 3)` a 3 x 3 band; the
number of variables must equal the number of extents). The qualified name is
`"<kernel>:<name>"`. Reduction loops carry the unit attribute `reduction`. A reversed
`range(a, b, -s)` runs a normalized variable `t` in `[0, ceil((a - b) / s))` with `i = a - s * t`.

Allo's loop keywords on `grid(...)` and `reduction(...)`: `name="C"` names the band's loops
`C.i`, `C.j`, ...; `pipeline=True` (II 1) or `pipeline=II` asks for the innermost loop of
the band to be pipelined; `unroll=True` (fully) or `unroll=F` asks for every loop of the
band to be unrolled. The frontend only records them (`LoopKeyword`); `customize` applies
them as checked `pipeline`/`unroll` schedule steps, so they appear in the step log and the
certificate. Any other keyword is a `FrontendError`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from mlir.dialects import affine, scf
from mlir.ir import (
    AffineConstantExpr,
    AffineExpr,
    AffineMap,
    InsertionPoint,
    IntegerSet,
    StringAttr,
    UnitAttr,
    Value,
)

from allo_verify.lang import dsl
from allo_verify.lang.affine_expr import Aff, aff_add
from allo_verify.lang.emit_cast import to_bool
from allo_verify.lang.types import Index
from allo_verify.lang.values import TV

LOOP_KEYWORDS = ("name", "pipeline", "unroll")


@dataclass(frozen=True)
class LoopKeyword:
    """A hardware annotation asked for in the source (`grid(..., pipeline=2)`): the step
    `kind(loop, value)` to apply to the loop `kernel:loop`, and where it was written."""

    kernel: str
    loop: str
    kind: str  # "pipeline" (value: the initiation interval) or "unroll" (value: factor, 0 full)
    value: int
    filename: str
    line: int
    col: int
    source: str


class LoopBuilder:
    """Mixin: `for` and `if` statements. Needs the expression and statement builders."""

    symbols: dict[str, Any]
    dims: list[Value]
    dim_ranges: dict[int, tuple[int, int] | None]
    dim_exact: set[int]
    loop_names: set[str]
    loop_keywords: list[LoopKeyword]
    depth: int

    def unique_loop_name(self, var: str) -> str:
        name, k = var, 0
        while name in self.loop_names:
            k += 1
            name = f"{var}_{k}"
        self.loop_names.add(name)
        return name

    def emit_for(self, node: ast.For) -> None:
        if node.orelse:
            raise self.error(node, "for ... else is not supported in kernels")
        it = node.iter
        if not isinstance(it, ast.Call):
            raise self.error(node, "a kernel loop iterates over range(...), grid(...) or "
                                   "reduction(...)")
        fn = self.static_value(it.func)
        if fn in (dsl.grid, dsl.reduction):
            kind = "grid" if fn is dsl.grid else "reduction"
            targets = node.target.elts if isinstance(node.target, ast.Tuple) else [node.target]
            if not it.args:
                raise self.error(it, f"{kind}(...) needs at least one extent")
            if len(targets) != len(it.args):
                raise self.error(node, f"{kind} has {len(it.args)} dimension(s) but the loop "
                                       f"binds {len(targets)} variable(s)")
            specs = [(t, [a], fn is dsl.reduction) for t, a in zip(targets, it.args, strict=True)]
        elif fn is range:
            if not 1 <= len(it.args) <= 3:
                raise self.error(it, "range takes 1 to 3 arguments")
            specs = [(node.target, list(it.args), False)]
        else:
            raise self.error(it, f"cannot loop over '{ast.unparse(it.func)}': use range, grid "
                                 "or reduction")
        for t, _, _ in specs:
            if not isinstance(t, ast.Name):
                raise self.error(node, "a loop variable must be a plain name")
        keywords = self._loop_keywords(it, fn)
        names: list[str] = []
        at = len(self.loop_keywords)  # this band's requests go before those of inner loops
        self._nest(node, specs, keywords.get("name"), names)
        self._record_keywords(it, keywords, names, at)

    def _loop_keywords(self, it: ast.Call, fn: Any) -> dict[str, Any]:
        """The keywords of a loop call, checked: `name` a string, `pipeline` True or an
        initiation interval >= 1, `unroll` True or a factor >= 1 (False: not asked)."""
        called = ast.unparse(it.func)
        out: dict[str, Any] = {}
        for kw in it.keywords:
            if kw.arg is None:
                raise self.error(kw.value, f"{called}(...) does not take **keywords")
            if fn is range or kw.arg not in LOOP_KEYWORDS:
                valid = "none" if fn is range else ", ".join(f"{k}=" for k in LOOP_KEYWORDS)
                raise self.error(kw.value, f"unknown keyword '{kw.arg}' for {called}(...); "
                                           f"valid keywords: {valid}")
            if kw.arg == "name":
                v: Any = kw.value.value if isinstance(kw.value, ast.Constant) else \
                    self.static_value(kw.value)
                if not isinstance(v, str) or not v or not all(
                        c.isalnum() or c in "_." for c in v):
                    raise self.error(kw.value, f"name= must be a non-empty string of letters, "
                                               f"digits, '_' and '.', got {v!r}")
            else:
                v = kw.value.value if isinstance(kw.value, ast.Constant) else \
                    self.scalar(kw.value)
                least = "an initiation interval" if kw.arg == "pipeline" else "a factor"
                if not isinstance(v, int) or (not isinstance(v, bool) and v < 1):
                    shown = repr(v) if isinstance(v, (str, float, int)) else \
                        f"{self.describe(v)} (not a constant)"
                    raise self.error(kw.value, f"{kw.arg}= must be True, False or {least} "
                                               f"(an integer >= 1), got {shown}")
                if v is False:
                    continue
                v = (1 if kw.arg == "pipeline" else 0) if v is True else int(v)
            out[kw.arg] = v
        return out

    def _record_keywords(self, it: ast.Call, keywords: dict[str, Any], names: list[str],
                         at: int) -> None:
        line, col = self.src.position(it)
        rel = getattr(it, "lineno", 1) - 1
        text = self.src.lines[rel] if 0 <= rel < len(self.src.lines) else ""
        asked = []
        if "pipeline" in keywords:
            asked.append((names[-1], "pipeline", keywords["pipeline"]))
        if "unroll" in keywords:
            asked += [(n, "unroll", keywords["unroll"]) for n in names]
        self.loop_keywords[at:at] = [
            LoopKeyword(self.func_name, loop, kind, value, self.src.filename, line, col, text)
            for loop, kind, value in asked]

    def _nest(self, node: ast.For, specs: list, band: str | None = None,
              names: list[str] | None = None) -> None:
        if not specs:
            self.depth += 1
            self.block(node.body)
            self.depth -= 1
            return
        target, args, is_reduction = specs[0]
        var = target.id
        if var in self.symbols:
            raise self.error(target, f"loop variable '{var}' shadows an existing name")
        if len(args) == 1:
            start, stop, step = 0, self.scalar(args[0]), 1
        else:
            start, stop = self._bound(args[0], "max"), self._bound(args[1], "min")
            step = self.scalar(args[2]) if len(args) == 3 else 1
        if not isinstance(step, int) or step == 0:
            raise self.error(node, "a loop step must be a non-zero integer constant")
        for what, b in (("lower bound", start), ("upper bound", stop), ("step", step)):
            if not all(_fits_index(c) for c in _constants(b)):
                raise self.error(node, f"the loop's {what} has a constant outside the 64-bit "
                                 "index range (-2**63 .. 2**63 - 1)")
        name = self.unique_loop_name(f"{band}.{var}" if band else var)
        if names is not None:
            names.append(name)
        body_ip, var_value, yield_op = self._open_loop(node, start, stop, step, name, is_reduction)
        self.symbols[var] = var_value
        with body_ip:
            self._nest(node, specs[1:], band, names)
            yield_op([])
        del self.symbols[var]

    def _bound(self, node: ast.expr, combine: str) -> Any:
        """A loop bound; `max(...)` in a lower / `min(...)` in an upper bound may stay affine."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == combine and node.func.id not in self.symbols:
            parts = [self.scalar(a) for a in node.args]
            if len(parts) >= 2 and all(isinstance(p, (int, Aff)) for p in parts):
                if all(isinstance(p, int) for p in parts):
                    return max(parts) if combine == "max" else min(parts)
                return ("multi", parts)
            acc = parts[0]
            for p in parts[1:]:
                acc = self.binary(combine, acc, p, node)
            return acc
        return self.scalar(node)

    def _parts(self, b: Any) -> list[Any]:
        return b[1] if isinstance(b, tuple) else [b]

    def _affine(self, b: Any) -> bool:
        return all(isinstance(p, (int, Aff)) and not isinstance(p, bool) for p in self._parts(b))

    def _map(self, parts: list[Any]) -> tuple[AffineMap, list[Value]]:
        dims = sorted(set().union(*(p.dims() for p in parts if isinstance(p, Aff))))
        pos = {k: n for n, k in enumerate(dims)}
        exprs = [p.to_mlir(pos) if isinstance(p, Aff) else _const_expr(p) for p in parts]
        return AffineMap.get(len(dims), 0, exprs), [self.dims[k] for k in dims]

    def _interval(self, parts: list[Any], pick) -> int | None:  # noqa: ANN001
        vals = []
        for p in parts:
            if isinstance(p, int):
                vals.append((p, p))
            else:
                r = p.interval(self.dim_ranges)
                if r is None:
                    return None
                vals.append(r)
        return pick(vals)

    def _open_loop(self, node: ast.For, start: Any, stop: Any, step: int, name: str,
                   is_reduction: bool) -> tuple[InsertionPoint, Any, Any]:
        if self._affine(start) and self._affine(stop):
            if step < 0:
                if isinstance(start, tuple) or isinstance(stop, tuple):
                    raise self.error(node, "a reversed range cannot use max/min bounds")
                s = -step
                trips = aff_add(aff_add(start, stop, -1), s - 1)
                ub = trips // s if isinstance(trips, int) else trips.divide("floordiv", s)
                loop = self._affine_for([0], [ub], 1)
                k = self._register(loop, 0, self._interval([ub], lambda v: v[0][1]), sub=1,
                                   exact=isinstance(ub, int))
                value = aff_add(start, Aff.dim(k).scale(-s))
            else:
                lbs, ubs = self._parts(start), self._parts(stop)
                loop = self._affine_for(lbs, ubs, step)
                lo = self._interval(lbs, lambda v: max(a for a, _ in v))
                hi = self._interval(ubs, lambda v: min(b for _, b in v))
                k = self._register(loop, lo, hi, sub=1,
                                   exact=step == 1 and all(isinstance(p, int) for p in lbs + ubs))
                value = Aff.dim(k)
            yield_op = affine.AffineYieldOp
        else:
            start, stop = self._combined(start, "max", node), self._combined(stop, "min", node)
            lb, ub = self.index_value(start, node), self.index_value(stop, node)
            if step > 0:
                loop = scf.ForOp(lb, ub, self.index_value(step, node))
                value = TV(loop.induction_variable, _index())
            else:
                trips = self.binary("//", self.binary("+", self.binary(
                    "-", TV(lb, _index()), TV(ub, _index()), node), -step - 1, node), -step, node)
                loop = scf.ForOp(self.index_value(0, node), self.index_value(trips, node),
                                 self.index_value(1, node))
                t = TV(loop.induction_variable, _index())
                with InsertionPoint(loop.body):  # i = lb - t * s, computed in the body
                    value = self.binary("-", TV(lb, _index()), self.binary("*", t, -step, node),
                                        node)
            yield_op = scf.YieldOp
        loop.attributes["loop_name"] = StringAttr.get(name)
        if is_reduction:
            loop.attributes["reduction"] = UnitAttr.get()
        return InsertionPoint(loop.body), value, yield_op

    def _combined(self, b: Any, combine: str, node: ast.AST) -> Any:
        if not isinstance(b, tuple):
            return b
        acc = b[1][0]
        for p in b[1][1:]:
            acc = self.binary(combine, acc, p, node)
        return acc

    def _affine_for(self, lbs: list[Any], ubs: list[Any], step: int) -> Any:
        lmap, lops = self._map(lbs)
        umap, uops = self._map(ubs)
        return affine.AffineForOp(lmap, umap, step, lower_bound_operands=lops,
                                  upper_bound_operands=uops)

    def _register(self, loop: Any, lo: int | None, hi: int | None, sub: int,
                  exact: bool = False) -> int:
        """A new loop dimension with its range [lo, hi - sub] when known; `exact` when the
        loop takes both ends (constant bounds, unit step)."""
        k = len(self.dims)
        self.dims.append(loop.induction_variable)
        known = lo is not None and hi is not None and lo <= hi - sub  # empty: nothing to check
        self.dim_ranges[k] = (lo, hi - sub) if known else None
        if known and exact:
            self.dim_exact.add(k)
        return k

    # ---- conditionals ------------------------------------------------------------------
    def emit_if(self, node: ast.If) -> None:
        cond = self._affine_condition(node.test)
        if cond is True or cond is False:
            self.block(node.body if cond else node.orelse)
            return
        has_else = bool(node.orelse)
        if cond is not None:
            dims = sorted(set().union(*(c.dims() for c, _ in cond if isinstance(c, Aff))))
            pos = {k: n for n, k in enumerate(dims)}
            iset = IntegerSet.get(len(dims), 0, [
                c.to_mlir(pos) if isinstance(c, Aff) else _const_expr(c) for c, _ in cond],
                [eq for _, eq in cond])
            op = affine.AffineIfOp(iset, cond_operands=[self.dims[k] for k in dims],
                                   has_else=has_else)
            term = affine.AffineYieldOp
        else:
            c = to_bool(self.to_tv(self.scalar(node.test), node.test))
            op = scf.IfOp(c.value, [], has_else=has_else)
            term = scf.YieldOp
        self.depth += 1
        self.guards += 1
        with InsertionPoint(op.then_block):
            self.block(node.body)
            term([])
        if has_else:
            with InsertionPoint(op.else_block):
                self.block(node.orelse)
                term([])
        self.guards -= 1
        self.depth -= 1

    def _affine_condition(self, test: ast.expr) -> Any:
        """Constraints `(expr, is_equality)` (expr >= 0 or == 0) for an affine test, a Python
        bool for a constant test, else None."""
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            out: list = []
            for v in test.values:
                c = self._affine_condition(v)
                if c is False:
                    return False
                if c is None:
                    return None
                if c is not True:
                    out += c
            return out or True
        if not isinstance(test, ast.Compare) or len(test.ops) != 1:
            return self._constant_test(test)
        a, b = self.scalar(test.left), self.scalar(test.comparators[0])
        if not all(isinstance(x, (int, Aff)) and not isinstance(x, bool) for x in (a, b)):
            return None
        if isinstance(a, int) and isinstance(b, int):
            return self.compare_values(_CMP[type(test.ops[0])], a, b, test)
        op = type(test.ops[0])
        forms = {ast.Lt: (b, a, -1), ast.LtE: (b, a, 0), ast.Gt: (a, b, -1), ast.GtE: (a, b, 0),
                 ast.Eq: (a, b, 0)}
        if op not in forms:
            return None
        hi, lo, shift = forms[op]
        return [(aff_add(aff_add(hi, lo, -1), shift), op is ast.Eq)]

    def _constant_test(self, test: ast.expr) -> Any:
        if isinstance(test, (ast.Constant, ast.Name, ast.Attribute)):
            try:
                v = self.scalar(test)
            except Exception:  # noqa: BLE001 - not a constant: let the general path report it
                return None
            if isinstance(v, (int, float)):
                return bool(v)
        return None


_CMP = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


def _const_expr(c: int) -> AffineExpr:
    return AffineConstantExpr.get(c)


def _index() -> Index:
    return Index()


def _constants(b: Any) -> list[int]:
    """The integer constants of a loop bound: a constant, an affine expression's constant
    and coefficients, or those of each part of a `max`/`min` bound."""
    if isinstance(b, tuple):
        return [c for p in b[1] for c in _constants(p)]
    if isinstance(b, bool):
        return []
    if isinstance(b, int):
        return [b]
    if isinstance(b, Aff):
        return [b.const, *(c for _, c in b.terms)]
    return []


def _fits_index(c: int) -> bool:
    """`c` is a value of MLIR's 64-bit `index` type (what a loop bound is emitted as)."""
    return -(2**63) <= c < 2**63
