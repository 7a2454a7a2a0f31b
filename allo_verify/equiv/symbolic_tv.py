"""The L2 symbolic tier: size-independent equivalence of two affine functions.

Both functions become polyhedral programs (`affine_extract`) with exact dataflow
(`dataflow_isl`). A *pair node* is a pair (node n_A of statement S_A's tree, node n_B of
statement S_B's tree); its instances are pairs of iteration vectors (x, y) in D_SA x D_SB,
and it claims "n_A evaluated at x equals n_B evaluated at y". Each output cell c starts one
claim: (final writer of c in A, final writer of c in B). A claim is *locally justified* when
- both nodes are the same operation (same name, attributes, result type and result number):
  then it needs the claims on the operands, child by child, at the same (x, y);
- both are the same constant, the same scalar argument, or index expressions equal at (x, y);
- a node is a load: it is replaced by the value it reads (exact dataflow, piecewise, forwarded
  through copies by `copy_forward`): the root of the writer instance's tree (a new claim),
  or, where no instance wrote the cell, the input cell, which must be the same argument cell
  as the other side's input cell. An output cell one side never writes is that side's
  initial cell: a pseudo statement `I<k>_<array>` whose node reads it.
Edges E go from a claim to the claims it needs (affine maps over symbolic iteration
vectors). The claims needed by the outputs are R = O u E+(O), computed by isl's transitive
closure (an over-approximation when isl says it is not exact: checking more claims is still
sound). Every claim of R must be locally justified, else its set of failing instances is a
candidate refutation.

Law (induction on execution time): every needed claim refers to writer instances that run
strictly earlier than the instances that needed it, so if every claim of R is locally
justified, every claim of R holds for all input values, hence every output cell is computed
by the same operation tree over the same input cells: bit-identical results (floats: the same
operations on the same operands in the same order, reductions included). Recurrences (a
reduction chain, a time loop) are covered by the closure, which states the invariant of
the chain once rather than per iteration. Cost follows the program text: every question
(emptiness, inclusion, closure) is asked of isl about Presburger sets, exactly and without
enumerating iterations (no Z3 query is needed). `Refuted` only with a counterexample
confirmed by running both LLVM simulations; everything else is `Unknown` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import islpy as isl
from mlir import ir

from allo_verify.equiv.affine_extract import NotAffine, Program, Statement, extract_program
from allo_verify.equiv.claim_reach import reach
from allo_verify.equiv.copy_forward import forward
from allo_verify.equiv.dataflow_isl import Flow, array_box, compute, domain_set
from allo_verify.equiv.results import Proved, Result, Unknown

Side = tuple[int, tuple[int, ...]]



@dataclass
class Candidate:
    """A claim that is not locally justified on some reachable instances."""

    reason: str
    output: str
    cell: tuple[int, ...]
    unsupported: bool = False  # not a difference in computation (uninitialized read, ...)


@dataclass
class SymbolicOutcome:
    """What the symbolic tier found: a result (Proved or Unknown), or a candidate to confirm,
    and the scope words (constraints assumed, exactness of the closure)."""

    result: Result | None
    candidate: Candidate | None = None
    scope: dict[str, Any] = field(default_factory=dict)


def _node(tree: Any, path: tuple[int, ...]) -> Any:
    for k in path:
        tree = tree[5][k]
    return tree


def _renamed(expr: str, tag: str) -> str:
    return re.sub(r"\bd(\d+)\b", lambda m: f"{tag}{m.group(1)}", expr)


class _Checker:
    def __init__(self, ctx: isl.Context, pa: Program, pb: Program, fa: Flow, fb: Flow) -> None:
        self.ctx, self.p, self.f = ctx, (pa, pb), (fa, fb)
        self.pairs: dict[tuple[Side, Side], str] = {}
        self.todo: list[tuple[Side, Side]] = []
        self.edges: dict[tuple[str, str], isl.Map] = {}
        self.fails: list[tuple[isl.Set, str, bool]] = []
        self.doms = [[domain_set(ctx, s.acc) for s in p.statements] for p in (pa, pb)]
        self.fw = (forward(ctx, pa, fa), forward(ctx, pb, fb))
        # pseudo statements past the real ones: "the initial contents of array key at
        # cell x", x over the array's box (an output cell one side never writes)
        self.pseudo: list[dict[int, str]] = [{}, {}]

    def initial(self, side: int, key: str) -> int:
        """The pseudo statement of `side` whose instance x reads the initial cell key[x]."""
        for k, v in self.pseudo[side].items():
            if v == key:
                return k
        k = len(self.doms[side])
        shape = self.p[side].arrays[key].shape
        self.doms[side].append(array_box(self.ctx, key, shape).set_tuple_name(f"I{k}_{key}"))
        self.pseudo[side][k] = key
        return k

    def node(self, side: int, s: Side) -> Any:
        """The tree node of side s; a pseudo statement's only node is ("load", ("init",))."""
        if s[0] in self.pseudo[side]:
            return ("load", ("init",), "")
        return _node(self.stmt(side, s[0]).tree, s[1])

    # -- spaces -----------------------------------------------------------------------
    def stmt(self, side: int, k: int) -> Statement:
        return self.p[side].statements[k]

    def pair(self, a: Side, b: Side) -> str:
        key = (a, b)
        if key not in self.pairs:
            root = not key[0][1] and not key[1][1]
            self.pairs[key] = f"{'R' if root else 'P'}{len(self.pairs)}"
            self.todo.append(key)
        return self.pairs[key]

    def ident(self, side: int, k: int) -> isl.Map:
        return isl.Map.identity(self.doms[side][k].get_space().map_from_set()) \
            .intersect_domain(self.doms[side][k])

    def edge(self, a: Side, b: Side, ma: isl.Map, mb: isl.Map, ta: Side, tb: Side) -> None:
        """Claim (a, b) needs claim (ta, tb) at (ma(x), mb(y))."""
        src, dst = self.pair(a, b), self.pair(ta, tb)
        m = ma.product(mb).flatten_domain().flatten_range()
        m = m.set_tuple_name(isl.dim_type.in_, src).set_tuple_name(isl.dim_type.out, dst)
        self.add_edge(src, dst, m)

    def add_edge(self, src: str, dst: str, m: isl.Map) -> None:
        if m.is_empty():
            return
        key = (src, dst)
        self.edges[key] = self.edges[key].union(m).coalesce() if key in self.edges else m

    def fail(self, a: Side, b: Side, sa: isl.Set, sb: isl.Set, why: str,
             unsupported: bool = False) -> None:
        s = sa.flat_product(sb).set_tuple_name(self.pair(a, b))
        if not s.is_empty():
            self.fails.append((s, why, unsupported))

    # -- loads ------------------------------------------------------------------------
    def resolve(self, side: int, k: int, load: int) -> tuple[list[tuple[int, isl.Map]],
                                                              list[tuple[str, isl.Map]]]:
        """Where load `load` at instances of statement k gets its value, forwarded through
        copies (`copy_forward`): [(non-copy writer, map instance -> writer instance)] and
        [(array, map instance -> initial cell of that array)]."""
        if k in self.pseudo[side]:
            dom = self.doms[side][k]
            key = self.pseudo[side][k]
            ident = isl.Map.identity(dom.get_space().map_from_set())
            return [], [(key, ident.set_tuple_name(isl.dim_type.out, key))]
        p, fw = self.p[side], self.fw[side]
        st, ld = p.statements[k], p.loads[load]
        dims = ", ".join(st.acc.dims)
        proj = isl.Map.read_from_str(
            self.ctx, f"{{ {st.acc.name}[{dims}] -> {ld.name}[{', '.join(ld.dims)}] }}") \
            .intersect_domain(self.doms[side][k])
        out = []
        for tname, m in fw.writers[load].items():
            mm = proj.apply_range(m)
            if not mm.is_empty():
                out.append((int(tname[1:]), mm))
        inits = []
        for key, m in fw.initial[load].items():
            mm = proj.apply_range(m)
            if not mm.is_empty():
                inits.append((key, mm))
        return out, inits

    @staticmethod
    def domain_of(inits: list[tuple[str, isl.Map]], dom: isl.Set) -> isl.Set:
        """The instances (of domain `dom`) that read an initial cell."""
        out = dom.subtract(dom)
        for _, m in inits:
            out = out.union(m.domain())
        return out.coalesce()

    # -- one claim --------------------------------------------------------------------
    def process(self, a: Side, b: Side) -> None:
        na, nb = self.node(0, a), self.node(1, b)
        da, db = self.doms[0][a[0]], self.doms[1][b[0]]
        ia, ib = self.ident(0, a[0]), self.ident(1, b[0])
        if na[0] == "load":
            pieces, inits = self.resolve(0, a[0], na[1])
            for t, m in pieces:
                self.edge(a, b, m, ib, (t, ()), b)
            if not inits:
                return
            nosrc = self.domain_of(inits, da)
            if nb[0] != "load":
                self.fail(a, b, nosrc, db, f"an input cell of "
                          f"{self.arr_name(0, inits[0][0])} (a){self.only(0, a)} vs "
                          f"{self.what(nb)} (b)")
                return
            pb, inits_b = self.resolve(1, b[0], nb[1])
            for t, m in pb:
                self.edge(a, b, ia.intersect_domain(nosrc), m, a, (t, ()))
            if inits_b:
                self.inputs(a, b, inits, inits_b)
            return
        if nb[0] == "load":
            pb, inits_b = self.resolve(1, b[0], nb[1])
            for t, m in pb:
                self.edge(a, b, ia, m, a, (t, ()))
            if inits_b:
                self.fail(a, b, da, self.domain_of(inits_b, db), f"{self.what(na)} (a) vs "
                          f"an input cell of {self.arr_name(1, inits_b[0][0])} (b)"
                          f"{self.only(1, b)}")
            return
        if na[0] != nb[0]:
            self.fail(a, b, da, db, f"{self.what(na)} (a) vs {self.what(nb)} (b)")
            return
        if na[0] == "op":
            if na[1:5] != nb[1:5] or len(na[5]) != len(nb[5]):
                self.fail(a, b, da, db, f"{self.what(na)} (a) vs {self.what(nb)} (b)")
                return
            for k in range(len(na[5])):
                self.edge(a, b, ia, ib, (a[0], (*a[1], k)), (b[0], (*b[1], k)))
            return
        if na[0] in ("const", "arg"):
            if na != nb:
                self.fail(a, b, da, db, f"{self.what(na)} (a) vs {self.what(nb)} (b)")
            return
        if na[0] == "iv":
            if na[2] != nb[2]:
                self.fail(a, b, da, db, f"index of type {na[2]} (a) vs {nb[2]} (b)")
                return
            ea, eb = _renamed(na[1], "a"), _renamed(nb[1], "b")
            dims = [f"a{k}" for k in range(len(self.stmt(0, a[0]).acc.dims))] + \
                [f"b{k}" for k in range(len(self.stmt(1, b[0]).acc.dims))]
            diff = isl.Set.read_from_str(
                self.ctx, f"{{ [{', '.join(dims)}] : {ea} < {eb} or {ea} > {eb} }}")
            s = diff.intersect(da.flat_product(db).reset_tuple_id()) \
                .set_tuple_name(self.pair(a, b))
            if not s.is_empty():
                self.fails.append((s, f"index value {na[1]} (a) vs {nb[1]} (b)", False))
            return
        self.fail(a, b, da, db, f"unsupported node {na[0]}", True)

    def inputs(self, a: Side, b: Side, inits_a: list[tuple[str, isl.Map]],
               inits_b: list[tuple[str, isl.Map]]) -> None:
        """Both sides read initial cells: on every pair of instances, the same cell of the
        same argument (or constant global) array is needed."""
        for arr, ca in inits_a:
            for arr_b, cb in inits_b:
                na, nb = ca.domain(), cb.domain()
                xa, xb = self.p[0].arrays[arr], self.p[1].arrays[arr_b]
                if xa.kind not in ("arg", "global") or xb.kind not in ("arg", "global"):
                    self.fail(a, b, na, nb, "a read of an uninitialized local array", True)
                    continue
                if xa.kind != xb.kind or arr != arr_b or xa.shape != xb.shape:
                    self.fail(a, b, na, nb, f"input {xa.name} (a) vs input {xb.name} (b)")
                    continue
                same = ca.apply_range(cb.reverse()).wrap().flatten()
                bad = na.flat_product(nb).reset_tuple_id().subtract(same.reset_tuple_id())
                if not bad.is_empty():
                    self.fails.append((bad.set_tuple_name(self.pair(a, b)),
                                       f"different cells of input {xa.name}", False))

    def one_sided(self, on: str, oname: str, side: int, key: str, writers: dict[str, isl.Map],
                  unwritten: isl.Set, other_kind: str) -> None:
        """Cells of output `on` that `side` writes and the other side never writes: the
        other side's final value is its initial cell, so claim (final writer on `side`,
        initial contents of the other side's array at the same cell)."""
        other = 1 - side
        okey = dict(self.p[other].outputs)[oname]
        if unwritten.is_empty():
            return
        if other_kind != "arg":
            self.fails.append((unwritten, f"{oname}: written by ({'ab'[side]}) only", False))
            return
        init = (self.initial(other, okey), ())
        box = self.doms[other][init[0]]
        for tname, m in writers.items():
            mw = m.set_tuple_name(isl.dim_type.in_, on).intersect_domain(unwritten)
            if mw.is_empty():
                continue
            ident = isl.Map.identity(unwritten.get_space().map_from_set()) \
                .intersect_domain(unwritten)
            mi = isl.Map.from_domain_and_range(unwritten, box).intersect(
                ident.set_tuple_name(isl.dim_type.out, box.get_tuple_name()))
            w = (int(tname[1:]), ())
            pa_, pb_ = (w, init) if side == 0 else (init, w)
            m = (mw.range_product(mi) if side == 0 else mi.range_product(mw)).flatten_range()
            dst = self.pair(pa_, pb_)
            self.add_edge(on, dst, m.set_tuple_name(isl.dim_type.out, dst))

    def only(self, side: int, s: Side) -> str:
        """Words for a pseudo statement: the output cell is written by the other side only."""
        return f" (written by ({'ab'[1 - side]}) only)" if s[0] in self.pseudo[side] else ""

    def arr_name(self, side: int, key: str) -> str:
        return self.p[side].arrays[key].name

    @staticmethod
    def what(n: Any) -> str:
        if n[0] == "op":
            return f"{n[1]} : {n[3]}"
        if n[0] == "const":
            return f"constant {n[1]}"
        if n[0] == "arg":
            return f"scalar argument #{n[1]}"
        if n[0] == "iv":
            return f"index value {n[1]}"
        return n[0]

    # -- outputs ----------------------------------------------------------------------
    def outputs(self) -> tuple[dict[str, isl.Set], dict[str, tuple[str, tuple[int, ...]]]]:
        pa, pb = self.p
        start: dict[str, isl.Set] = {}
        names: dict[str, tuple[str, tuple[int, ...]]] = {}
        outs_b = dict(pb.outputs)
        for idx, (oname, key) in enumerate(pa.outputs):
            if oname not in outs_b:
                raise NotAffine(f"output {oname} of (a) is not an output of (b)")
            kb = outs_b[oname]
            xa, xb = pa.arrays[key], pb.arrays[kb]
            if xa.shape != xb.shape or xa.elem != xb.elem:
                raise NotAffine(f"output {oname} has different types")
            on = f"O{idx}"
            names[on] = (oname, xa.shape)
            box = array_box(self.ctx, key, xa.shape).set_tuple_name(on)
            start[on] = box
            fa_m, fa_n = self.f[0].finals[key]
            fb_m, fb_n = self.f[1].finals[kb]
            for ta, ma in fa_m.items():
                for tb, mb in fb_m.items():
                    m = ma.set_tuple_name(isl.dim_type.in_, on).range_product(
                        mb.set_tuple_name(isl.dim_type.in_, on)).flatten_range()
                    if m.is_empty():
                        continue
                    ra, rb = (int(ta[1:]), ()), (int(tb[1:]), ())
                    dst = self.pair(ra, rb)
                    self.add_edge(on, dst, m.set_tuple_name(isl.dim_type.out, dst))
            na = fa_n.set_tuple_name(on)
            nb = fb_n.set_tuple_name(on)
            self.one_sided(on, oname, 0, key, fa_m, nb.subtract(na), xb.kind)
            self.one_sided(on, oname, 1, kb, fb_m, na.subtract(nb), xa.kind)
            both = na.intersect(nb)
            if both.is_empty():
                continue
            # a cell neither writes holds its array's initial contents: equal only when both
            # outputs are the same input array (an argument, or a constant table)
            if xa.kind not in ("arg", "global") or xb.kind not in ("arg", "global"):
                self.fails.append((both, f"{oname}: cells never written", True))
            elif key != kb:
                self.fails.append((both, f"{oname}: never written, the initial contents of "
                                   f"{xa.name} (a) vs {xb.name} (b)", False))
        return start, names


