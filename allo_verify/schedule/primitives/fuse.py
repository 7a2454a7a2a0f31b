"""fuse(*axes): coalesce consecutive perfectly nested loops into one.

Rewrite (constant bounds, unit steps; T_k the trip counts, P_k = T_{k+1} * ... * T_n):

    for i in [li, ui): for j in [lj, uj): S(i, j)
      ==>  for f in [0, T_i * T_j): S(li + f div T_j, lj + f mod T_j)     # "i_j_fused"

Witness: phi(f) = (l_k + (f div P_k) mod T_k)_k ; psi(i, j, ...) = sum_k (x_k - l_k) * P_k.
Obligations: the instance-map checker's five.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlir.dialects import affine
from mlir.ir import (
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineMap,
    InsertionPoint,
    Module,
)

from allo_verify.equiv.instance_map import Check, Witness
from allo_verify.equiv.polyhedral import var
from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.schedule.loops import list_loops
from allo_verify.schedule.primitives.base import (
    Context,
    Primitive,
    instance_map_checks,
    register,
    statements,
)
from allo_verify.schedule.rewrite import (
    Header,
    band_applies,
    body_ops,
    constant_bounds,
    header,
    iv,
    loop_name,
    loop_op,
    make_loop,
    move_into,
    perfect_band,
)


def fused_name(module: Module, kernel: str, names: list[str]) -> str:
    """`i_j_fused`, or `i_j_fused_1`, ... when a loop of the kernel already has that name."""
    taken = {lp.name for lp in list_loops(module) if lp.kernel == kernel}
    base = "_".join(names) + "_fused"
    name, k = base, 0
    while name in taken:
        k += 1
        name = f"{base}_{k}"
    return name


def fuse_band(module: Module, axes: tuple[str, ...]) -> tuple[str, list, list[tuple[int, int]]]:
    """The loops to fuse, outermost first, with their constant (lb, ub)."""
    if len(axes) < 2:
        raise ScheduleUsageError("fuse needs at least two loops")
    kernel, top = loop_op(module, axes[0])
    band = perfect_band(top)
    names = [loop_name(b) for b in band]
    want = [loop_name(loop_op(module, a)[1]) for a in axes]
    if len(set(want)) != len(want):
        raise ScheduleUsageError(f"fuse: a loop is named twice in {list(axes)}")
    if names[: len(want)] != want:
        for a in axes[1:]:  # the same loops, named in another order than their nesting
            nest = [loop_name(b) for b in perfect_band(loop_op(module, a)[1])][: len(want)]
            if sorted(nest) == sorted(want):
                raise ScheduleUsageError(
                    f"fuse: give the loops outermost first, as they are nested: "
                    f"fuse({', '.join(repr(n) for n in nest)}), not "
                    f"fuse({', '.join(repr(a) for a in axes)})")
        raise ScheduleError(f"fuse: {want} must be consecutive perfectly nested loops, "
                            f"outermost first (the band at '{axes[0]}' is {names})")
    band = band[: len(want)]
    bounds = []
    for op in band:
        h = header(op)
        cb = constant_bounds(h)
        if cb is None:
            raise ScheduleError(f"fuse needs constant bounds; loop '{h.name}' has others")
        if h.step != 1:
            raise ScheduleError(f"fuse needs unit steps; loop '{h.name}' has step {h.step}")
        if cb[1] <= cb[0]:
            raise ScheduleError(f"fuse: loop '{h.name}' runs no iteration; nothing to fuse")
        bounds.append(cb)
    return kernel, band, bounds


@register
@dataclass(frozen=True)
class Fuse(Primitive):
    axes: tuple[str, ...]
    name = "fuse"

    def apply(self, module: Module, ctx: Context) -> None:
        kernel, band, bounds = fuse_band(module, tuple(self.axes))
        trips = [u - l for l, u in bounds]  # fuse_band refused empty loops
        total = math.prod(trips)
        h0 = header(band[0])
        names = [loop_name(b) for b in band]
        new_name = fused_name(module, kernel, names)
        zero = AffineMap.get(0, 0, [AffineConstantExpr.get(0)])
        top_ub = AffineMap.get(0, 0, [AffineConstantExpr.get(total)])
        with band[0].location, InsertionPoint(band[0]):
            fused = make_loop(Header(zero, [], top_ub, [], 1, h0.attrs), new_name)
        with band[0].location, InsertionPoint.at_block_begin(fused.body):
            f = AffineDimExpr.get(0)
            idx = []
            for k, (lb, _) in enumerate(bounds):
                p = math.prod(trips[k + 1:])
                e = AffineExpr.get_floor_div(f, AffineConstantExpr.get(p)) if p != 1 else f
                if k > 0:
                    e = AffineExpr.get_mod(e, AffineConstantExpr.get(trips[k]))
                idx.append(affine.AffineApplyOp(AffineMap.get(1, 0, [e + lb]), [iv(fused)]))
        move_into(band_applies(band) + body_ops(band[-1]), fused)
        for op, v in zip(band, idx, strict=True):
            iv(op).replace_all_uses_with(v.result)
        band[0].erase()

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        kernel, band, bounds = fuse_band(before, tuple(self.axes))
        names = [loop_name(b) for b in band]
        trips = [u - l for l, u in bounds]
        new_name = fused_name(before, kernel, names)
        f = var(new_name)
        phi = {}
        psi_f = 0
        for k, ((lb, _), n) in enumerate(zip(bounds, names, strict=True)):
            p = math.prod(trips[k + 1:])
            e = f / p if p != 1 else f
            phi[n] = (e % trips[k] if k > 0 else e) + lb
            psi_f = psi_f + (var(n) - lb) * p
        olds = statements(before, kernel, ctx)
        sids = [s.sid for s in olds.values() if names[0] in s.loops]
        w = Witness({sid: phi for sid in sids}, {sid: {new_name: psi_f} for sid in sids})
        return instance_map_checks(before, after, kernel, w, self.label(), ctx, olds)
