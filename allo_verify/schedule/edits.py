"""Edits made to a schedule's design outside its primitives (`s.module` changed in place).

Every step rewrites a fresh copy and records what it left (`Seal`): the design's bytecode
and its hardware annotations. Law: a design whose hls.* annotations differ from those the
last step left carries an annotation no obligation covers (only L1 can vouch for one, and
no step made it), so it is refused as a usage error before a step or a certificate is made
from it; any other edit breaks the chain of steps from the original to the final design,
which L1 alone then no longer covers (the certificate says so; L2 and L3 compare the
original with the final design and still can).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from mlir.ir import Module, StringAttr, WalkResult

from allo_verify.errors import ScheduleUsageError
from allo_verify.schedule.loops import describe_loops
from allo_verify.schedule.primitives.base import bytecode

Mark = tuple[int, str, str, str]  # (op index in walk order, where, attribute, value)


def annotations(module: Module) -> tuple[Mark, ...]:
    """Every hls.* attribute of the design (with the argument and result attribute lists
    holding one), located by walk order."""
    out: list[Mark] = []
    index = [0]

    def visit(op: Any) -> WalkResult:
        where = (f"loop '{StringAttr(op.attributes['loop_name']).value}'"
                 if "loop_name" in op.attributes else
                 f"function '{StringAttr(op.attributes['sym_name']).value}'"
                 if op.name == "func.func" else f"a {op.name} op")
        for name in op.attributes:
            value = str(op.attributes[name])
            if name.startswith("hls.") or (name in ("arg_attrs", "res_attrs")
                                           and "hls." in value):
                out.append((index[0], where, name, value))
        index[0] += 1
        return WalkResult.ADVANCE

    module.operation.walk(visit)
    return tuple(out)


@dataclass(frozen=True)
class Seal:
    """What a design was when a step (or the schedule) left it: its bytecode (lossless, so
    equal bytes are the same design, annotations included); its annotations are read back
    from the bytecode only when the design differs."""

    code: bytes
    context: Any = field(repr=False, compare=False)

    @staticmethod
    def of(module: Module, code: bytes | None = None) -> Seal:
        """The seal of `module` as it is now; `code`: its bytecode, when already computed
        from it as it is now."""
        return Seal(bytecode(module.operation) if code is None else code, module.context)

    def marks(self) -> tuple[Mark, ...]:
        """The hls.* annotations of the sealed design."""
        with self.context:
            return annotations(Module.parse(self.code))

    def edited(self, module: Module) -> bool:
        """`module` is no longer what was sealed (any in-place edit)."""
        return bytecode(module.operation) != self.code

    def check(self, module: Module, doing: str) -> bool:
        """Whether `module` was edited in place since it was sealed; raises
        `ScheduleUsageError` when its hls.* annotations are not the sealed ones, naming the
        first that differs."""
        if not self.edited(module):
            return False
        now, marks = annotations(module), self.marks()
        if now == marks:
            return True
        old, new = set(marks), set(now)
        diff = sorted(new - old) or sorted(old - new)
        _, where, name, value = diff[0]
        change = "added or changed" if new - old else "removed"
        raise ScheduleUsageError(
            f"{doing}: the design's hls.* annotations were edited outside the schedule "
            f"({name} = {value} on {where} {change} in place on s.module); only a schedule "
            "primitive, whose obligations are checked, may annotate the design")


class SealedLoops(Sequence[str]):
    """`describe_loops` of the design a seal holds, computed from its bytecode when first
    read (the design itself may since have been edited in place; the seal has not)."""

    def __init__(self, seal: Seal) -> None:
        self._seal = seal
        self._lines: list[str] | None = None

    def _get(self) -> list[str]:
        if self._lines is None:
            with self._seal.context:
                self._lines = describe_loops(Module.parse(self._seal.code))
        return self._lines

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        return self._get()[i]

    def __len__(self) -> int:
        return len(self._get())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return self._get() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._get())