def _func(mod: ir.Module, name: str) -> Any:
    for op in mod.body.operations:
        o = op.operation
        if o.name == "func.func" and ir.StringAttr(o.attributes["sym_name"]).value == name:
            return o
    raise NotAffine(f"no function @{name}")


def check_symbolic(mod_a: ir.Module, mod_b: ir.Module, fa: str, fb: str,
                   arg_names: list[str] | None) -> SymbolicOutcome:
    """Run the symbolic tier on `@fa` of `mod_a` against `@fb` of `mod_b` (see the module
    law). `result` is Proved or Unknown; when a claim fails, `candidate` names the output
    cell to confirm on the LLVM simulations."""
    scope: dict[str, Any] = {"tier": "symbolic"}
    try:
        with mod_a.context:
            ta = str(_func(mod_a, fa).attributes["function_type"])
        with mod_b.context:
            tb = str(_func(mod_b, fb).attributes["function_type"])
        if ta != tb:  # outputs pair up by position: only equal signatures compare
            raise NotAffine(f"the signatures differ: {ta} (a) vs {tb} (b)")
        with mod_a.context:
            pa = extract_program(_func(mod_a, fa), arg_names)
        with mod_b.context:
            pb = extract_program(_func(mod_b, fb), arg_names)
    except NotAffine as e:
        return SymbolicOutcome(Unknown(f"not affine: {e}"), None, scope)
    ctx = isl.Context()
    flows = []
    for p in (pa, pb):
        fl = compute(ctx, p)
        if not fl.bounds_ok:
            return SymbolicOutcome(Unknown(f"possible out-of-bounds access: {fl.bounds_note}"),
                                   None, scope)
        flows.append(fl)
    chk = _Checker(ctx, pa, pb, flows[0], flows[1])
    try:
        start, onames = chk.outputs()
    except NotAffine as e:
        return SymbolicOutcome(Unknown(str(e)), None, scope)
    while chk.todo:
        a, b = chk.todo.pop()
        chk.process(a, b)
    rc = reach(ctx, start, chk.edges)
    scope.update(claims=len(chk.pairs), statements=[len(pa.statements), len(pb.statements)],
                 closure_exact=rc.exact and chk.fw[0].exact and chk.fw[1].exact,
                 recurrences_closed=rc.complete,
                 sizes={pa.arrays[k].name: list(pa.arrays[k].shape)
                        for k in pa.arrays if pa.arrays[k].kind == "arg"},
                 assumed="array shapes and loop bounds are the constants of the IR; the "
                         "proof's cost does not depend on them")
    for fset, why, unsupported in chk.fails:
        name = fset.get_tuple_name()
        if name not in rc.maps:
            continue
        hit = rc.maps[name].intersect_range(isl.UnionSet.from_set(fset))
        if hit.is_empty():
            continue
        q = hit.domain().sample_point()
        n = q.get_space().dim(isl.dim_type.set)
        cell = tuple(q.get_coordinate_val(isl.dim_type.set, k).to_python() for k in range(n))
        out = onames[q.get_space().get_tuple_name(isl.dim_type.set)][0]
        return SymbolicOutcome(None, Candidate(why, out, cell, unsupported), scope)
    if not rc.complete:
        return SymbolicOutcome(Unknown(f"symbolic tier: {rc.note}; no difference found "
                                       f"in what it explored"), None, scope)
    return SymbolicOutcome(Proved(
        f"symbolic tier: {len(chk.pairs)} claims over "
        f"{len(pa.statements)}+{len(pb.statements)} statements justified"
        + ("" if rc.exact else " (closure over-approximated)")), None, scope)
