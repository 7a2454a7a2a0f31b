"""The obligations of reuse_at (stated in `reuse_at.py`): the inductive invariant of the
reuse buffer as Z3 queries over symbolic iteration vectors, never enumerated."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import z3
from mlir.ir import Module

from allo_verify.equiv.instance_map import (
    IDENTITY,
    Check,
    lex_before,
    renamed,
    statement_obligations,
    subst,
)
from allo_verify.equiv.obligation import Obligation
from allo_verify.equiv.order_obligations import order_obligations
from allo_verify.equiv.polyhedral import Statement, loop_domain, var
from allo_verify.schedule.primitives.base import Context, others_unchanged_check, statements
from allo_verify.schedule.primitives.compute_at import loop_path
from allo_verify.schedule.rewrite import loop_op


def _vals(m: z3.ModelRef, es: Any) -> str:
    return ", ".join(str(m.eval(e, model_completion=True)) for e in es)


def _iteration(m: z3.ModelRef, names: list[str], env: dict | None = None) -> str:
    env = env or {}
    return ", ".join(f"{n}={m.eval(env.get(n, var(n)), model_completion=True)}" for n in names)


def reuse_checks(prim: Any, p: Any, before: Module, after: Module, ctx: Context
                 ) -> list[Check]:
    step = prim.label()
    olds = statements(before, p.kernel, ctx)
    news = statements(after, p.kernel, ctx)
    _, lp_after = loop_op(after, prim.axis)
    dom_x = z3.And(*[loop_domain(op) for op in loop_path(lp_after)])
    y = var(p.names[-1])
    depth = len(p.path)
    rank = len(p.shape)
    cv = [z3.Int(f"{p.buf}@{q}") for q in range(rank)]
    box = z3.And(*[z3.And(0 <= c, c < n) for c, n in zip(cv, p.buf_shape, strict=True)])
    inside = {sid for sid, s in olds.items() if p.names[-1] in s.loops}
    added = {sid: s for sid, s in news.items() if sid not in olds}
    kinds: dict[str, list[Statement]] = {"fill": [], "shift": [], "load": [], "other": []}
    for s in added.values():
        w = s.accesses[-1].buffer if s.accesses else ""
        r = s.accesses[0].buffer if len(s.accesses) == 2 else ""
        if w == p.buf and r == p.buf:
            kinds["shift"].append(s)
        elif w == p.buf and r == p.tname and len(s.chain) > depth + 1:
            then = s.chain[depth + 1][0][0] == 0  # in the `y == lb` branch
            kinds["fill" if then else "load"].append(s)
        else:
            kinds["other"].append(s)
    out = [others_unchanged_check(before, after, p.kernel, step)]
    out += _no_writes(p, olds, inside, step, prim.axis)
    stray = kinds["other"]
    out.append(Check(Obligation(f"{step}/no-other-statements", f"{step} adds only the fill, "
                                "shift and load copies", lambda: z3.BoolVal(not stray), step),
                     lambda m: f"statement S{stray[0].sid} is new and is none of them"))
    out += _old_values(p, kinds["fill"] + kinds["shift"] + kinds["load"], kinds["shift"],
                       depth, step)
    t_cell = [p.base + cv[q] if q == p.dim else cv[q] for q in range(rank)]
    first = y == p.lb
    out.append(_copy(p, kinds["fill"], "fill", depth, {}, cv, t_cell, cv,
                     z3.And(dom_x, first, box), step))
    kept = p.extent - p.fresh_rows
    up = [cv[q] + p.stride if q == p.dim else cv[q] for q in range(rank)]
    if kept or kinds["shift"]:
        out.append(_copy(p, kinds["shift"], "shift", depth, {}, cv, up, cv,
                         z3.And(dom_x, z3.Not(first), box, cv[p.dim] < kept), step))
    out.append(_copy(p, kinds["load"], "load", depth, {p.dim: kept}, cv, t_cell, cv,
                     z3.And(dom_x, z3.Not(first), box, cv[p.dim] >= kept), step))
    out.append(_advance(p, dom_x, y, step))
    out += _in_bounds(p, kinds["fill"] + kinds["load"], step)
    prologue = kinds["fill"] + kinds["shift"] + kinds["load"]
    body_pos = [news[sid].chain[depth][0] for sid in inside if sid in news]
    late = [s for s in prologue if any(s.chain[depth][0] >= b for b in body_pos)]
    out.append(Check(Obligation(f"{step}/prologue-first", f"the buffer is refilled before "
                                f"the body in each iteration of {prim.axis}",
                                lambda: z3.BoolVal(not late), step),
                     lambda m: f"S{late[0].sid} runs after a statement of the body"))
    renamed_olds: dict[int, Statement] = {}
    for sid, s in olds.items():
        if sid in inside and any(a.buffer == p.tname and not a.write for a in s.accesses):
            renamed_olds[sid] = _rename(s, p)
            if sid in news:
                out += _access_checks(s, news[sid], p, step)
        else:
            renamed_olds[sid] = s
    kept = {sid: s for sid, s in news.items() if sid in olds}
    for sid in sorted(olds):
        if sid not in kept:
            out.append(Check(Obligation(f"{step}/S{sid}/exists", f"statement S{sid} still "
                                        f"exists after {step}", lambda: z3.BoolVal(False), step),
                             lambda m, sid=sid: f"statement S{sid} disappeared"))
            continue
        out += statement_obligations(renamed_olds[sid], kept[sid], IDENTITY, step)
    return out + order_obligations({k: renamed_olds[k] for k in kept}, kept, IDENTITY, step)


def _rename(s: Statement, p: Any) -> Statement:
    acc = [replace(a, buffer=p.buf, local=True,
                   subscripts=None if a.subscripts is None else tuple(
                       e - p.base if q == p.dim else e for q, e in enumerate(a.subscripts)))
           if a.buffer == p.tname and not a.write else a for a in s.accesses]
    return replace(s, accesses=acc)


def _no_writes(p: Any, olds: dict[int, Statement], inside: set[int], step: str, axis: str
               ) -> list[Check]:
    out = []
    for sid in sorted(inside):
        s = olds[sid]
        for a in s.accesses:
            if a.buffer != p.tname or not a.write:
                continue

            def explain(m: z3.ModelRef, s: Statement = s, a: Any = a) -> str:
                cell = _vals(m, a.subscripts) if a.subscripts is not None else "?"
                return (f"S{s.sid}({_iteration(m, list(s.loops))}) writes {p.tname}[{cell}] "
                        f"inside loop '{axis}', so a reuse buffer filled from {p.tname} "
                        "would serve values the nest has since overwritten")

            out.append(Check(Obligation(
                f"{step}/S{sid}/no-write", f"S{sid} never writes {p.tname} inside {axis} "
                "(reuse needs a target the nest only reads)",
                lambda s=s: z3.Not(s.domain), s.location or step), explain))
    return out


def _copy(p: Any, found: list[Statement], what: str, depth: int, offsets: dict[int, int],
          cv: list, src: list, dst: list, premise: z3.BoolRef, step: str) -> Check:
    """Every cell c the premise names is copied src -> dst by the one `what` statement, by
    its instance c - offsets (loop k of the copy nest runs over dimension k)."""
    s = found[0] if len(found) == 1 else None
    ok = s is not None and len(s.loops) == depth + len(cv) and s.tree == ("load", 0) and \
        s.accesses[0].subscripts is not None and s.accesses[1].subscripts is not None

    def build() -> z3.BoolRef:
        if not ok:
            return z3.Implies(premise, z3.BoolVal(False))
        env = {n: cv[q] - offsets.get(q, 0) for q, n in enumerate(s.loops[depth:])}
        rd = [subst(e, env) for e in s.accesses[0].subscripts]
        wr = [subst(e, env) for e in s.accesses[1].subscripts]
        return z3.Implies(premise, z3.And(subst(s.domain, env),
                                          *[a == b for a, b in zip(rd, src, strict=True)],
                                          *[a == b for a, b in zip(wr, dst, strict=True)]))

    src_buf = p.buf if what == "shift" else p.tname

    def explain(m: z3.ModelRef) -> str:
        return (f"in iteration ({_iteration(m, p.names)}) cell {p.buf}[{_vals(m, dst)}] is "
                f"not loaded from {src_buf}[{_vals(m, src)}] ({what})")

    return Check(Obligation(f"{step}/{what}", f"the {what} copies {src_buf} into {p.buf} "
                            "where the invariant needs it", build, step), explain)


def _advance(p: Any, dom_x: z3.BoolRef, y: z3.ArithRef, step: str) -> Check:
    def build() -> z3.BoolRef:
        prev = {p.names[-1]: y - 1}
        return z3.Implies(z3.And(dom_x, y != p.lb),
                          z3.And(subst(dom_x, prev), p.base == subst(p.base, prev) + p.stride))

    return Check(Obligation(f"{step}/advance", "each iteration but the first follows the "
                            f"previous one and moves the window by {p.stride}", build, step),
                 lambda m: f"iteration ({_iteration(m, p.names)}) does not follow the previous "
                           f"one by a shift of {p.stride}")


def _old_values(p: Any, writers: list[Statement], shifts: list[Statement], depth: int,
                step: str) -> list[Check]:
    """No prologue instance overwrites a cell a later shift instance reads (same iteration)."""
    out = []
    for w in writers:
        for r in shifts:
            a, b = renamed(w.loops, "a"), renamed(r.loops, "b")
            for n in p.names:
                b[n] = a[n]
            wcell = [subst(e, a) for e in w.accesses[-1].subscripts]
            rcell = [subst(e, b) for e in r.accesses[0].subscripts]

            def build(w: Statement = w, r: Statement = r, a: dict = a, b: dict = b,
                      wcell: list = wcell, rcell: list = rcell) -> z3.BoolRef:
                return z3.Not(z3.And(subst(w.domain, a), subst(r.domain, b),
                                     *[x == z for x, z in zip(wcell, rcell, strict=True)],
                                     lex_before(w, a, r, b)))

            def explain(m: z3.ModelRef, w: Statement = w, r: Statement = r, a: dict = a,
                        b: dict = b, rcell: list = rcell) -> str:
                return (f"in iteration ({_iteration(m, p.names, a)}) S{r.sid}"
                        f"({_vals(m, [b[n] for n in r.loops[depth:]])}) reads "
                        f"{p.buf}[{_vals(m, rcell)}] after S{w.sid}"
                        f"({_vals(m, [a[n] for n in w.loops[depth:]])}) overwrote it")

            out.append(Check(Obligation(f"{step}/S{r.sid}/reads-old/S{w.sid}",
                                        f"the shift S{r.sid} reads {p.buf} before S{w.sid} "
                                        "overwrites it", build, step), explain))
    return out


def _in_bounds(p: Any, readers: list[Statement], step: str) -> list[Check]:
    out = []
    for s in readers:
        subs = s.accesses[0].subscripts
        if subs is None:
            continue

        def build(s: Statement = s, subs: tuple = subs) -> z3.BoolRef:
            return z3.Implies(s.domain, z3.And(*[z3.And(0 <= e, e < n)
                                                 for e, n in zip(subs, p.shape, strict=True)]))

        out.append(Check(Obligation(f"{step}/S{s.sid}/in-bounds", f"S{s.sid} reads cells of "
                                    f"{p.tname} only", build, step),
                         lambda m, s=s, subs=subs: f"S{s.sid}({_iteration(m, list(s.loops))}) "
                                                   f"reads {p.tname}[{_vals(m, subs)}], "
                                                   "outside the array"))
    return out


def _access_checks(old: Statement, new: Statement, p: Any, step: str) -> list[Check]:
    out = []
    for k, (a, b) in enumerate(zip(old.accesses, new.accesses, strict=False)):
        if a.buffer != p.tname or a.write:
            continue
        ok = b.buffer == p.buf and a.subscripts is not None and b.subscripts is not None

        def build(a: Any = a, b: Any = b, ok: bool = ok) -> z3.BoolRef:
            if not ok:
                return z3.Not(new.domain)
            conds = []
            for q in range(len(p.shape)):
                if q == p.dim:
                    conds += [b.subscripts[q] + p.base == a.subscripts[q],
                              0 <= b.subscripts[q], b.subscripts[q] < p.extent]
                else:
                    conds += [b.subscripts[q] == a.subscripts[q], 0 <= b.subscripts[q],
                              b.subscripts[q] < p.shape[q]]
            return z3.Implies(new.domain, z3.And(*conds))

        def explain(m: z3.ModelRef, a: Any = a, b: Any = b, ok: bool = ok) -> str:
            inst = _iteration(m, list(new.loops))
            if not ok:
                return f"S{new.sid}({inst}) no longer reads {p.buf} where it read {p.tname}"
            held = [b.subscripts[q] + p.base if q == p.dim else b.subscripts[q]
                    for q in range(len(p.shape))]
            return (f"S{new.sid}({inst}) read {p.tname}[{_vals(m, a.subscripts)}] but now "
                    f"reads {p.buf}[{_vals(m, b.subscripts)}], which holds "
                    f"{p.tname}[{_vals(m, held)}]")

        out.append(Check(Obligation(
            f"{step}/S{old.sid}/access{k}", f"read {k} of S{old.sid} gets the buffer cell "
            f"that holds the {p.tname} cell it read", build, new.location or step), explain))
    return out
