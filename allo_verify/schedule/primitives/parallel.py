"""parallel(axis): mark a loop whose iterations are independent (`hls.parallel`).

Rewrite: attributes only: `hls.parallel`, and `hls.private` = the names of the local scalars
proved private to the loop (see `privatize`), which the HLS code declares inside it (absent
when there are none).
Obligations: the IR is otherwise unchanged; each scalar listed in `hls.private` is private
to the loop (every load inside it preceded by a store in the same iteration, none live
after it); and the loop carries no dependence through any other buffer: for every pair of
accesses under it to one buffer, at least one a write, no instances a, b agree on every
loop outside `axis`, differ on `axis`, and touch the same cell. Loads that feed no store
(conditions, returns) count as reads. A model names the two iterations and the cell.

Domains of statements under data-dependent control are over-approximated (the condition
dropped), which only adds instance pairs: a proof still holds, a model is only a possible
violation (unknown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import z3
from mlir.ir import ArrayAttr, Attribute, Module, StringAttr, UnitAttr

from allo_verify.equiv import z3_fast as zf
from allo_verify.equiv.instance_map import Check, instance_text, renamed, subst
from allo_verify.equiv.obligation import Obligation
from allo_verify.equiv.polyhedral import Statement
from allo_verify.equiv.privatize import Privacy
from allo_verify.schedule.loops import copy_source, unchanged
from allo_verify.schedule.primitives._annotation import Annotation
from allo_verify.schedule.primitives.base import Context, register, statements
from allo_verify.schedule.rewrite import loop_name, loop_op


def _outer(s: Statement, axis: str) -> list[str]:
    return list(s.loops[: s.loops.index(axis)])


def carried_dependence_check(s: Statement, t: Statement, buf: str, axis: str, step: str,
                             why: Callable[[], str] | None = None) -> Check:
    """No instances of `s` and `t` in different iterations of `axis` touch one cell of
    `buf` (at least one writing it)."""
    xa, xb = renamed(s.loops, "a"), renamed(t.loops, "b")

    def touching() -> list[tuple]:
        return [(p, q) for p in s.accesses for q in t.accesses
                if p.buffer == buf and q.buffer == buf and (p.write or q.write)]

    def build() -> z3.BoolRef:
        same_outer = [zf.eq(xa[n], xb[n]) for n in _outer(s, axis) if n in xb]
        cells = []
        for p, q in touching():
            if p.subscripts is None or q.subscripts is None:
                cells.append(z3.BoolVal(True))
            else:
                cells.append(zf.and_(*[zf.eq(subst(u, xa), subst(v, xb))
                                       for u, v in zip(p.subscripts, q.subscripts, strict=True)]))
        bad = zf.and_(subst(s.domain, xa), subst(t.domain, xb), *same_outer,
                      xa[axis] != xb[axis], zf.or_(*cells))
        return zf.not_(bad)

    label = f"S{s.sid}" if s.sid == t.sid else f"S{s.sid}/S{t.sid}"
    label = label.replace("S-", "load")

    def explain(m: z3.ModelRef) -> str:
        a = f"S{s.sid}{instance_text(s.loops, m, xa)}".replace("S-", "load")
        b = f"S{t.sid}{instance_text(t.loops, m, xb)}".replace("S-", "load")
        text = f"{a} and {b} touch the same cell of {buf} in different iterations of '{axis}'"
        return f"{text}; {why()}" if why is not None else text

    opaque = any(a.subscripts is None and not a.whole for st in (s, t) for a in st.accesses
                 if a.buffer == buf)
    # A non-affine part only over-approximates the instances (dropped conditions, unknown
    # cells): a proof is still a proof, a model only a possible violation.
    soft = "; ".join(x for x in (s.reason, t.reason,
                                 f"an access to {buf} has non-affine subscripts" if opaque
                                 else "") if x)
    return Check(Obligation(f"{step}/{label}/independent/{buf}",
                            f"iterations of '{axis}' do not share cells of {buf} through {label}",
                            build, s.location or step), explain, soft=soft)


def private_attribute(names: list[str]) -> Attribute:
    return ArrayAttr.get([StringAttr.get(n) for n in names])


def listed_private(module: Module, axis: str) -> list[str]:
    """The scalar names in the loop's `hls.private` attribute (none when absent)."""
    _, op = loop_op(module, axis)
    if "hls.private" not in op.attributes:
        return []
    return [StringAttr(a).value for a in ArrayAttr(op.attributes["hls.private"])]


