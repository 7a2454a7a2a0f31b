"""Lowering a `@df.region()` to one kernel function: the law.

The region `top(args)` becomes the function `top(args)` whose body is
1. one local 1-D array per concrete channel `s` (a scalar stream, or one cell `s[a, b]` of a
   stream array, named `s` / `s_a_b`), of length `n_s`, the number of its puts;
2. every kernel instance (mapping [P0, P1]: one per pid in range(P0) x range(P1), in
   row-major order) as one top-level loop nest `for <kernel>_<pid> in range(1): body`, the
   instances in a topological order of the graph "producer instance -> consumer instance"
   of the channels (a cycle is a FrontendError naming its channels). In each instance
   body the pid names (`i, j = df.get_pid()`) are the pid's constants, `meta_if` chains are
   resolved with them, the kernel's parameters are the region arguments given by
   `args=[...]` (else the region arguments of the same names) and every local is renamed
   `<local>_<instance>`;
3. the k-th put of a channel (k = 0, 1, ..., counted in execution order) is the store
   `s[k] = v` and its k-th get the load `s[k]`: the rank k of the single put (get) statement
   of a channel inside a rectangular loop nest with loops (v_m, lo_m, step_m, trip_m) is
   sum_m ((v_m - lo_m) / step_m) * prod_{m' > m} trip_m', affine in the loop variables.

So a FIFO delivers the k-th put to the k-th get, which is exactly what the array does in
the LLVM simulation. Refused (FrontendError, at the statement): a put/get under a
data-dependent `if`/`while`, inside `meta_for`, in a loop with bounds that are not
compile-time constants (triangular), two put (or get) statements of one channel, total
puts != total gets, block streams, a stream used other than by `.put`/`.get`.
"""

from __future__ import annotations

import ast
import builtins
import copy
import itertools
import types
from dataclasses import dataclass
from typing import Any

from allo_verify.df.channels import Access, ChannelLowering, Decl, InstanceContext
from allo_verify.df.stream_type import StreamType
from allo_verify.errors import FrontendError, message_of
from allo_verify.lang.annotations import META_MARKERS
from allo_verify.lang.kernel import SourceInfo, namespace_of, parse_function
from allo_verify.lang.types import ArrayType, DType


@dataclass
class Lowered:
    """The lowered region: the kernel function to customize and its channels."""

    fn: Any
    region: str
    channels: dict[str, tuple[StreamType, int]]  # array -> (declared type, puts)
    consumers: dict[str, str]  # array -> consumer instance (stage) name
    instances: list[str]
    src: SourceInfo


def _marker(fn: Any) -> str:
    return getattr(fn, "__allo_df__", "")


