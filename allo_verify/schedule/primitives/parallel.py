"""parallel(axis): mark a loop whose iterations are independent (`hls.parallel`).

Rewrite: an attribute only. Obligations: the IR is otherwise unchanged, and the loop
carries no dependence: for every pair of accesses under it to one buffer, at least one a
write, no instances a, b agree on every loop outside `axis`, differ on `axis`, and touch
the same cell. A model names the two iterations and the cell. A local scalar that every
iteration starts by overwriting (found by `private_scope`, a structural fact) carries no
value between iterations and is left out; the HLS code must declare it inside the loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3
from mlir.ir import Attribute, Module, UnitAttr

from allo_verify.equiv.instance_map import (
    Check,
    Env,
    instance_text,
    lex_before,
    renamed,
    subst,
)
from allo_verify.equiv.obligation import Obligation
from allo_verify.equiv.polyhedral import Statement
from allo_verify.equiv.privatize import private_kill, private_scope
from allo_verify.schedule.primitives._annotation import Annotation
from allo_verify.schedule.primitives.base import Context, register, statements
from allo_verify.schedule.rewrite import loop_name, loop_op


def _outer(s: Statement, axis: str) -> list[str]:
    return list(s.loops[: s.loops.index(axis)])


def carried_dependence_check(s: Statement, t: Statement, buf: str, axis: str, step: str
                             ) -> Check:
    """No instances of `s` and `t` in different iterations of `axis` touch one cell of
    `buf` (at least one writing it)."""
    xa, xb = renamed(s.loops, "a"), renamed(t.loops, "b")

    def touching() -> list[tuple]:
        return [(p, q) for p in s.accesses for q in t.accesses
                if p.buffer == buf and q.buffer == buf and (p.write or q.write)]

    def build() -> z3.BoolRef:
        same_outer = [xa[n] == xb[n] for n in _outer(s, axis) if n in xb]
        cells = []
        for p, q in touching():
            if p.subscripts is None or q.subscripts is None:
                cells.append(z3.BoolVal(True))
            else:
                cells.append(z3.And(*[subst(u, xa) == subst(v, xb)
                                      for u, v in zip(p.subscripts, q.subscripts, strict=True)]))
        bad = z3.And(subst(s.domain, xa), subst(t.domain, xb), *same_outer,
                     xa[axis] != xb[axis], z3.Or(*cells))
        return z3.Not(bad)

    label = f"S{s.sid}" if s.sid == t.sid else f"S{s.sid}/S{t.sid}"

    def explain(m: z3.ModelRef) -> str:
        a = f"S{s.sid}{instance_text(s.loops, m, xa)}"
        b = f"S{t.sid}{instance_text(t.loops, m, xb)}"
        return (f"{a} and {b} "
                f"touch the same cell of {buf} in different iterations of '{axis}'")

    opaque = any(a.subscripts is None and not a.whole for st in (s, t) for a in st.accesses
                 if a.buffer == buf)
    reason = s.reason or t.reason
    return Check(Obligation(f"{step}/{label}/independent/{buf}",
                            f"iterations of '{axis}' do not share cells of {buf} through {label}",
                            build, s.location or step), explain,
                 unknown=f"not affine: {reason}" if reason else "",
                 soft=f"an access to {buf} has non-affine subscripts" if opaque else "")


@register
@dataclass(frozen=True)
class Parallel(Annotation):
    axis: str
    name = "parallel"

    def attribute(self) -> tuple[str, Attribute]:
        return "hls.parallel", UnitAttr.get()

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        kernel, op = loop_op(before, self.axis)
        axis = loop_name(op)
        stmts = [s for s in statements(before, kernel, ctx).values() if axis in s.loops]
        out = super().checks(before, after, ctx)
        private = {b for s in stmts for b in {a.buffer for a in s.accesses}
                   if axis in (private_scope(stmts, b) or ())}
        for b in sorted(private):
            out += private_checks(stmts, b, axis, self.label())
        for i, s in enumerate(stmts):
            for t in stmts[i:]:
                bufs = {p.buffer for p in s.accesses for q in t.accesses
                        if p.buffer == q.buffer and (p.write or q.write)} - private
                out += [carried_dependence_check(s, t, b, axis, self.label())
                        for b in sorted(bufs)]
        return out


def private_checks(stmts: list[Statement], buf: str, axis: str, step: str) -> list[Check]:
    """For each statement reading the private scalar `buf`: every instance is preceded, in
    the same iteration of the scalar's scope, by the statement that overwrites it."""
    found = private_kill(stmts, buf)
    assert found is not None
    scope, kill = found
    out = []
    for t in stmts:
        if not any(a.buffer == buf and not a.write for a in t.accesses):
            continue
        x = renamed(t.loops, "r")
        at = {n: x[n] for n in scope}

        def build(t: Statement = t, x: Env = x, at: Env = at) -> z3.BoolRef:
            return z3.Implies(subst(t.domain, x),
                              z3.And(subst(kill.domain, at), lex_before(kill, at, t, x)))

        out.append(Check(Obligation(
            f"{step}/S{t.sid}/private/{buf}",
            f"every read of {buf} by S{t.sid} follows, in the same iteration of "
            f"({', '.join(scope)}), the write by S{kill.sid}, so no value of {buf} crosses "
            f"iterations of '{axis}'", build, t.location or step),
            lambda m, t=t, x=x: f"S{t.sid}{instance_text(t.loops, m, x)} reads {buf} before "
                                "its iteration overwrites it"))
    return out