def private_scalars(module: Module, axis: str, ctx: Context) -> list[str]:
    """The local scalars stored inside loop `axis` that are proved private to it."""
    kernel, op = loop_op(module, axis)
    return Privacy.of(statements(module, kernel, ctx).values()).private_to(loop_name(op))


def privacy_checks(before: Module, after: Module, axis: str, ctx: Context, step: str
                   ) -> list[Check]:
    """Each scalar the step lists in `hls.private` is private to the loop (in `before`; the
    IR is otherwise unchanged)."""
    kernel, op = loop_op(before, axis)
    pv = Privacy.of(statements(before, kernel, ctx).values())
    return [c for b in listed_private(after, axis) for c in pv.checks(b, loop_name(op), step)]


class PrivateAnnotation(Annotation):
    """An annotation that also records, in `hls.private`, the scalars private to its loop."""

    def apply(self, module: Module, ctx: Context) -> None:
        key, value = self.attribute()
        # read first (privacy does not depend on hls.* attributes), from the design this one
        # copies when there is one: the same IR, whose statements are already known
        source = copy_source() or module
        with unchanged(source):
            names = private_scalars(source, self.axis, ctx)
        _, op = loop_op(module, self.axis)
        op.attributes[key] = value
        if names:
            op.attributes["hls.private"] = private_attribute(names)
        elif "hls.private" in op.attributes:
            del op.attributes["hls.private"]

    def declared(self) -> set[str]:
        return {*super().declared(), "hls.private"}

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        return super().checks(before, after, ctx) + privacy_checks(before, after, self.axis,
                                                                   ctx, self.label())


@register
@dataclass(frozen=True)
class Parallel(PrivateAnnotation):
    axis: str
    name = "parallel"

    def attribute(self) -> tuple[str, Attribute]:
        return "hls.parallel", UnitAttr.get()

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        kernel, op = loop_op(before, self.axis)
        axis = loop_name(op)
        every = statements(before, kernel, ctx).values()
        view = next((s.view for s in every if s.view is not None), None)
        loose = view.loose if view is not None else []
        stmts = [s for s in (*every, *loose) if axis in s.loops]
        out = super().checks(before, after, ctx)
        private = set(listed_private(after, self.axis))
        pv = Privacy.of(every)
        for i, s in enumerate(stmts):
            for t in stmts[i:]:
                bufs = {p.buffer for p in s.accesses for q in t.accesses
                        if p.buffer == q.buffer and (p.write or q.write)} - private
                out += [carried_dependence_check(
                    s, t, b, axis, self.label(),
                    (lambda b=b: pv.why_not(b, axis)) if pv.is_scalar(b) else None)
                    for b in sorted(bufs)]
        return out


def parallel_rechecks(prim: Any, before: Module, after: Module, ctx: Context) -> list[Check]:
    """The independence obligations of every loop marked `hls.parallel` in `after`, re-proved
    on `after` for a later step `prim` that changed more than attributes.

    Law: `hls.parallel` stays true after every later rewrite, or the rewrite is refused.
    Its meaning depends on the loops around it (iterations that agree on every outer loop
    must not conflict): a legal reorder that moves a parallel loop outward makes it claim
    independence across iterations of the loops it crossed, which may be false. A step
    that changes only hls.* attributes leaves the IR, hence every earlier proof, as it was
    (its own checker proves what it annotates)."""
    from dataclasses import replace

    from allo_verify.schedule.loops import list_loops
    from allo_verify.schedule.primitives._annotation import same_without_hls

    marked = [lp for lp in list_loops(after) if "hls.parallel" in lp.op.operation.attributes]
    if not marked or same_without_hls(before, after):
        return []
    step = prim.label()
    out: list[Check] = []
    for lp in marked:
        again = Parallel(lp.qualified)
        for c in again.checks(after, after, ctx):
            if c.obligation.name.endswith("/attributes-only"):
                continue
            ob = c.obligation
            out.append(replace(c, obligation=replace(
                ob, name=f"{step}/after/{ob.name}",
                statement=f"after {step}, still: {ob.statement}")))
    return out
