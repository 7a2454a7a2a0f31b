"""buffer_at(target, axis): a local copy of the slice of `target` one iteration of `axis` uses.

Rewrite (T the target, x the variables of `axis` and the loops around it; a dimension d of
T is *fixed* when every access to T inside `axis` subscripts it with one expression e_d(x)
of those variables, the others are *free*; the buffer spans the free dimensions in full):

    for i:                              for i:
        for j: for k:                       for f in box: T_buf[f] = T[e(x), f]      # init
            T[i, j] += ...       ==>        for j: for k:
                                                T_buf[j] += ...                        # renamed
                                            for f in box: T[e(x), f] = T_buf[f]      # write-back

(the write-back only when the nest writes T). The data really moves through T_buf, so L2
and L3 see it. Obligations (Z3 over symbolic iteration vectors, never enumerated; D_x the
domain of `axis` and its enclosing loops, box the buffer's cells):

1. slice in bounds: x in D_x  =>  0 <= e_d(x) < N_d for every fixed d;
2. init: x in D_x, f in box  =>  the init nest runs instance f, storing T_buf[f] from
   T[e(x), f], before every statement of the body;
3. every access: for each instance y of a statement in `axis` whose original access touched
   T[s(y)]: s_d(y) = e_d(x) on fixed d, and it now touches T_buf[s_free(y)], within box;
4. write-back (when T is written): x in D_x, f in box  =>  the write-back nest runs instance
   f, storing T[e(x), f] from T_buf[f], after every statement of the body;
5. the rest: the instance-map checker's obligations (identity witness) between the original
   with T's slice renamed to T_buf (3 justifies the renaming) and the new nest, and nothing
   outside the function changes.

By 1-4, at every read in an iteration of `axis` T_buf[f] holds the value T[e(x), f] has at
that point of the original, and after the write-back T holds what the original left there.
`proofs/buffer_at.py` proves this invariant step for all sizes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import z3
from mlir.ir import (
    AffineConstantExpr,
    AffineDimExpr,
    AffineMap,
    AffineMapAttr,
    InsertionPoint,
    MemRefType,
    Module,
)

from allo_verify.equiv.instance_map import (
    IDENTITY,
    Check,
    statement_obligations,
    subst,
)
from allo_verify.equiv.obligation import Obligation
from allo_verify.equiv.order_obligations import order_obligations
from allo_verify.equiv.polyhedral import NotAffine, Statement, loop_domain, map_to_z3, var
from allo_verify.errors import ScheduleError
from allo_verify.schedule.buffers import BufferRef, buffer_value, shape_of
from allo_verify.schedule.memory import (
    Affine,
    access_map,
    copy_nest,
    defined_inside,
    fresh_name,
    memref_operand,
    new_local,
    next_stmt_id,
    uses_inside,
    z3_vars,
)
from allo_verify.schedule.primitives.base import (
    Context,
    Primitive,
    function,
    others_unchanged_check,
    register,
    statements,
)
from allo_verify.schedule.primitives.compute_at import loop_path
from allo_verify.schedule.rewrite import header, iv, loop_name, loop_op


@dataclass
class Plan:
    """What buffer_at will do on a module: the loop, the target, its fixed and free dims."""

    kernel: str
    loop: Any
    path: list[Any]
    target: Any
    tname: str
    shape: tuple[int, ...]
    fixed: list[int]
    free: list[int]
    e: dict[int, z3.ArithRef]
    accesses: list[Any]
    written: bool
    buf: str

    @property
    def names(self) -> list[str]:
        return [loop_name(op) for op in self.path]

    @property
    def buf_shape(self) -> list[int]:
        return [self.shape[d] for d in self.free]


def plan(module: Module, target: str, axis: str, ctx: Context) -> Plan:
    """Check that `target` can be buffered at `axis` and say how (or raise ScheduleError)."""
    kernel, lp = loop_op(module, axis)
    header(lp)
    tk, tname = target.split(":", 1)
    if tk != kernel:
        raise ScheduleError(f"buffer_at: {target} is not a buffer of {kernel}, which holds "
                            f"loop '{axis}'")
    tv = buffer_value(module, BufferRef(tk, tname), ctx.arg_names)
    shape = shape_of(tv)
    uses = uses_inside(tv, lp)
    if not uses:
        raise ScheduleError(f"buffer_at: {target} is not accessed inside loop '{axis}'")
    for op in uses:
        if op.name not in ("affine.load", "affine.store") or \
                op.operands[memref_operand(op)] != tv:
            raise ScheduleError(f"buffer_at: {target} is used by {op.name} inside loop "
                                f"'{axis}'; only affine loads and stores can be redirected")
    path = loop_path(lp)
    names = {loop_name(op) for op in path}
    subs: list[list[z3.ArithRef]] = []
    for op in uses:
        amap, ops = access_map(op)
        try:
            subs.append(map_to_z3(amap, ops))
        except NotAffine as e:
            raise ScheduleError(f"buffer_at: an access to {target} in '{axis}' is not affine "
                                f"({e})") from None
    fixed = []
    for d in range(len(shape)):
        terms = [s[d] for s in subs]
        if all(z3_vars(t) <= names for t in terms) and \
                all(z3.is_true(z3.simplify(t == terms[0])) for t in terms):
            fixed.append(d)
    free = [d for d in range(len(shape)) if d not in fixed]
    return Plan(kernel, lp, path, tv, tname, shape, fixed, free,
                {d: subs[0][d] for d in fixed}, uses, any(o.name == "affine.store" for o in uses),
                fresh_name(module, f"{tname}_buf"))


@register
@dataclass(frozen=True)
class BufferAt(Primitive):
    target: str  # "kernel:buffer"
    axis: str
    name = "buffer_at"

    def apply(self, module: Module, ctx: Context) -> None:
        p = plan(module, self.target, self.axis, ctx)
        f = function(module, p.kernel)
        elem = MemRefType(p.target.type).element_type
        buf = new_local(f, p.buf, p.buf_shape, elem)
        fixed_map = Affine()
        amap, ops = access_map(p.accesses[0])
        exprs = fixed_map.apply(amap, ops)
        bases = fixed_map.bases
        # the fixed subscripts use only loop variables of the axis and around it (plan
        # checked their Z3 terms), so other operands of the access are dropped
        keep = [b for b in bases if not defined_inside(b, p.loop) or b == iv(p.loop)]
        repl = [AffineDimExpr.get(keep.index(b)) if b in keep else AffineConstantExpr.get(0)
                for b in bases]
        if bases:
            exprs = [e.compose(AffineMap.get(len(keep), 0, repl)) for e in exprs]
        bases = keep
        for op in p.accesses:
            amap, _ = access_map(op)
            op.operands[memref_operand(op)] = buf
            op.attributes["map"] = AffineMapAttr.get(AffineMap.get(
                amap.n_dims, amap.n_symbols, [amap.results[d] for d in p.free]))
        self.copies(module, p, buf, bases, exprs)

    def copies(self, module: Module, p: Plan, buf: Any, bases: list, exprs: list) -> None:
        """The init nest at the start of the loop body, the write-back nest at its end."""
        nb, k = len(bases), len(p.free)
        slot = [AffineDimExpr.get(nb + q) for q in range(k)]
        whole = []
        for d in range(len(p.shape)):
            whole.append(exprs[d] if d in p.fixed else slot[p.free.index(d)])
        t_map = AffineMap.get(nb + k, 0, whole)
        b_map = AffineMap.get(nb + k, 0, slot)
        counter = next_stmt_id(module)
        body = p.loop.regions[0].blocks[0]
        loc = p.loop.location
        copy_nest(InsertionPoint(list(body.operations)[0]), loc,
                  [f"{p.buf}.init{q}" for q in range(k)], p.buf_shape,
                  (p.target, t_map, bases), (buf, b_map, bases), counter)
        if p.written:
            copy_nest(InsertionPoint(list(body.operations)[-1]), loc,
                      [f"{p.buf}.wb{q}" for q in range(k)], p.buf_shape,
                      (buf, b_map, bases), (p.target, t_map, bases), counter)

    # ---- obligations ----------------------------------------------------------------------
    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        step = self.label()
        p = plan(before, self.target, self.axis, ctx)
        olds = statements(before, p.kernel, ctx)
        news = statements(after, p.kernel, ctx)
        _, lp_after = loop_op(after, self.axis)
        dom_x = z3.And(*[loop_domain(op) for op in loop_path(lp_after)])
        fv = [z3.Int(f"{p.buf}@{q}") for q in range(len(p.free))]
        box = z3.And(*[z3.And(0 <= v, v < n) for v, n in zip(fv, p.buf_shape, strict=True)])
        whole = [p.e[d] if d in p.fixed else fv[p.free.index(d)] for d in range(len(p.shape))]
        depth = len(p.path)
        inside = {sid for sid, s in olds.items() if p.names[-1] in s.loops}
        out = [others_unchanged_check(before, after, p.kernel, step),
               self.slice_check(p, dom_x, step)]
        added = {sid: s for sid, s in news.items() if sid not in olds}
        body_pos = [news[sid].chain[depth][0] for sid in inside if sid in news]
        inits = [s for s in added.values() if s.accesses and s.accesses[-1].buffer == p.buf]
        wbs = [s for s in added.values() if s.accesses and s.accesses[-1].buffer == p.tname]
        stray = [s for s in added.values() if s not in inits and s not in wbs]
        out.append(Check(Obligation(f"{step}/no-other-statements",
                                    f"{step} adds only the init and write-back copies",
                                    lambda: z3.BoolVal(not stray), step),
                         lambda m: f"statement S{stray[0].sid} is new and is neither"))
        out.append(self.copy_check(p, inits, "init", p.tname, p.buf, whole, fv, dom_x, box,
                                   lambda pos: all(pos < b for b in body_pos), step))
        if p.written:
            out.append(self.copy_check(p, wbs, "write-back", p.buf, p.tname, fv, whole, dom_x,
                                       box, lambda pos: all(pos > b for b in body_pos), step))
        renamed: dict[int, Statement] = {}
        for sid, s in olds.items():
            if sid in inside and any(a.buffer == p.tname for a in s.accesses):
                renamed[sid] = self.rename(s, p)
                if sid in news:
                    out += self.access_checks(s, news[sid], p, step)
            else:
                renamed[sid] = s
        kept = {sid: s for sid, s in news.items() if sid in olds}
        for sid in sorted(olds):
            if sid not in kept:
                out.append(Check(Obligation(f"{step}/S{sid}/exists",
                                            f"statement S{sid} still exists after {step}",
                                            lambda: z3.BoolVal(False), step),
                                 lambda m, sid=sid: f"statement S{sid} disappeared"))
                continue
            out += statement_obligations(renamed[sid], kept[sid], IDENTITY, step)
        return out + order_obligations({k: renamed[k] for k in kept}, kept, IDENTITY, step)

    def rename(self, s: Statement, p: Plan) -> Statement:
        """`s` with its accesses to T's slice written as accesses to the buffer."""
        acc = [replace(a, buffer=p.buf, local=True,
                       subscripts=None if a.subscripts is None
                       else tuple(a.subscripts[d] for d in p.free))
               if a.buffer == p.tname else a for a in s.accesses]
        return replace(s, accesses=acc)

    def slice_check(self, p: Plan, dom_x: z3.BoolRef, step: str) -> Check:
        def build() -> z3.BoolRef:
            return z3.Implies(dom_x, z3.And(*[z3.And(0 <= p.e[d], p.e[d] < p.shape[d])
                                               for d in p.fixed]))

        def explain(m: z3.ModelRef) -> str:
            it = ", ".join(f"{n}={m.eval(var(n), model_completion=True)}" for n in p.names)
            return f"in iteration ({it}) the slice of {p.tname} lies outside the array"

        return Check(Obligation(f"{step}/slice-in-bounds", f"the slice of {p.tname} buffered "
                                f"in each iteration of {self.axis} lies inside the array",
                                build, step), explain)

    def copy_check(self, p: Plan, found: list[Statement], what: str, src: str, dst: str,
                   src_cell: list, dst_cell: list, dom_x: z3.BoolRef, box: z3.BoolRef,
                   placed: Any, step: str) -> Check:
        """Every cell f of the box is copied src -> dst once per iteration of the axis, at
        the right place (before or after the body)."""
        depth = len(p.path)
        s = found[0] if len(found) == 1 else None
        k = len(p.free)
        ok = s is not None and len(s.loops) == depth + k and s.tree == ("load", 0) and \
            len(s.accesses) == 2 and s.accesses[0].buffer == src and \
            s.accesses[0].subscripts is not None and s.accesses[1].subscripts is not None \
            and placed(s.chain[depth][0])
        fv = [z3.Int(f"{p.buf}@{q}") for q in range(k)]

        def build() -> z3.BoolRef:
            if not ok:
                return z3.Implies(z3.And(dom_x, box), z3.BoolVal(False))
            env = {n: v for n, v in zip(s.loops[depth:], fv, strict=True)}
            rd = [subst(e, env) for e in s.accesses[0].subscripts]
            wr = [subst(e, env) for e in s.accesses[1].subscripts]
            return z3.Implies(z3.And(dom_x, box), z3.And(
                subst(s.domain, env), *[a == b for a, b in zip(rd, src_cell, strict=True)],
                *[a == b for a, b in zip(wr, dst_cell, strict=True)]))

        def explain(m: z3.ModelRef) -> str:
            it = ", ".join(f"{n}={m.eval(var(n), model_completion=True)}" for n in p.names)
            cell = ", ".join(str(m.eval(v, model_completion=True)) for v in fv)
            t = ", ".join(str(m.eval(e, model_completion=True))
                          for e in (src_cell if what == "init" else dst_cell))
            if what == "init":
                return (f"in iteration ({it}) cell {p.buf}[{cell}] is not loaded from "
                        f"{p.tname}[{t}] before the body reads it")
            return (f"in iteration ({it}) cell {p.tname}[{t}] is not restored from "
                    f"{p.buf}[{cell}] after the body")

        return Check(Obligation(f"{step}/{what}", f"each iteration of {self.axis} copies "
                                f"every cell of {src} -> {dst} ({what})", build, step), explain)

    def access_checks(self, old: Statement, new: Statement, p: Plan, step: str) -> list[Check]:
        out = []
        for k, (a, b) in enumerate(zip(old.accesses, new.accesses, strict=False)):
            if a.buffer != p.tname:
                continue
            ok = b.buffer == p.buf and a.subscripts is not None and b.subscripts is not None

            def build(a: Any = a, b: Any = b, ok: bool = ok) -> z3.BoolRef:
                if not ok:
                    return z3.Not(new.domain)
                conds = [a.subscripts[d] == p.e[d] for d in p.fixed]
                for q, d in enumerate(p.free):
                    conds += [b.subscripts[q] == a.subscripts[d], 0 <= b.subscripts[q],
                              b.subscripts[q] < p.shape[d]]
                return z3.Implies(new.domain, z3.And(*conds))

            def explain(m: z3.ModelRef, a: Any = a, b: Any = b, ok: bool = ok) -> str:
                inst = ", ".join(f"{n}={m.eval(var(n), model_completion=True)}"
                                 for n in new.loops)
                ev = lambda es: ", ".join(str(m.eval(e, model_completion=True))  # noqa: E731
                                          for e in es)
                if not ok:
                    return f"S{new.sid}({inst}) no longer accesses {p.buf} where it touched " \
                           f"{p.tname}"
                held = [p.e[d] if d in p.fixed else b.subscripts[p.free.index(d)]
                        for d in range(len(p.shape))]
                return (f"S{new.sid}({inst}) touched {p.tname}[{ev(a.subscripts)}] but now "
                        f"touches {p.buf}[{ev(b.subscripts)}], which holds "
                        f"{p.tname}[{ev(held)}]")

            out.append(Check(Obligation(
                f"{step}/S{old.sid}/access{k}", f"access {k} of S{old.sid} touches the buffer "
                f"cell that holds the {p.tname} cell it touched", build,
                new.location or step), explain))
        return out
