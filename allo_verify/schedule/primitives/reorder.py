"""reorder(*axes): permute loops of one perfectly nested band.

Rewrite: the named loops take the band positions they occupy, in the order given; loops of
the band that are not named stay where they are. Bodies are unchanged.

    for i: for j: S(i, j)   ==reorder(j, i)==>   for j: for i: S(i, j)

A loop whose bounds use a variable that would end up inside it cannot move there (a
triangular `for j in range(i + 1, N)` cannot go outside `i`): that request is refused.
Witness: the identity on loop names (phi = psi = id); only the order changes, so the order
obligation (no conflicting pair of instances reversed) carries the legality.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlir.ir import InsertionPoint, Module, OpResult, Value

from allo_verify.equiv.instance_map import IDENTITY, Check
from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.schedule.loops import unchanged
from allo_verify.schedule.primitives.base import Context, Primitive, instance_map_checks, register
from allo_verify.schedule.rewrite import (
    band_applies,
    body_ops,
    header,
    iv,
    loop_name,
    loop_op,
    make_loop,
    move_into,
    perfect_band,
)


def permuted_band(module: Module, axes: tuple[str, ...]) -> tuple[str, list, list[int]]:
    """The band holding `axes`, from the outermost named loop to the innermost one, and
    the permutation (new position -> old position)."""
    if len(axes) < 2 or len(set(axes)) != len(axes):
        raise ScheduleUsageError(f"reorder needs at least two distinct loops, got {list(axes)}")
    with unchanged(module):  # only looked up here: the loops are listed once
        found = [loop_op(module, a) for a in axes]
    kernels = {k for k, _ in found}
    if len(kernels) != 1:
        raise ScheduleUsageError(f"reorder: loops {list(axes)} are in different kernels")
    names = [loop_name(op) for _, op in found]
    for _, op in found:
        band = perfect_band(op)
        band_names = [loop_name(b) for b in band]
        if set(names) <= set(band_names):
            band = band[: max(band_names.index(n) for n in names) + 1]
            band_names = band_names[: len(band)]
            slots = sorted(band_names.index(n) for n in names)
            order = list(range(len(band)))
            for slot, n in zip(slots, names, strict=True):
                order[slot] = band_names.index(n)
            return kernels.pop(), band, order
    raise ScheduleError(f"reorder: loops {list(axes)} are not one perfectly nested band "
                        "(each loop's body must be exactly the next loop)")


def ivs_feeding(v: Value) -> set[Value]:
    """The values `v` is computed from through `affine.apply`, itself included."""
    out = {v}
    owner = getattr(v, "owner", None)
    if isinstance(v, OpResult) and owner.operation.name == "affine.apply":
        for x in owner.operation.operands:
            out |= ivs_feeding(x)
    return out


@register
@dataclass(frozen=True)
class Reorder(Primitive):
    axes: tuple[str, ...]
    name = "reorder"

    def apply(self, module: Module, ctx: Context) -> None:
        _, band, order = permuted_band(module, tuple(self.axes))
        headers = [header(op) for op in band]
        ivs = [iv(op) for op in band]
        for pos, old in enumerate(order):
            outer_ivs = {ivs[order[p]] for p in range(pos)}
            inner_ivs = set(ivs) - outer_ivs - {ivs[old]}
            used = set().union(*(ivs_feeding(v) for v in headers[old].lb_ops + headers[old].ub_ops))
            bad = [loop_name(band[k]) for k in range(len(band)) if ivs[k] in used and
                   ivs[k] in inner_ivs]
            if bad:
                raise ScheduleError(
                    f"reorder refused: the bounds of loop '{headers[old].name}' use "
                    f"'{bad[0]}', which would be nested inside it")
        top = band[0]
        parent_ip = InsertionPoint(top)
        new_loops = []
        for old in order:
            with top.location, parent_ip:
                loop = make_loop(headers[old])
            new_loops.append(loop)
            parent_ip = InsertionPoint.at_block_begin(loop.body)
        move_into(band_applies(band) + body_ops(band[-1]), new_loops[-1])
        for pos, old in enumerate(order):
            ivs[old].replace_all_uses_with(iv(new_loops[pos]))
        top.erase()

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        kernel, _ = loop_op(before, self.axes[0])
        return instance_map_checks(before, after, kernel, IDENTITY, self.label(), ctx)
