"""Shared by annotation primitives: set one `hls.*` attribute, prove nothing else changed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import z3
from mlir.ir import Attribute, Module, StringAttr, WalkResult

from allo_verify.equiv.instance_map import Check
from allo_verify.equiv.obligation import Obligation
from allo_verify.schedule.loops import remembered
from allo_verify.schedule.primitives.base import (
    FULL_BYTECODE,
    Context,
    Primitive,
    bytecode,
    design_key,
    without_hls,
)
from allo_verify.schedule.rewrite import loop_op


def strip_hls(module: Module) -> str:
    """The module's text (without locations) with every `hls.*` attribute removed."""
    return without_hls(module.operation, lambda op: op.get_asm(), lambda op, name: True)


def hls_free_bytecode(module: Module) -> bytes:
    """The module with every `hls.*` attribute removed, as MLIR bytecode (see `bytecode`:
    equal bytes are equal IR)."""
    return remembered(module, "hls-free-bytecode",
                      lambda: without_hls(module.operation, bytecode, lambda op, name: True))


def same_without_hls(before: Module, after: Module) -> bool:
    """The two designs are the same IR once every `hls.*` attribute is removed. Equal
    `design_key`s (which keep only some `hls.*` attributes) already imply it, and the steps
    compute those keys anyway; only when they differ are the hls-free bytecodes compared."""
    return (design_key(before) == design_key(after)
            or hls_free_bytecode(before) == hls_free_bytecode(after))


def _ops(module: Any) -> list[Any]:
    """Every op of `module` (a module or an operation), in walk order."""
    out: list[Any] = []

    def visit(op: Any) -> WalkResult:
        out.append(op)
        return WalkResult.ADVANCE

    getattr(module, "operation", module).walk(visit)
    return out


def only_declared_changed(before: Module, after: Module,
                          declared: Sequence[tuple[Any, Iterable[str]]]) -> bool:
    """`after` is exactly `before` with the `declared` attributes of the declared ops (ops
    of `before`) set as they are on the corresponding ops of `after`: a copy of `before` so
    edited has `after`'s bytecode (lossless, so equal bytes are equal IR). False means
    nothing (the caller decides the slow way, and names the difference)."""
    olds, news = _ops(before), _ops(after)
    if len(olds) != len(news):
        return False
    where = {i: names for op, names in declared for i, o in enumerate(olds)
             if o == op.operation}
    if len(where) != len(declared):
        return False
    with before.context:
        copy = before.operation.clone()
        try:
            ops = _ops(copy)
            for i, names in where.items():
                now = news[i].attributes
                for name in names:
                    if name in now:
                        ops[i].attributes[name] = now[name]
                    elif name in ops[i].attributes:
                        del ops[i].attributes[name]
            return bytecode(copy) == remembered(after, FULL_BYTECODE,
                                                lambda: bytecode(after.operation))
        finally:
            copy.erase()


def stray_hls(before: Module, after: Module, declared: Sequence[tuple[Any, Iterable[str]]]
              ) -> str | None:
    """The first `hls.*` attribute the rewrite set, changed or removed other than the
    `declared` ones (ops of `before`, each with the attribute names the step may change on
    it), described; None when there is none. Law: when the IR without `hls.*` attributes is
    the same, ops correspond one to one in walk order, so an attribute change is located
    exactly; a step that also annotates another loop (a `hls.parallel` no obligation
    covers) is named here."""
    olds, news = _ops(before), _ops(after)
    if len(olds) != len(news):
        return "the IR has a different number of ops"
    allowed: dict[int, set[str]] = {}
    for op, names in declared:
        target = op.operation
        for i, o in enumerate(olds):
            if o == target:
                allowed.setdefault(i, set()).update(names)
    for i, (a, b) in enumerate(zip(olds, news, strict=True)):
        keys = {n for n in (*a.attributes, *b.attributes) if str(n).startswith("hls.")}
        for k in sorted(keys - allowed.get(i, set())):
            va = str(a.attributes[k]) if k in a.attributes else None
            vb = str(b.attributes[k]) if k in b.attributes else None
            if va != vb:
                where = (f"loop '{StringAttr(b.attributes['loop_name']).value}'"
                         if "loop_name" in b.attributes else f"a {b.name} op")
                return f"it also changes {k} on {where} ({va or 'absent'} -> {vb or 'absent'})"
    return None


def attributes_only_check(before: Module, after: Module, step: str,
                          declared: Sequence[tuple[Any, Iterable[str]]]) -> Check:
    """The rewrite changed attributes only, and only the `declared` ones (see `stray_hls`):
    the IR without `hls.*` attributes is identical (locations included), and no other
    `hls.*` attribute changed, so no annotation escapes the step's obligations."""
    if only_declared_changed(before, after, declared):
        same, stray = True, None
    else:  # decided (and a difference named) the slow way
        same = same_without_hls(before, after)
        stray = stray_hls(before, after, declared) if same else None
    names = sorted({n for _, ns in declared for n in ns})
    return Check(Obligation(f"{step}/attributes-only",
                            f"{step} changes only hls.* attributes, and of them only its own "
                            f"({', '.join(names)}); the IR is otherwise identical",
                            lambda: z3.BoolVal(same and stray is None), step),
                 lambda m: stray or "the IR differs beyond hls.* attributes")


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

    def declared(self) -> set[str]:
        """The attributes the step may change on its loop."""
        return {self.attribute()[0]}

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        _, op = loop_op(before, self.axis)
        with before.context:  # `attribute()` builds an MLIR attribute
            own = self.declared()
        return [attributes_only_check(before, after, self.label(), [(op, own)])]
