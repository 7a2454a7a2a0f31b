"""Addressing loops by name: `"i"` or `"kernel:i"`, as the frontend named them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from mlir.ir import (
    AffineConstantExpr,
    AffineMapAttr,
    IntegerAttr,
    Module,
    Operation,
    StringAttr,
    WalkOrder,
    WalkResult,
)

from allo_verify.errors import ScheduleUsageError

_T = TypeVar("_T")

LOOP_OPS = ("affine.for", "scf.for")


@dataclass(frozen=True)
class LoopRef:
    """A loop found in a module: the function holding it, its name, nesting depth, op."""

    kernel: str
    name: str
    depth: int
    op: Any

    @property
    def qualified(self) -> str:
        return f"{self.kernel}:{self.name}"


#: modules a caller promised not to mutate for a while (see `unchanged`): id -> (module,
#: what was computed from it: its loops once listed, bytecodes)
_UNCHANGED: ContextVar[dict[int, tuple[Module, dict[Any, Any]]] | None] = ContextVar(
    "unchanged_modules", default=None)


@contextlib.contextmanager
def unchanged(*modules: Module, memos: Sequence[dict[Any, Any] | None] = ()
              ) -> Iterator[None]:
    """Within the block the caller does not mutate `modules` (the design a step starts
    from, a rewrite already verified), so what is computed from one of them (`remembered`:
    its loops, its bytecodes) is computed at most once; outside it (and for every other
    module) each call computes afresh. `memos[i]`, when given, is where `modules[i]`'s
    results are kept (the caller may carry it to a later block only for a module it knows
    is still the same IR, and only its plain data: never loops, which hold ops)."""
    known = dict(_UNCHANGED.get() or {})
    for i, m in enumerate(modules):
        memo = memos[i] if i < len(memos) else None
        if id(m) not in known or known[id(m)][0] is not m:
            known[id(m)] = (m, {} if memo is None else memo)
        elif memo is not None:  # an enclosing block holds `m`: this one knows both
            for key, value in known[id(m)][1].items():
                memo.setdefault(key, value)
            known[id(m)] = (m, memo)
    token = _UNCHANGED.set(known)
    try:
        yield
    finally:
        _UNCHANGED.reset(token)


_SOURCE: ContextVar[Module | None] = ContextVar("copied_from", default=None)


@contextlib.contextmanager
def copied_from(source: Module) -> Iterator[None]:
    """Within the block, the module a primitive's `apply` rewrites is a fresh in-memory copy
    of `source`, which nobody mutates meanwhile: what `apply` reads of the design before
    its first edit it may read from `source` (`copy_source`), whose results are remembered."""
    token = _SOURCE.set(source)
    try:
        yield
    finally:
        _SOURCE.reset(token)


def copy_source() -> Module | None:
    """The module the design being rewritten was copied from (see `copied_from`), if any."""
    return _SOURCE.get()


def remembered(module: Module, key: Any, compute: Callable[[], _T]) -> _T:
    """`compute()`, a function of `module`'s IR named by `key`, computed once per `unchanged`
    block that holds `module` (afresh outside one)."""
    entry = (_UNCHANGED.get() or {}).get(id(module))
    if entry is None or entry[0] is not module:
        return compute()
    memo = entry[1]
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def list_loops(module: Module) -> list[LoopRef]:
    """Every named loop of every function, in program order."""
    return list(remembered(module, LOOPS, lambda: _list_loops(module)))


LOOPS = "loops"  # the `remembered` key of `list_loops` (holds ops: never carried over)


def _list_loops(module: Module) -> list[LoopRef]:
    out: list[LoopRef] = []
    for fop in module.body.operations:
        if fop.operation.name != "func.func":
            continue
        kernel = StringAttr(fop.attributes["sym_name"]).value

        def visit(op: Operation, kernel: str = kernel) -> WalkResult:
            if op.name in LOOP_OPS and "loop_name" in op.attributes:
                depth, p = 0, op.parent
                while p is not None and p.name != "func.func":
                    depth += p.name in LOOP_OPS
                    p = p.parent
                out.append(LoopRef(kernel, StringAttr(op.attributes["loop_name"]).value, depth,
                                   op))
            return WalkResult.ADVANCE

        fop.operation.walk(visit, walk_order=WalkOrder.PRE_ORDER)
    return out


def find_loop(module: Module, axis: str) -> LoopRef:
    """The one loop `axis` names; an unknown or ambiguous name raises `ScheduleError`
    listing the candidates."""
    loops = list_loops(module)
    if ":" in axis:
        kernel, name = axis.split(":", 1)
        hits = [lp for lp in loops if lp.kernel == kernel and lp.name == name]
    else:
        hits = [lp for lp in loops if lp.name == axis]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        known = ", ".join(lp.qualified for lp in loops) or "none"
        raise ScheduleUsageError(f"no loop named '{axis}'; loops: {known}")
    cands = ", ".join(lp.qualified for lp in hits)
    raise ScheduleUsageError(f"loop name '{axis}' is ambiguous; candidates: {cands}")


def _constant_bound(op: Any, key: str) -> int | None:
    """The constant of the loop's bound map `key`, or None when it is not one constant."""
    amap = AffineMapAttr(op.attributes[key]).value
    if amap.n_dims or amap.n_symbols or len(amap.results) != 1:
        return None
    e = amap.results[0]
    return e.value if isinstance(e, AffineConstantExpr) else None


def _bounds(op: Any) -> str:
    """The loop header after `=` as MLIR prints it (`lb to ub [step s]`). Constant bounds
    are read from the attributes; any other header is printed, body included, and cut."""
    if op.name != "affine.for":
        return "(non-affine bounds)"
    if not len(op.operands) and not len(op.results):
        lb, ub = _constant_bound(op, "lowerBoundMap"), _constant_bound(op, "upperBoundMap")
        if lb is not None and ub is not None:
            step = IntegerAttr(op.attributes["step"]).value
            return f"{lb} to {ub}" + (f" step {step}" if step != 1 else "")
    return printed_bounds(op)


def printed_bounds(op: Any) -> str:
    """The loop header cut from the printed op (the slow way: prints the whole body)."""
    text = str(op).split("{", 1)[0]
    head = text.split("=", 1)[1].strip() if "=" in text else text
    return head.strip()


def describe_loops(module: Module) -> list[str]:
    """The loop structure as indented lines `kernel:name  lb to ub [step s] [attrs]`."""
    lines = []
    for lp in list_loops(module):
        op = lp.op.operation
        marks = sorted(str(n) for n in op.attributes if str(n).startswith("hls.")
                       or str(n) == "reduction")
        extra = f"  [{', '.join(marks)}]" if marks else ""
        lines.append(f"{'  ' * lp.depth}{lp.qualified}  {_bounds(op)}{extra}")
    return lines
