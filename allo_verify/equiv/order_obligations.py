"""Obligation 5 of the instance-map checker: instances that touch one cell, one of them
writing it, keep their order (see `instance_map` for obligations 1-4 and the witness).

For every pair of statements and every buffer they conflict on, one Z3 claim over two
renamed instances states that no conflicting pair runs in one order before the rewrite and
in the other after it; a structural law (`order_kept`) proves the pairs whose order cannot
change without building that claim.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import z3

from allo_verify.equiv import z3_fast as zf
from allo_verify.equiv.instance_map import (
    Check,
    Env,
    Renaming,
    Witness,
    _pairs,
    instance_text,
    lex_before,
    renamed,
    subst,
)
from allo_verify.equiv.obligation import Obligation
from allo_verify.equiv.polyhedral import Statement


def order_obligations(olds: dict[int, Statement], news: dict[int, Statement], w: Witness,
                      step: str) -> list[Check]:
    """Obligation 5 for every pair of statements and conflicting accesses. On a local scalar
    private (see `privatize`) to a loop X around both statements before the rewrite and to
    a loop Y around both after it (the innermost such loops), only pairs within one
    iteration of X count, provided instances share an iteration of X before exactly when
    they share one of Y after; the privacy of X and Y is itself part of the obligations.
    Why this suffices: by privacy every load reads a store of its own iteration of X (and
    of Y after); iterations correspond, and the order within them is kept, so each load
    reads the same store before and after.

    Pairs in different groups of a scalar's statements (grouped by the innermost loop the
    scalar is private to around each, or by none) are skipped when the groups are the same
    before and after: no value flows between groups (a load reads a store of its own
    group), so the scalar is in effect one variable per group, each checked on its own."""
    from allo_verify.equiv.privatize import Privacy, same_groups

    pv_old, pv_new = Privacy.of(olds.values()), Privacy.of(news.values())
    obs: list[Check] = []
    used: set[tuple[str, str, str]] = set()
    sids = sorted(set(olds) & set(news))
    groups: dict[str, tuple | None] = {}
    for i, s in enumerate(sids):
        for t in sids[i:]:
            buffers = _conflict_buffers(olds[s], olds[t])
            for buf in sorted(buffers):
                scope = None
                if pv_old.is_scalar(buf) and pv_new.is_scalar(buf):
                    if buf not in groups:
                        groups[buf] = same_groups(pv_old, pv_new, buf, olds, news, sids)
                    split = groups[buf]
                    if split is not None and split[0][s] != split[0][t]:
                        used |= {("before", buf, g[0]) for g in (split[0][s], split[0][t]) if g}
                        used |= {("after", buf, g[0]) for g in (split[1][s], split[1][t]) if g}
                        continue
                    x = pv_old.innermost(buf, olds[s], olds[t])
                    y = pv_new.innermost(buf, news[s], news[t]) if x else None
                    if x and y:
                        scope = (olds[s].loops[: olds[s].loops.index(x) + 1],
                                 news[s].loops[: news[s].loops.index(y) + 1])
                        used |= {("before", buf, x), ("after", buf, y)}
                note = None
                if scope is None and pv_old.is_scalar(buf):
                    note = _why_shared(pv_old, pv_new, buf, olds[s], olds[t], news[s], news[t])
                obs.append(_order_obligation(olds[s], news[s], olds[t], news[t], buf, w, step,
                                             scope[0] if scope else None, note))
                if scope:
                    obs.append(_correspondence(olds[s], news[s], olds[t], news[t], buf, w,
                                               step, scope))
    if pv_new.view is not None:  # a loop's hls.private (set by parallel or pipeline) must
        # stay true after every later rewrite: the HLS code declares those scalars inside it
        used |= {("after", b, loop) for loop, names in pv_new.view.listed.items()
                 for b in names}
    for side, buf, loop in sorted(used):
        pv = pv_old if side == "before" else pv_new
        obs += pv.checks(buf, loop, f"{step}/{side}")
    for buf, split in sorted((b, g) for b, g in groups.items() if g is not None):
        for side, pv, cuts in (("before", pv_old, split[2]), ("after", pv_new, split[3])):
            for loop, key in sorted(cuts):
                obs += pv.boundary_checks(buf, loop, key, f"{step}/{side}")
    return obs


def _why_shared(pv_old: Any, pv_new: Any, buf: str, so: Statement, to: Statement,
                sn: Statement, tn: Statement) -> Callable[[], str]:
    """Why the scalar `buf` is not private to the innermost loop around both statements,
    before the rewrite or after it (computed when a refutation is explained)."""

    def why() -> str:
        for pv, s, t, side in ((pv_old, so, to, "before"), (pv_new, sn, tn, "after")):
            common = [n for n in s.loops if n in t.loops]
            loops = [*reversed(common), *reversed(s.loops), *reversed(t.loops)]
            for n in dict.fromkeys(loops):
                if not pv.private(buf, n):
                    return f"{side} the rewrite, {pv.why_not(buf, n)}"
        return (f"{buf} is private to loops around each statement but not to one loop around "
                "both, grouped differently before and after the rewrite")

    return why


def _correspondence(so: Statement, sn: Statement, to: Statement, tn: Statement, buf: str,
                    w: Witness, step: str, scope: tuple) -> Check:
    """Two instances share an iteration of `buf`'s private scope before the rewrite exactly
    when they share one after it."""
    old_scope, new_scope = scope
    x1, x2 = renamed(sn.loops, "a"), renamed(tn.loops, "b")
    phi_s = Renaming({n: subst(e, x1) for n, e in w.phi_for(so, sn).items()})
    phi_t = Renaming({n: subst(e, x2) for n, e in w.phi_for(to, tn).items()})

    def build() -> z3.BoolRef:
        same_old = zf.and_(*[zf.eq(phi_s[v], phi_t[v]) for v in old_scope])
        same_new = zf.and_(*[zf.eq(x1[v], x2[v]) for v in new_scope])
        return zf.implies(zf.and_(subst(sn.domain, x1), subst(tn.domain, x2)),
                          same_old == same_new)

    label = f"S{so.sid}" if so.sid == to.sid else f"S{so.sid}/S{to.sid}"
    ob = Obligation(f"{step}/{label}/private/{buf}",
                    f"{buf} is private to each iteration of ({', '.join(old_scope)}) before "
                    f"and of ({', '.join(new_scope)}) after {step}, and {label} instances share "
                    "an iteration before exactly when they share one after", build,
                    sn.location or step)
    return Check(ob, lambda m: f"S{so.sid}{instance_text(so.loops, m, phi_s)} and "
                               f"S{to.sid}{instance_text(to.loops, m, phi_t)} share an iteration "
                               f"of {buf}'s scope on one side of the rewrite only")


def _conflict_buffers(s: Statement, t: Statement) -> set[str]:
    out = set()
    for a in s.accesses:
        for b in t.accesses:
            if a.buffer == b.buffer and (a.write or b.write):
                out.add(a.buffer)
    return out


def _order_obligation(so: Statement, sn: Statement, to: Statement, tn: Statement, buf: str,
                      w: Witness, step: str, private: tuple[str, ...] | None = None,
                      note: Callable[[], str] | None = None) -> Check:
    """Obligation 5 for one pair of statements on `buf`; with `private` (the loops of the
    buffer's private scope) only pairs within one iteration of that scope count. When the
    pair's order cannot change (`order_kept`), the claim is `True`, built without terms."""
    label = f"S{so.sid}" if so.sid == to.sid else f"S{so.sid}/S{to.sid}"
    within = f" within one iteration of ({', '.join(private)})" if private else ""
    statement = (f"instances of {label} that touch the same cell of {buf}{within} keep their "
                 f"order after {step}")
    law = order_kept(so, sn, to, tn, w)
    if law:
        return Check(Obligation(f"{step}/{label}/order/{buf}", f"{statement} ({law})",
                                lambda: zf.boolval(True), sn.location or step))
    x1, x2 = renamed(sn.loops, "a"), renamed(tn.loops, "b")
    phi_s = Renaming({n: subst(e, x1) for n, e in w.phi_for(so, sn).items()})
    phi_t = Renaming({n: subst(e, x2) for n, e in w.phi_for(to, tn).items()})

    def conflicts() -> list[z3.BoolRef]:
        out = []
        for a in so.accesses:
            for b in to.accesses:
                if a.buffer != buf or b.buffer != buf or not (a.write or b.write):
                    continue
                if a.subscripts is None or b.subscripts is None:
                    out.append(zf.boolval(True))
                    continue
                out.append(zf.and_(*[zf.eq(subst(p, phi_s), subst(q, phi_t))
                                    for p, q in zip(a.subscripts, b.subscripts, strict=True)]))
        if private:
            same = zf.and_(*[zf.eq(phi_s[v], phi_t[v]) for v in private])
            out = [zf.and_(c, same) for c in out]
        return out

    def violation(first: tuple, second: tuple) -> z3.BoolRef:
        (s_old, e_old, s_new, e_new), (t_old, f_old, t_new, f_new) = first, second
        return zf.and_(lex_before(s_old, e_old, t_old, f_old),
                      lex_before(t_new, f_new, s_new, e_new))

    def build() -> z3.BoolRef:
        a = (so, phi_s, sn, x1)
        b = (to, phi_t, tn, x2)
        # a statement paired with itself: the pair's domain and conflict relation are
        # symmetric in the two instances, so a violation with b first is the one with a
        # first under a <-> b: asking one direction is the same claim
        swapped = (violation(a, b) if so is to and sn is tn
                   else zf.or_(violation(a, b), violation(b, a)))
        bad = zf.and_(subst(sn.domain, x1), subst(tn.domain, x2), zf.or_(*conflicts()),
                      swapped)
        return zf.not_(bad)

    ob = Obligation(f"{step}/{label}/order/{buf}", statement, build, sn.location or step)
    def explain(model: z3.ModelRef) -> str:
        text = _explain(model, so, to, phi_s, phi_t, buf)
        return f"{text}; {note()}" if note is not None else text

    inexact = so.reason or sn.reason or to.reason or tn.reason
    if inexact:
        return Check(ob, explain, unknown=f"{label} is not affine: {inexact}")
    opaque = any(a.subscripts is None and not a.whole for st in (so, sn, to, tn)
                 for a in st.accesses if a.buffer == buf)
    return Check(ob, explain, soft=f"an access to {buf} has non-affine subscripts" if opaque
                 else "")


def fixed_order(s: Statement, t: Statement) -> bool | None:
    """Whether every instance of `s` runs before every instance of `t` (True), after every
    one (False), or neither is decided by their program positions alone (None): their
    chains part at an op before any loop around both."""
    for ea, eb in zip(s.chain, t.chain, strict=False):
        if ea[0] != eb[0]:
            return bool(ea[0] < eb[0])
        if ea[1] is not None:
            return None
    return None


def order_kept(so: Statement, sn: Statement, to: Statement, tn: Statement, w: Witness
               ) -> str:
    """Which structural law shows that no two instances of the pair can swap order (so
    obligation 5 holds for every pair of instances, whatever cells they touch), in words;
    "" when neither applies. The laws:
    1. both statements keep their loops and place (equal chains before and after) and the
       witness maps each instance to itself: the order of two instances is then the one
       lexicographic comparison before and after, and a strict order never holds both ways;
    2. their program positions alone order them, the same way before and after
       (`fixed_order`).
    Only for affine statements: a data-dependent loop or branch has no such order law."""
    if so.reason or sn.reason or to.reason or tn.reason:
        return ""
    if (so.chain == sn.chain and to.chain == tn.chain
            and not _pairs(w.phi_for(so, sn))[0] and not _pairs(w.phi_for(to, tn))[0]):
        return "by structure: the step left both statements in place, each instance as it was"
    before = fixed_order(so, to)
    if before is not None and before == fixed_order(sn, tn):
        first = f"S{so.sid}" if before else f"S{to.sid}"
        return f"by program order: {first} runs entirely first, before and after"
    return ""


def _explain(model: z3.ModelRef, so: Statement, to: Statement, phi_s: Env, phi_t: Env,
             buf: str) -> str:
    """The two original instances a refuting model names, the cell they share, and the
    order the rewrite broke."""
    a = f"S{so.sid}{instance_text(so.loops, model, phi_s)}"
    b = f"S{to.sid}{instance_text(to.loops, model, phi_t)}"
    if a == b:
        b += " (another instance)"
    what = f"the same cell of {buf}"
    for x in so.accesses:
        for y in to.accesses:
            if x.buffer != buf or y.buffer != buf or not (x.write or y.write):
                continue
            if x.subscripts is None or y.subscripts is None:
                continue
            cx = [model.eval(subst(e, phi_s), model_completion=True) for e in x.subscripts]
            cy = [model.eval(subst(e, phi_t), model_completion=True) for e in y.subscripts]
            if all(z3.is_true(z3.simplify(p == q)) for p, q in zip(cx, cy, strict=True)):
                cell = f"{buf}[{', '.join(map(str, cx))}]"
                what = (f"{cell} ({a} {'writes' if x.write else 'reads'} it, "
                        f"{b} {'writes' if y.write else 'reads'} it)")
                break
        else:
            continue
        break
    first_a = z3.is_true(model.eval(lex_before(so, phi_s, to, phi_t), model_completion=True))
    first, second = (a, b) if first_a else (b, a)
    return (f"{a} and {b} both touch {what}; originally {first} runs first, after the "
            f"rewrite {second} runs first")
