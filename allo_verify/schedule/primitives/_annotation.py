"""Shared by annotation primitives: set one `hls.*` attribute, prove nothing else changed."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import z3
from mlir.ir import Attribute, Module, WalkResult

from allo_verify.equiv.instance_map import Check
from allo_verify.equiv.obligation import Obligation
from allo_verify.schedule.primitives.base import Context, Primitive
from allo_verify.schedule.rewrite import loop_op

_T = TypeVar("_T")


def _without_hls(module: Module, render: Callable[[Any], _T]) -> _T:
    """`render` of an in-memory copy of the module with every `hls.*` attribute removed (the
    module itself is untouched)."""
    with module.context:
        copy = module.operation.clone()

        def visit(op: Any) -> WalkResult:
            for name in [n for n in op.attributes if n.startswith("hls.")]:
                del op.attributes[name]
            return WalkResult.ADVANCE

        try:
            copy.walk(visit)
            return render(copy)
        finally:
            copy.erase()


def strip_hls(module: Module) -> str:
    """The module's text (without locations) with every `hls.*` attribute removed."""
    return _without_hls(module, lambda op: op.get_asm())


def hls_free_bytecode(module: Module) -> bytes:
    """The module with every `hls.*` attribute removed, as MLIR bytecode: a lossless
    encoding (ops, attributes, types, regions, locations), so equal bytes are equal IR; it
    is several times cheaper to produce than the text."""

    def render(op: Any) -> bytes:
        out = io.BytesIO()
        op.write_bytecode(out)
        return out.getvalue()

    return _without_hls(module, render)


def attributes_only_check(before: Module, after: Module, step: str) -> Check:
    """The rewrite changed attributes only: the IR without `hls.*` attributes is identical
    (locations included)."""
    same = hls_free_bytecode(before) == hls_free_bytecode(after)
    return Check(Obligation(f"{step}/attributes-only",
                            f"{step} changes only hls.* attributes; the IR is otherwise identical",
                            lambda: z3.BoolVal(same), step),
                 lambda m: "the IR differs beyond hls.* attributes")


class Annotation(Primitive):
    """A primitive that sets one `hls.*` attribute on a loop (`axis`); its obligation is
    that nothing else changed. Subclasses give the attribute and validate arguments."""

    axis: str
    hardware: ClassVar[bool] = True  # only HLS sees the attribute: L1 must prove it

    def attribute(self) -> tuple[str, Attribute]:
        raise NotImplementedError

    def apply(self, module: Module, ctx: Context) -> None:
        key, value = self.attribute()
        _, op = loop_op(module, self.axis)
        op.attributes[key] = value

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        return [attributes_only_check(before, after, self.label())]