class RegionLowering(ChannelLowering):
    """One region's lowering (see the module docstring)."""

    def __init__(self, pyfn: Any) -> None:
        self.pyfn = pyfn
        self.fdef, self.src = parse_function(pyfn)
        self.ns = namespace_of(pyfn)
        self.decls: dict[str, Decl] = {}
        self.accesses: dict[str, list[Access]] = {}
        self.synthetic: dict[str, Any] = {}

    def error(self, node: ast.AST, msg: str) -> FrontendError:
        return self.src.error(node, msg)

    # ---- compile-time values -------------------------------------------------------------
    def static(self, node: ast.expr, env: dict[str, Any] | None = None) -> Any:
        code = compile(ast.fix_missing_locations(ast.Expression(copy.deepcopy(node))),
                       self.src.filename, "eval")
        return eval(code, {"__builtins__": builtins, **self.ns}, dict(env or {}))  # noqa: S307

    def try_static(self, node: ast.expr, env: dict[str, Any]) -> tuple[bool, Any]:
        try:
            return True, self.static(node, env)
        except Exception:  # noqa: BLE001 - not a compile-time value
            return False, None

    # ---- the region body -----------------------------------------------------------------
    def run(self) -> Lowered:
        f = self.fdef
        if f.returns is not None and not (isinstance(f.returns, ast.Constant)
                                          and f.returns.value is None):
            raise self.error(f, f"df.region '{f.name}' cannot return a value (outputs are "
                                "arguments written in place)")
        params = [a.arg for a in f.args.args]
        kernels: list[tuple[ast.FunctionDef, tuple[int, ...], dict[str, str]]] = []
        for st in f.body:
            if isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant):
                continue
            if isinstance(st, ast.Pass):
                continue
            if isinstance(st, ast.AnnAssign) and st.value is None \
                    and isinstance(st.target, ast.Name):
                self._declare(st)
                continue
            if isinstance(st, ast.FunctionDef):
                kernels.append(self._kernel_def(st, params))
                continue
            raise self.error(st, f"a df.region body holds only Stream declarations "
                                 f"('name: Stream[T, depth]') and @df.kernel definitions, "
                                 f"not '{ast.unparse(st).splitlines()[0]}' (put the "
                                 "computation in a kernel)")
        if not kernels:
            raise self.error(f, f"df.region '{f.name}' defines no @df.kernel")
        bodies: dict[str, list[ast.stmt]] = {}
        order: list[str] = []
        for kdef, mapping, argmap in kernels:
            for pid in itertools.product(*[range(p) for p in mapping]):
                inst = "_".join([kdef.name, *map(str, pid)])
                bodies[inst] = self._instance(kdef, pid, mapping, argmap, inst)
                order.append(inst)
        channels, consumers, edges = self._channels()
        order = self._topological(order, edges)
        body: list[ast.stmt] = []
        for arr, (st, n) in channels.items():
            tname = f"__df_type_{arr}"
            self.synthetic[tname] = st.dtype[n]
            body.append(ast.copy_location(ast.AnnAssign(
                target=ast.Name(arr, ast.Store()), annotation=ast.Name(tname, ast.Load()),
                value=None, simple=1), self.decls[arr.split("__")[0]].node))
        for inst in order:
            body.append(ast.copy_location(ast.For(
                target=ast.Name(inst, ast.Store()),
                iter=ast.Call(ast.Name("range", ast.Load()), [ast.Constant(1)], []),
                body=bodies[inst] or [ast.Pass()], orelse=[]), f))
        new = ast.FunctionDef(name=f.name, args=f.args, body=body, decorator_list=[],
                              returns=None, type_params=[])
        ast.copy_location(new, f)
        ast.fix_missing_locations(new)
        g = dict(self.pyfn.__globals__) | self.synthetic
        fn = types.FunctionType(self.pyfn.__code__, g, f.name, None, self.pyfn.__closure__)
        fn.__allo_verify_ast__ = (new, self.src)  # type: ignore[attr-defined]
        fn.__annotations__ = dict(getattr(self.pyfn, "__annotations__", {}))
        return Lowered(fn, f.name, channels, consumers, order, self.src)

    def _declare(self, st: ast.AnnAssign) -> None:
        name = st.target.id  # type: ignore[union-attr]
        try:
            t = self.static(st.annotation)
        except Exception as e:  # noqa: BLE001
            raise self.error(st, f"stream declaration '{ast.unparse(st)}': {message_of(e)}"
                             ) from None
        if not isinstance(t, StreamType):
            raise self.error(st, f"'{ast.unparse(st)}': a region declares only streams "
                                 "(Stream[T, depth]); local arrays belong in a kernel")
        if isinstance(t.dtype, ArrayType):
            raise self.error(st, f"not supported: block stream '{name}: {t.describe()}' "
                                 "(a stream of arrays); stream the elements one by one")
        if "__" in name:
            raise self.error(st, f"stream name '{name}' must not contain '__'")
        self.decls[name] = Decl(name, t, st)

    def _kernel_def(self, st: ast.FunctionDef, params: list[str]
                    ) -> tuple[ast.FunctionDef, tuple[int, ...], dict[str, str]]:
        deco = None
        for d in st.decorator_list:
            call = d if isinstance(d, ast.Call) else None
            ok, fn = self.try_static(call.func if call else d, {})
            if ok and _marker(fn) == "kernel":
                if call is None:
                    raise self.error(d, "write @df.kernel(mapping=[...]) with a mapping")
                deco = call
        if deco is None or len(st.decorator_list) != 1:
            raise self.error(st, f"function '{st.name}' in a df.region must be decorated "
                                 "with @df.kernel(mapping=[...]) (and nothing else)")
        kw = {k.arg: k.value for k in deco.keywords}
        if deco.args or set(kw) - {"mapping", "args"} or "mapping" not in kw:
            raise self.error(deco, "df.kernel takes mapping=[P0, ...] and optionally "
                                   "args=[region arguments]")
        ok, mapping = self.try_static(kw["mapping"], {})
        if not ok or not isinstance(mapping, (list, tuple)) or not mapping or not all(
                isinstance(p, int) and not isinstance(p, bool) and p > 0 for p in mapping):
            raise self.error(kw["mapping"], f"mapping must be a list of positive ints, got "
                                            f"'{ast.unparse(kw['mapping'])}'")
        kparams = [a.arg for a in st.args.args]
        if "args" in kw:
            given = kw["args"]
            if not isinstance(given, (ast.List, ast.Tuple)) or not all(
                    isinstance(e, ast.Name) and e.id in params for e in given.elts):
                raise self.error(given, f"args must be a list of the region's arguments "
                                        f"({', '.join(params)})")
            names = [e.id for e in given.elts]  # type: ignore[attr-defined]
            if len(names) != len(kparams):
                raise self.error(given, f"kernel '{st.name}' has {len(kparams)} parameters "
                                        f"but args lists {len(names)}")
            argmap = dict(zip(kparams, names, strict=True))
        else:
            missing = [p for p in kparams if p not in params]
            if missing:
                raise self.error(st, f"kernel '{st.name}' parameter '{missing[0]}' is not a "
                                     "region argument (pass args=[...])")
            argmap = {p: p for p in kparams}
        return st, tuple(mapping), argmap

    # ---- one instance ----------------------------------------------------------------
    def _instance(self, kdef: ast.FunctionDef, pid: tuple[int, ...], mapping: tuple[int, ...],
                  argmap: dict[str, str], inst: str) -> list[ast.stmt]:
        pidnames: dict[str, Any] = {}
        body: list[ast.stmt] = []
        for st in kdef.body:
            if isinstance(st, ast.Assign) and isinstance(st.value, ast.Call) and \
                    self.try_static(st.value.func, {})[1] is not None and \
                    _marker(self.try_static(st.value.func, {})[1]) == "get_pid":
                tgt = st.targets[0]
                if isinstance(tgt, ast.Tuple) and len(tgt.elts) == len(pid) and all(
                        isinstance(e, ast.Name) for e in tgt.elts):
                    pidnames.update({e.id: v for e, v in zip(tgt.elts, pid, strict=True)})
                elif isinstance(tgt, ast.Name) and len(pid) == 1:
                    pidnames[tgt.id] = pid[0]
                elif isinstance(tgt, ast.Name):
                    pidnames[tgt.id] = pid
                else:
                    raise self.error(st, f"df.get_pid() gives {len(pid)} values here "
                                         f"(mapping {list(mapping)})")
                continue
            body.append(st)
        local_names = {n.id for s in body for n in ast.walk(s)
                       if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        local_names -= set(pidnames)
        ctx = InstanceContext(inst, pidnames, argmap, local_names)
        return self._block(body, ctx)

    def _meta(self, st: ast.stmt) -> str:
        if isinstance(st, ast.With) and len(st.items) == 1 and \
                isinstance(st.items[0].context_expr, ast.Call):
            ok, fn = self.try_static(st.items[0].context_expr.func, {})
            if ok:
                return META_MARKERS.get(id(fn), "")
        return ""

    def _cond(self, st: ast.With, ctx: InstanceContext) -> bool:
        call = st.items[0].context_expr
        assert isinstance(call, ast.Call)
        if not call.args:
            return True  # meta_else
        expr = self._expr(call.args[0], ctx)
        ok, v = self.try_static(expr, {})
        if not ok:
            raise self.error(st, f"meta condition '{ast.unparse(call.args[0])}' is not a "
                                 "compile-time constant for this kernel instance")
        return bool(v)

    def _block(self, stmts: list[ast.stmt], ctx: InstanceContext) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        k = 0
        while k < len(stmts):
            st = stmts[k]
            kind = self._meta(st)
            if kind == "meta_if":
                chain = [st]
                while k + 1 < len(stmts) and self._meta(stmts[k + 1]) in ("meta_elif",
                                                                           "meta_else"):
                    k += 1
                    chain.append(stmts[k])
                    if self._meta(stmts[k]) == "meta_else":
                        break
                for c in chain:
                    if self._cond(c, ctx):  # type: ignore[arg-type]
                        out += self._block(c.body, ctx)
                        break
                k += 1
                continue
            if kind in ("meta_elif", "meta_else"):
                raise self.error(st, f"{kind} must follow a meta_if or meta_elif")
            out += self._stmt(st, ctx, kind)
            k += 1
        return out

    def _stmt(self, st: ast.stmt, ctx: InstanceContext, kind: str) -> list[ast.stmt]:
        if isinstance(st, (ast.FunctionDef, ast.Return, ast.ClassDef, ast.AsyncFunctionDef)):
            raise self.error(st, "not supported in a df.kernel: nested definitions and return")
        if isinstance(st, ast.For):
            loop = self._loop(st, ctx)
            new = copy.copy(st)
            new.target = self._expr(st.target, ctx)  # type: ignore[assignment]
            new.iter = self._expr(st.iter, ctx)
            ctx.loops.append(loop)
            try:
                new.body = self._block(st.body, ctx)
            finally:
                ctx.loops.pop()
            if st.orelse:
                raise self.error(st, "for ... else is not supported in a kernel")
            return [new]
        if isinstance(st, (ast.If, ast.While, ast.With, ast.Try)):
            what = {"If": "data-dependent if", "While": "while loop", "With": kind or "with",
                    "Try": "try"}[type(st).__name__]
            new = copy.copy(st)
            if isinstance(st, (ast.If, ast.While)):
                new.test = self._expr(st.test, ctx)  # type: ignore[union-attr]
            if isinstance(st, ast.With):
                new.items = [ast.withitem(self._expr(i.context_expr, ctx),  # type: ignore
                                          self._expr(i.optional_vars, ctx)
                                          if i.optional_vars else None) for i in st.items]
            saved = ctx.guard
            ctx.guard = saved or what
            try:
                new.body = self._block(st.body, ctx)  # type: ignore[union-attr]
                if getattr(st, "orelse", None):
                    new.orelse = self._block(st.orelse, ctx)  # type: ignore[union-attr]
            finally:
                ctx.guard = saved
            return [new]
        put = self._put_call(st)
        if put is not None:
            ref, value = put
            arr = self._channel(ref, ctx, "put", st)
            self._check_put_type(arr, value, ctx, st)
            tgt = ast.Subscript(ast.Name(arr, ast.Load()), self._rank(ctx, st, arr, "put"),
                                ast.Store())
            return [ast.copy_location(ast.Assign([tgt], self._expr(value, ctx)), st)]
        if isinstance(st, ast.Expr) and self._get_call(st.value) is not None:
            ctx.sinks += 1
            arr_t = self._get_type(st.value, ctx)
            sink = f"__df_sink_{ctx.sinks}_{ctx.inst}"
            tname = f"__df_sinktype_{sink}"
            self.synthetic[tname] = arr_t
            return [ast.copy_location(ast.AnnAssign(
                ast.Name(sink, ast.Store()), ast.Name(tname, ast.Load()),
                self._expr(st.value, ctx), 1), st)]
        if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
            ok, t = self.try_static(st.annotation, {})
            if ok:
                ctx.local_types[st.target.id] = t
            if st.value is not None and self._get_call(st.value) is not None and ok:
                gt = self._get_type(st.value, ctx)
                if isinstance(t, DType) and t != gt:
                    raise self.error(st, f"get of the wrong type: stream element type is "
                                         f"{gt!r}, but '{st.target.id}' is declared {t!r}")
        return [self._expr(st, ctx)]  # type: ignore[list-item]


def lower_region(pyfn: Any) -> Lowered:
    """The lowered form of the region function `pyfn` (see the module docstring)."""
    return RegionLowering(pyfn).run()
