"""Channels of a lowered `@df.region()`: each put and get becomes an array access.

Law (the rank of a FIFO access): the single put (get) statement of a concrete channel inside
a rectangular loop nest with loops (v_m, lo_m, step_m, trip_m) runs for its k-th time at
k = sum_m ((v_m - lo_m) / step_m) * prod_{m' > m} trip_m', affine in the loop variables, so
the k-th put is the store `s[k] = v` and the k-th get the load `s[k]`. Refused
(FrontendError, at the statement): a put/get under data-dependent control or in a loop whose
bounds are not compile-time constants, two put (or get) statements of one channel, puts !=
gets, a get or put of the wrong element type, a stream used other than by `.put`/`.get`, and
instances that form a cycle through streams.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
from math import prod
from typing import TYPE_CHECKING, Any

from allo_verify.lang.dsl import grid, reduction
from allo_verify.lang.types import DType

if TYPE_CHECKING:
    from allo_verify.df.stream_type import StreamType
    from allo_verify.errors import FrontendError
    from allo_verify.lang.kernel import SourceInfo


@dataclass
class Decl:
    """A stream declaration of the region."""

    name: str
    type: StreamType
    node: ast.AST


@dataclass
class Access:
    """One put or get statement of a concrete channel in one instance."""

    instance: str
    kind: str  # "put" | "get"
    node: ast.AST
    count: int  # how many times it runs


@dataclass
class RectLoop:
    """One loop of a rectangular nest: variable (renamed per instance), start, step, trips."""

    var: str
    lo: int
    step: int
    trip: int


@dataclass
class InstanceContext:
    """Per-instance state of the lowering."""

    inst: str
    pid: dict[str, Any]
    params: dict[str, str]
    locals: set[str]
    loops: list[RectLoop | None] = field(default_factory=list)  # None: not rectangular
    guard: str = ""  # non-empty: inside data-dependent control (its kind)
    local_types: dict[str, Any] = field(default_factory=dict)
    sinks: int = 0


class ChannelLowering:
    """Mixin of `RegionLowering`: loops, ranks, stream accesses and the channel graph."""

    # provided by RegionLowering
    decls: dict[str, Decl]
    accesses: dict[str, list[Access]]
    synthetic: dict[str, Any]
    ns: dict[str, Any]
    src: SourceInfo
    fdef: ast.FunctionDef

    def error(self, node: ast.AST, msg: str) -> FrontendError:  # pragma: no cover - overridden
        raise NotImplementedError

    def try_static(self, node: ast.expr, env: dict[str, Any]
                   ) -> tuple[bool, Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    # ---- loops and ranks -------------------------------------------------------------
    def _loop(self, st: ast.For, ctx: InstanceContext) -> list[RectLoop] | None:
        it = st.iter
        if not isinstance(it, ast.Call):
            return None
        ok, fn = self.try_static(it.func, {})
        if not ok or fn not in (range, grid, reduction):
            return None
        args = [self._expr(a, ctx) for a in it.args]
        vals = []
        for a in args:
            ok, v = self.try_static(a, {})
            if not ok or not isinstance(v, int):
                return None
            vals.append(v)
        tgt = st.target
        names = [e.id for e in tgt.elts] if isinstance(tgt, ast.Tuple) and all(
            isinstance(e, ast.Name) for e in tgt.elts) else \
            [tgt.id] if isinstance(tgt, ast.Name) else None
        if names is None:
            return None
        names = [f"{n}_{ctx.inst}" for n in names]
        if fn is grid:
            if len(vals) != len(names):
                return None
            return [RectLoop(n, 0, 1, max(0, v)) for n, v in zip(names, vals, strict=True)]
        r = range(*vals)
        if len(names) != 1 or r.step < 0:
            return None
        return [RectLoop(names[0], r.start, r.step, len(r))]

    def _rank(self, ctx: InstanceContext, st: ast.stmt, arr: str, kind: str) -> ast.expr:
        if ctx.guard:
            raise self.error(st, f"not supported: {kind} on stream '{arr}' inside a "
                                 f"{ctx.guard}: a channel's puts and gets must run a fixed "
                                 "number of times, whatever the data")
        loops: list[RectLoop] = []
        for group in ctx.loops:
            if group is None:
                raise self.error(st, f"not supported: {kind} on stream '{arr}' inside a loop "
                                     "whose bounds are not compile-time constants "
                                     "(a triangular or data-dependent loop)")
            loops += group  # type: ignore[arg-type]
        terms = []
        for m, lp in enumerate(loops):
            idx = f"({lp.var} - {lp.lo})" if lp.step == 1 else \
                f"(({lp.var} - {lp.lo}) // {lp.step})"
            inner = prod(x.trip for x in loops[m + 1:])
            terms.append(f"{idx} * {inner}")
        count = prod(x.trip for x in loops)
        self.accesses.setdefault(arr, []).append(Access(ctx.inst, kind, st, count))
        expr = ast.parse(" + ".join(terms) or "0", mode="eval").body
        return ast.copy_location(expr, st)

    # ---- streams ---------------------------------------------------------------------
    def _put_call(self, st: ast.stmt) -> tuple[ast.expr, ast.expr] | None:
        if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
            c = st.value
            if isinstance(c.func, ast.Attribute) and c.func.attr == "put" and \
                    self._stream_base(c.func.value) is not None:
                if len(c.args) != 1 or c.keywords:
                    raise self.error(st, "put takes one value")
                return c.func.value, c.args[0]
        return None

    def _get_call(self, e: ast.expr) -> ast.expr | None:
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) and \
                e.func.attr == "get" and not e.args and \
                self._stream_base(e.func.value) is not None:
            return e.func.value
        return None

    def _stream_base(self, ref: ast.expr) -> str | None:
        base = ref.value if isinstance(ref, ast.Subscript) else ref
        if isinstance(base, ast.Name) and base.id in self.decls:
            return base.id
        if isinstance(base, ast.Name) and base.id not in self.ns:
            return base.id  # an undeclared name used as a stream: reported by _channel
        return None

    def _channel(self, ref: ast.expr, ctx: InstanceContext, kind: str, st: ast.AST) -> str:
        base = ref.value if isinstance(ref, ast.Subscript) else ref
        assert isinstance(base, ast.Name)
        d = self.decls.get(base.id)
        if d is None:
            raise self.error(st, f"{kind} on an undeclared stream '{base.id}' (declare it "
                                 f"in the region: '{base.id}: Stream[T, depth]')")
        if not isinstance(ref, ast.Subscript):
            if d.type.shape:
                raise self.error(st, f"stream array '{d.name}' needs a subscript "
                                     f"{list(d.type.shape)} for {kind}")
            return d.name
        if not d.type.shape:
            raise self.error(st, f"stream '{d.name}' is not an array of streams")
        ok, idx = self.try_static(self._expr(ref.slice, ctx), {})
        idx = idx if isinstance(idx, tuple) else (idx,)
        if not ok or len(idx) != len(d.type.shape) or not all(
                isinstance(i, int) and 0 <= i < n for i, n in zip(idx, d.type.shape,
                                                                  strict=False)):
            raise self.error(st, f"stream subscript '{ast.unparse(ref)}' must be compile-time "
                                 f"constants inside {list(d.type.shape)} for each instance "
                                 f"(here {ctx.inst}: {idx if ok else 'not constant'})")
        return "__".join([d.name, *map(str, idx)])

    def _get_type(self, call: ast.expr, ctx: InstanceContext) -> Any:
        ref = self._get_call(call)
        assert ref is not None
        base = ref.value if isinstance(ref, ast.Subscript) else ref
        d = self.decls.get(base.id)  # type: ignore[union-attr]
        if d is None:
            raise self.error(call, f"get on an undeclared stream '{base.id}'")  # type: ignore
        return d.type.dtype

    def _check_put_type(self, arr: str, value: ast.expr, ctx: InstanceContext, st: ast.AST) -> None:
        want = self.decls[arr.split("__")[0]].type.dtype
        if isinstance(value, ast.Name) and value.id in ctx.local_types:
            t = ctx.local_types[value.id]
            if isinstance(t, DType) and t != want:
                raise self.error(st, f"put of the wrong type: stream element type is "
                                     f"{want!r}, but '{value.id}' is {t!r}")

    def _expr(self, node: ast.AST, ctx: InstanceContext) -> Any:
        low = self

        class T(ast.NodeTransformer):
            def visit_Call(self, c: ast.Call) -> Any:  # noqa: N802
                ref = low._get_call(c)
                if ref is not None:
                    arr = low._channel(ref, ctx, "get", c)
                    return ast.copy_location(ast.Subscript(
                        ast.Name(arr, ast.Load()), low._rank(ctx, c, arr, "get"),  # type: ignore
                        ast.Load()), c)
                if isinstance(c.func, ast.Attribute) and c.func.attr == "put" and \
                        low._stream_base(c.func.value) is not None:
                    raise low.error(c, "put is a statement, not a value")
                return self.generic_visit(c)

            def visit_Name(self, n: ast.Name) -> Any:  # noqa: N802
                if n.id in ctx.pid:
                    return ast.copy_location(ast.Constant(ctx.pid[n.id]), n)
                if n.id in ctx.params:
                    return ast.copy_location(ast.Name(ctx.params[n.id], n.ctx), n)
                if n.id in ctx.locals:
                    return ast.copy_location(ast.Name(f"{n.id}_{ctx.inst}", n.ctx), n)
                if n.id in low.decls:
                    raise low.error(n, f"stream '{n.id}' is used only by .put(v) and .get()")
                return n

        return T().visit(copy.deepcopy(node))

    # ---- channels and order ----------------------------------------------------------
    def _channels(self) -> tuple[dict[str, tuple[StreamType, int]], dict[str, str],
                                 set[tuple[str, str, str]]]:
        channels: dict[str, tuple[StreamType, int]] = {}
        consumers: dict[str, str] = {}
        edges: set[tuple[str, str, str]] = set()
        for arr, accs in self.accesses.items():
            decl = self.decls[arr.split("__")[0]]
            shown = arr.replace("__", "[", 1).replace("__", ", ") + "]" if "__" in arr \
                else arr
            puts = [a for a in accs if a.kind == "put"]
            gets = [a for a in accs if a.kind == "get"]
            for group, what in ((puts, "put"), (gets, "get")):
                if len(group) > 1:
                    where = ", ".join(f"{a.instance} line {self.src.position(a.node)[0]}"
                                      for a in group)
                    raise self.error(group[1].node, f"not supported: stream {shown} has "
                                                    f"{len(group)} {what} statements ({where}); "
                                                    f"a channel needs one {what} statement")
            np_, ng = sum(a.count for a in puts), sum(a.count for a in gets)
            if np_ != ng:
                raise self.error(decl.node, f"stream {shown}: the counts differ: {np_} puts "
                                            f"but {ng} gets")
            if np_ == 0:
                continue
            channels[arr] = (decl.type, np_)
            consumers[arr] = gets[0].instance
            edges.add((puts[0].instance, gets[0].instance, shown))
        return channels, consumers, edges

    def _topological(self, order: list[str], edges: set[tuple[str, str, str]]) -> list[str]:
        """Instances in a topological order of the channel graph, stable in `order`."""
        pending = list(order)
        done: list[str] = []
        while pending:
            ready = [n for n in pending if not any(b == n and a in pending and a != n
                                                   for a, b, _ in edges)]
            if not ready:
                cyc = sorted(s for a, b, s in edges if a in pending and b in pending)
                raise self.error(self.fdef, f"not supported: the kernel instances form a "
                                            f"cycle through streams {', '.join(cyc)}")
            done.append(ready[0])
            pending.remove(ready[0])
        self_loops = sorted(s for a, b, s in edges if a == b)
        if self_loops:
            raise self.error(self.fdef, f"not supported: an instance both puts and gets "
                                        f"stream {self_loops[0]}")
        return done
