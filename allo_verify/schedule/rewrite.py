"""Small IR surgery shared by loop primitives: headers, nests, moving bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlir.dialects import affine
from mlir.ir import (
    AffineMap,
    AffineMapAttr,
    InsertionPoint,
    IntegerAttr,
    Module,
    StringAttr,
    Value,
)

from allo_verify.errors import ScheduleError
from allo_verify.schedule.loops import find_loop


@dataclass
class Header:
    """Everything that defines an `affine.for` except its body."""

    lb: AffineMap
    lb_ops: list[Value]
    ub: AffineMap
    ub_ops: list[Value]
    step: int
    attrs: dict[str, Any]

    @property
    def name(self) -> str:
        return StringAttr(self.attrs["loop_name"]).value


def header(op: Any) -> Header:
    """The header of an `affine.for` (a loop with non-affine bounds is refused)."""
    op = op.operation
    if op.name != "affine.for":
        name = StringAttr(op.attributes["loop_name"]).value if "loop_name" in op.attributes \
            else op.name
        raise ScheduleError(f"loop '{name}' has non-affine bounds ({op.name}); loop primitives "
                            "need an affine.for")
    view = op.opview
    attrs = {str(n): op.attributes[str(n)] for n in op.attributes
             if str(n) not in ("lowerBoundMap", "upperBoundMap", "step",
                               "operandSegmentSizes")}
    return Header(AffineMapAttr(op.attributes["lowerBoundMap"]).value,
                  list(view.lowerBoundOperands),
                  AffineMapAttr(op.attributes["upperBoundMap"]).value,
                  list(view.upperBoundOperands), IntegerAttr(op.attributes["step"]).value, attrs)


def make_loop(h: Header, name: str | None = None) -> Any:
    """A new `affine.for` at the current insertion point with header `h` (renamed if asked);
    its body has its terminator."""
    loop = affine.AffineForOp(h.lb, h.ub, h.step, lower_bound_operands=h.lb_ops,
                              upper_bound_operands=h.ub_ops)
    for k, v in h.attrs.items():
        loop.attributes[k] = v
    if name is not None:
        loop.attributes["loop_name"] = StringAttr.get(name)
    with InsertionPoint(loop.body):
        affine.AffineYieldOp([])
    return loop


def move_body(src: Any, dst: Any) -> None:
    """Move every op but the terminator of loop `src`'s body to the end of `dst`'s body."""
    src_ops = list(src.regions[0].blocks[0].operations)[:-1]
    dst_term = list(dst.regions[0].blocks[0].operations)[-1]
    for op in src_ops:
        op.operation.move_before(dst_term.operation)


def iv(loop: Any) -> Value:
    return loop.regions[0].blocks[0].arguments[0]


def body_ops(loop: Any) -> list[Any]:
    """Ops of a loop body without the terminator."""
    return [o.operation for o in list(loop.regions[0].blocks[0].operations)[:-1]]


def perfect_band(top: Any) -> list[Any]:
    """`top` and the loops perfectly nested inside it: each body is exactly one loop,
    after index computations (`affine.apply`) that may precede it."""
    band = [top.operation]
    while True:
        inner = body_ops(band[-1])
        rest = [o for o in inner if o.name != "affine.apply"]
        if len(rest) == 1 and rest[0].name == "affine.for" and inner[-1] == rest[0]:
            band.append(rest[0])
        else:
            return band


def band_applies(band: list[Any]) -> list[Any]:
    """The index computations between the loops of a band, outermost first."""
    return [o for lp in band[:-1] for o in body_ops(lp) if o.name == "affine.apply"]


def move_into(ops: list[Any], loop: Any) -> None:
    """Move `ops` (in order) to the end of `loop`'s body, before its terminator."""
    term = list(loop.regions[0].blocks[0].operations)[-1].operation
    for o in ops:
        o.operation.move_before(term)


def loop_op(module: Module, axis: str) -> tuple[str, Any]:
    """The function name and op of the loop `axis` names."""
    ref = find_loop(module, axis)
    return ref.kernel, ref.op.operation


def loop_name(op: Any) -> str:
    return StringAttr(op.operation.attributes["loop_name"]).value


def constant_bounds(h: Header) -> tuple[int, int] | None:
    """(lb, ub) when both bounds are single constants."""
    if len(h.lb.results) == 1 and len(h.ub.results) == 1 and not h.lb_ops and not h.ub_ops:
        lb, ub = str(h.lb.results[0]), str(h.ub.results[0])
        try:
            return int(lb), int(ub)
        except ValueError:
            return None
    return None
