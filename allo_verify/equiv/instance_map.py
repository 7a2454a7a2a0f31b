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
   with a before b originally and b before a after the rewrite (`order_obligations`).

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
