"""The L1 instance-map checker: one general checker, each loop primitive brings a witness.

Given the statements of a function before and after a rewrite (matched by `stmt_id`) and a
witness per statement -- phi: new instance -> old instance and its inverse psi, as Z3 terms
over loop variables -- it states, each as one Z3 query over unbounded integers with the
trip counts as constraints (never enumerated):

1. sound: every x' in D' has phi(x') in D;
2. onto: every x in D has psi(x) in D' and phi(psi(x)) = x;
3. one-to-one: phi(x'1) = phi(x'2) on D' implies x'1 = x'2;
4. same work: the same operation tree, and acc'_k(x') = acc_k(phi(x')) for every access k;
5. order kept on conflicts: no two instances a, b touching one cell, at least one writing,
   with a before b originally and b before a after the rewrite.

A model of a failed query is the counterexample, stated in source loop names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import z3

from allo_verify.equiv import z3_fast as zf
from allo_verify.equiv.obligation import Obligation
from allo_verify.equiv.polyhedral import Statement, guard_groups_kept, var

Env = dict[str, z3.ArithRef]


@dataclass(frozen=True)
class Check:
    """An obligation and, for a refutation, how to state its model in source terms."""

    obligation: Obligation
    explain: Callable[[z3.ModelRef], str] | None = None
    unknown: str = ""  # non-empty: not decidable here; the result is Unknown(unknown)
    soft: str = ""  # non-empty: a refutation is only Unknown(soft) (over-approximated accesses)


@dataclass(frozen=True)
class Witness:
    """phi (old loop -> term over new loops) and psi (new loop -> term over old loops) for
    each statement id; loops a map leaves out keep their name (identity)."""

    phi: dict[int, Env] = field(default_factory=dict)
    psi: dict[int, Env] = field(default_factory=dict)

    def phi_for(self, s: Statement, new: Statement) -> Env:
        given = self.phi.get(s.sid, {})
        return Renaming({n: given.get(n, var(n)) for n in s.loops})

    def psi_for(self, s: Statement, new: Statement) -> Env:
        given = self.psi.get(s.sid, {})
        return Renaming({n: given.get(n, var(n)) for n in new.loops})


IDENTITY = Witness()


class Renaming(dict):
    """A substitution (loop name -> term) that keeps, once `subst` first uses it, the Z3
    arrays of its non-trivial pairs; any change to it drops them."""

    _arrays: tuple[int, Any, Any, list[z3.ExprRef]] | None = None

    def __setitem__(self, key: str, value: z3.ArithRef) -> None:
        self._arrays = None
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._arrays = None
        super().__delitem__(key)

    def update(self, *args: Any, **kw: Any) -> None:  # type: ignore[override]
        self._arrays = None
        super().update(*args, **kw)

    def pop(self, *args: Any) -> Any:  # type: ignore[override]
        self._arrays = None
        return super().pop(*args)

    def popitem(self) -> Any:  # type: ignore[override]
        self._arrays = None
        return super().popitem()

    def clear(self) -> None:
        self._arrays = None
        super().clear()

    def setdefault(self, *args: Any) -> Any:  # type: ignore[override]
        self._arrays = None
        return super().setdefault(*args)

    def __ior__(self, other: Any) -> Any:  # type: ignore[override]
        self._arrays = None
        return super().__ior__(other)


def _pairs(env: Env) -> tuple[int, Any, Any, list[z3.ExprRef]]:
    """The number of pairs `v -> t` of `env` with `t` not `v` itself, their Z3 arrays, and
    the terms themselves (kept with the arrays, so their ASTs stay alive)."""
    arrays = env._arrays if isinstance(env, Renaming) else None
    if arrays is not None:
        return arrays
    froms: list[Any] = []
    tos: list[Any] = []
    terms: list[z3.ExprRef] = []
    for n, t in env.items():
        v = var(n)
        a, b = v.as_ast(), t.as_ast()
        # one AST per term (Z3 hash-conses them): equal pointers are equal terms, as
        # `z3.eq` decides it
        if a.value != b.value:
            froms.append(a)
            tos.append(b)
            terms += [v, t]
    k = len(froms)
    arrays = (k, (z3.Ast * k)(*froms), (z3.Ast * k)(*tos), terms)
    if isinstance(env, Renaming):
        env._arrays = arrays
    return arrays


def subst(e: z3.ExprRef, env: Env) -> z3.ExprRef:
    """`e` with every loop variable `v` in `env` replaced by `env[v]`, simultaneously."""
    k, froms, tos, _ = _pairs(env)
    if not k:
        return e
    # z3.substitute without its per-pair Python sort checks: every key is an Int variable
    # and every value an Int term (index arithmetic), which Z3 itself checks again
    ctx = e.ctx
    ast = z3.Z3_substitute(ctx.ref(), e.ast, k, froms, tos)
    # the sort is kept: these are what `_to_expr_ref` would make
    if isinstance(e, z3.BoolRef) and not isinstance(e, z3.QuantifierRef):
        return zf.wrap_bool(ast, ctx)
    if isinstance(e, z3.ArithRef) and zf.is_int(ctx, e):
        return zf.wrap_int(ast, ctx)
    return z3.z3._to_expr_ref(ast, ctx)


def renamed(names: tuple[str, ...], tag: str) -> Env:
    """Fresh copies `name@tag` of loop variables, for queries over two instances."""
    return Renaming({n: var(f"{n}@{tag}") for n in names})


def lex_before(s: Statement, a: Env, t: Statement, b: Env) -> z3.BoolRef:
    """Instance `a` of `s` runs before instance `b` of `t` (2d+1 schedule order)."""
    terms: list[z3.BoolRef] = []
    equal: list[z3.BoolRef] = []
    for ea, eb in zip(s.chain, t.chain, strict=False):
        if ea[0] != eb[0]:
            terms.append(zf.and_(*equal, zf.boolval(ea[0] < eb[0])))
            return zf.or_(*terms)
        if ea[1] is not None:
            terms.append(zf.and_(*equal, zf.lt(a[ea[1]], b[ea[1]])))
            equal.append(zf.eq(a[ea[1]], b[ea[1]]))
    return zf.or_(*terms) if terms else zf.boolval(False)


def instance_text(names: tuple[str, ...], model: z3.ModelRef, env: Env) -> str:
    vals = ", ".join(f"{n}={model.eval(env[n], model_completion=True)}" for n in names)
    return f"({vals})"


def statement_obligations(old: Statement, new: Statement, w: Witness, step: str
                          ) -> list[Check]:
    """Obligations 1-4 for one statement. For a statement the step left as it was
    (`untouched`) each claim is `True`, built without terms."""
    phi, psi = w.phi_for(old, new), w.psi_for(old, new)
    loc = new.location or step
    label = f"S{old.sid}"
    obs: list[Check] = []
    same = untouched(old, new, phi, psi)
    by = f" (by reflexivity: the step left {label} as it was)" if same else ""

    def sound() -> z3.BoolRef:
        if same:
            return zf.boolval(True)
        return zf.implies(new.domain, subst(old.domain, phi))

    def onto() -> z3.BoolRef:
        if same:
            return zf.boolval(True)
        back = {n: subst(phi[n], psi) for n in old.loops}
        return zf.implies(old.domain, zf.and_(subst(new.domain, psi),
                                              *[zf.eq(back[n], var(n)) for n in old.loops]))

    def injective() -> z3.BoolRef:
        if same:
            return zf.boolval(True)
        c1, c2 = renamed(new.loops, "1"), renamed(new.loops, "2")
        meet = [zf.eq(subst(phi[n], c1), subst(phi[n], c2)) for n in old.loops]
        return zf.implies(zf.and_(subst(new.domain, c1), subst(new.domain, c2), *meet),
                          zf.and_(*[zf.eq(c1[n], c2[n]) for n in new.loops]))

    new_vars = {n: var(n) for n in new.loops}
    old_vars = {n: var(n) for n in old.loops}
    obs.append(Check(Obligation(
        f"{step}/{label}/sound", f"every instance of {label} after {step} maps to an instance "
        f"it had before{by}", sound, loc),
        lambda m: f"new instance {label}{instance_text(new.loops, m, new_vars)} maps to "
                  f"{label}{instance_text(old.loops, m, phi)}, outside the original domain"))
    obs.append(Check(Obligation(
        f"{step}/{label}/onto", f"every original instance of {label} is still executed after "
        f"{step}{by}", onto, loc),
        lambda m: f"original instance {label}{instance_text(old.loops, m, old_vars)} is never "
                  "executed after the rewrite"))
    obs.append(Check(Obligation(
        f"{step}/{label}/one-to-one",
        f"no original instance of {label} runs twice after {step}{by}", injective, loc),
        lambda m: f"an original instance of {label} runs twice"))
    kinds_old = [(a.buffer, a.write) for a in old.accesses]
    kinds_new = [(a.buffer, a.write) for a in new.accesses]
    if not guard_groups_kept(old, new):
        obs.append(Check(Obligation(
            f"{step}/{label}/same-condition", f"{label} runs under the same evaluation of each "
            f"data-dependent condition around it after {step}", lambda: z3.BoolVal(False), loc),
            lambda m: f"{label} runs under another if or while after the rewrite (the "
                      "statements sharing a data-dependent branch or while loop changed)"))
        return obs
    if new.tree != old.tree or kinds_old != kinds_new:
        obs.append(Check(Obligation(
            f"{step}/{label}/same-work", f"{label} computes the same operation tree",
            lambda: z3.BoolVal(False), loc),
            lambda m: f"{label} computes a different expression after the rewrite"))
        return obs

    def same_work() -> z3.BoolRef:
        if same:
            return zf.boolval(True)
        eqs: list[z3.BoolRef] = []
        for a_old, a_new in zip(old.accesses, new.accesses, strict=True):
            if a_old.subscripts is None or a_new.subscripts is None:
                continue
            eqs += [zf.eq(sn, subst(so, phi)) for so, sn in zip(a_old.subscripts,
                                                                  a_new.subscripts,
                                                            strict=True)]
        eqs += [zf.eq(tn, subst(to, phi)) for to, tn in zip(old.index_terms, new.index_terms,
                                                             strict=True)]
        return zf.implies(new.domain, zf.and_(*eqs))

    obs.append(Check(Obligation(
        f"{step}/{label}/same-work", f"{label} reads and writes the same cells with the same "
        f"operations after {step}{by}", same_work, loc),
        lambda m: f"instance {label}{instance_text(new.loops, m, new_vars)} touches a different "
                  "cell than the original instance it replaces"))
    reason = old.reason or new.reason
    if reason:
        return [Check(c.obligation, c.explain, unknown=f"{label} is not affine: {reason}")
                for c in obs]
    return obs


def _same_term(a: z3.ExprRef, b: z3.ExprRef) -> bool:
    """One AST (Z3 hash-conses terms of a context: equal pointers are equal terms)."""
    return a.ctx is b.ctx and a.as_ast().value == b.as_ast().value


def untouched(old: Statement, new: Statement, phi: Env, psi: Env) -> bool:
    """The step left the statement as it was: both affine, the same loops, domain, operation
    tree, accesses (buffers, kinds, subscripts) and index terms, with the identity for
    witness both ways. Obligations 1-4 are then `D => D`, `D => D and x = x`, `x1 = x2 =>
    x1 = x2` and `acc(x) = acc(x)`: valid by reflexivity alone."""
    if old.reason or new.reason or old.loops != new.loops or old.tree != new.tree:
        return False
    if _pairs(phi)[0] or _pairs(psi)[0] or not _same_term(old.domain, new.domain):
        return False
    if len(old.accesses) != len(new.accesses) or len(old.index_terms) != len(new.index_terms):
        return False
    for a, b in zip(old.accesses, new.accesses, strict=True):
        if (a.buffer, a.write, a.whole, a.subscripts is None) != (
                b.buffer, b.write, b.whole, b.subscripts is None):
            return False
        if a.subscripts is not None and b.subscripts is not None and (
                len(a.subscripts) != len(b.subscripts) or not all(
                    _same_term(x, y) for x, y in zip(a.subscripts, b.subscripts, strict=True))):
            return False
    return all(_same_term(x, y) for x, y in zip(old.index_terms, new.index_terms, strict=True))


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
