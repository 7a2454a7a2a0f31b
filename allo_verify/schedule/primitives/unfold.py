"""unfold(loops): Allo's loop unfolding into processing elements (PEs).

Allo's `s.unfold(band, axes)` replaces the listed loops of a band by one copy of their body
per iteration, each copy its own hardware instance (a PE) that runs concurrently with the
others (used with dataflow, e.g. systolic arrays). Here the copies are made by HLS: each
unfolded loop gets `hls.unroll = 0` (a full unroll) and `hls.unfold` (recorded, and shown
as a comment in the C++); the LLVM simulation runs the loops in order.

Rewrite: attributes only (`hls.unroll`, `hls.unfold`, and `hls.private` on the innermost
unfolded loop for the local scalars proved private to one instance).
Obligations:
- the IR is otherwise unchanged, and every unfolded loop has constant bounds (a fixed
  number of instances);
- each scalar listed in `hls.private` is private to one instance;
- the instances are independent: for every pair of accesses under the unfolded loops to
  one buffer, at least one a write, no two statement instances whose unfolded loop
  variables differ in any position touch the same cell. Together with the first, running
  the instances in any interleaving (concurrently) gives the sequential result. A
  dependence carried by an unfolded loop is refuted with the two instances and the cell.
Domains under data-dependent control are over-approximated (a refutation there is only a
possible violation: unknown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import z3
from mlir.ir import Module, UnitAttr

from allo_verify.equiv.instance_map import Check, instance_text, renamed, subst
from allo_verify.equiv.obligation import Obligation
from allo_verify.equiv.polyhedral import Statement
from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.schedule.primitives._annotation import attributes_only_check
from allo_verify.schedule.primitives.base import Context, Primitive, register, statements
from allo_verify.schedule.primitives.parallel import (
    listed_private,
    privacy_checks,
    private_attribute,
    private_scalars,
)
from allo_verify.schedule.primitives.unroll import Unroll
from allo_verify.schedule.rewrite import constant_bounds, header, loop_name, loop_op


def _chain(module: Module, loops: tuple[str, ...]) -> list[Any]:
    """The loop ops, checked to be one perfect chain: each one's body holds only the next."""
    if not loops:
        raise ScheduleUsageError("unfold: no loops to unfold")
    ops = [loop_op(module, a)[1] for a in loops]
    kernels = {loop_op(module, a)[0] for a in loops}
    if len(kernels) != 1:
        raise ScheduleUsageError(f"unfold: the loops {list(loops)} are in different kernels")
    for outer, inner in zip(ops, ops[1:], strict=False):
        body = [o for o in outer.regions[0].blocks[0].operations
                if o.operation.name not in ("affine.yield", "scf.yield")]
        if len(body) != 1 or body[0].operation != inner:
            raise ScheduleError(f"unfold refused: loop '{loop_name(inner)}' is not the only "
                                f"statement of loop '{loop_name(outer)}' (the unfolded "
                                "loops must be perfectly nested)")
    return ops


def cross_instance_check(s: Statement, t: Statement, buf: str, names: tuple[str, ...],
                         step: str) -> Check:
    """No instances of `s` and `t` whose unfolded variables `names` differ touch one cell of
    `buf` (at least one of the two accesses writing it)."""
    xa, xb = renamed(s.loops, "a"), renamed(t.loops, "b")
    pairs = [(p, q) for p in s.accesses for q in t.accesses
             if p.buffer == buf and q.buffer == buf and (p.write or q.write)]

    def build() -> z3.BoolRef:
        cells = [z3.BoolVal(True) if p.subscripts is None or q.subscripts is None else
                 z3.And(*[subst(u, xa) == subst(v, xb)
                          for u, v in zip(p.subscripts, q.subscripts, strict=True)])
                 for p, q in pairs]
        differ = [xa[n] != xb[n] for n in names if n in xa and n in xb]
        bad = z3.And(subst(s.domain, xa), subst(t.domain, xb), z3.Or(*differ), z3.Or(*cells))
        return z3.Not(bad)

    label = (f"S{s.sid}" if s.sid == t.sid else f"S{s.sid}/S{t.sid}").replace("S-", "load")

    def explain(m: z3.ModelRef) -> str:
        a = f"S{s.sid}{instance_text(s.loops, m, xa)}".replace("S-", "load")
        b = f"S{t.sid}{instance_text(t.loops, m, xb)}".replace("S-", "load")
        return (f"{a} and {b} are in different unfolded instances "
                f"({', '.join(names)}) and touch the same cell of {buf}")

    opaque = any(a.subscripts is None and not a.whole for st in (s, t) for a in st.accesses
                 if a.buffer == buf)
    soft = "; ".join(x for x in (s.reason, t.reason,
                                 f"an access to {buf} has non-affine subscripts" if opaque
                                 else "") if x)
    return Check(Obligation(f"{step}/{label}/instances-independent/{buf}",
                            f"the unfolded instances of ({', '.join(names)}) share no cell of "
                            f"{buf} through {label}", build, s.location or step),
                 explain, soft=soft)


@register
@dataclass(frozen=True)
class Unfold(Primitive):
    """Unfold the perfectly nested `loops` (outermost first) into independent instances."""

    loops: tuple[str, ...]
    name = "unfold"
    hardware: ClassVar[bool] = True  # only HLS makes the instances: L1 must prove them

    def apply(self, module: Module, ctx: Context) -> None:
        ops = _chain(module, tuple(self.loops))
        for axis, op in zip(self.loops, ops, strict=True):
            if op.name != "affine.for" or constant_bounds(header(op)) is None:
                raise ScheduleError(f"unfold refused: loop '{loop_name(op)}' has no constant "
                                    "bounds, so the number of instances is not fixed")
            key, value = Unroll(axis, 0).attribute()
            op.attributes[key] = value
            op.attributes["hls.unfold"] = UnitAttr.get()
        inner = self.loops[-1]
        names = private_scalars(module, inner, ctx)
        if names:
            ops[-1].attributes["hls.private"] = private_attribute(names)
        elif "hls.private" in ops[-1].attributes:
            del ops[-1].attributes["hls.private"]

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        step = self.label()
        chain = _chain(before, tuple(self.loops))
        last = chain[-1].operation
        own = [(op, {"hls.unroll", "hls.unfold"}
                | ({"hls.private"} if op.operation == last else set())) for op in chain]
        out = [attributes_only_check(before, after, step, own),
               *privacy_checks(before, after, self.loops[-1], ctx, step)]
        kernel, _ = loop_op(before, self.loops[0])
        names = tuple(loop_name(loop_op(before, a)[1]) for a in self.loops)
        every = statements(before, kernel, ctx).values()
        view = next((s.view for s in every if s.view is not None), None)
        loose = view.loose if view is not None else []
        under = [s for s in (*every, *loose) if names[0] in s.loops]
        private = set(listed_private(after, self.loops[-1]))
        for i, s in enumerate(under):
            for t in under[i:]:
                bufs = {p.buffer for p in s.accesses for q in t.accesses
                        if p.buffer == q.buffer and (p.write or q.write)} - private
                out += [cross_instance_check(s, t, b, names, step) for b in sorted(bufs)]
        return out
