"""Addressing buffers by name: `s.A`, `"A"` or `"kernel:A"`.

A buffer is a memref argument of a function (named by its parameter) or a local array
(`memref.alloc`/`alloca` carrying `buffer_name`). `"A"` means the top kernel's `A` when it
has one, otherwise the one function that has a buffer `A` (several: an error listing the
candidates, like loop names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlir.ir import MemRefType, Module, StringAttr, Value, WalkResult

from allo_verify.errors import ScheduleUsageError

ALLOCS = ("memref.alloc", "memref.alloca")


@dataclass(frozen=True)
class BufferRef:
    """A buffer of a function: the function's name and the buffer's name."""

    kernel: str
    name: str

    @property
    def qualified(self) -> str:
        return f"{self.kernel}:{self.name}"

    def __str__(self) -> str:
        return self.qualified


def functions(module: Module) -> dict[str, Any]:
    """Every `func.func` of the module by symbol name."""
    out: dict[str, Any] = {}
    for op in module.body.operations:
        op = op.operation
        if op.name == "func.func":
            out[StringAttr(op.attributes["sym_name"]).value] = op
    return out


def is_memref(v: Value) -> bool:
    return str(v.type).startswith("memref<")


def buffer_values(func_op: Any, arg_names: list[str]) -> dict[str, Value]:
    """The named buffers of a function: memref arguments, then named local arrays (program
    order). Two local arrays with one name: the first one keeps it."""
    out: dict[str, Value] = {}
    block = func_op.regions[0].blocks[0]
    for k, a in enumerate(block.arguments):
        if is_memref(a):
            out[arg_names[k] if k < len(arg_names) else f"arg{k}"] = a

    def visit(op: Any) -> WalkResult:
        if op.name in ALLOCS and "buffer_name" in op.attributes:
            out.setdefault(StringAttr(op.attributes["buffer_name"]).value, op.results[0])
        return WalkResult.ADVANCE

    func_op.walk(visit)
    return out


def list_buffers(module: Module, arg_names: dict[str, list[str]]) -> list[BufferRef]:
    """Every named buffer of every function."""
    return [BufferRef(k, n) for k, f in functions(module).items()
            for n in buffer_values(f, arg_names.get(k, []))]


def find_buffer(module: Module, target: Any, arg_names: dict[str, list[str]], top: str
                ) -> BufferRef:
    """The buffer `target` names (a `BufferRef`, `"A"` or `"kernel:A"`); an unknown or
    ambiguous name raises `ScheduleUsageError` listing the candidates."""
    if isinstance(target, BufferRef):
        target = target.qualified
    if not isinstance(target, str):
        raise ScheduleUsageError(f"a buffer is named by s.NAME, 'NAME' or 'kernel:NAME', "
                                 f"got {target!r}")
    known = list_buffers(module, arg_names)
    if ":" in target:
        kernel, name = target.split(":", 1)
        hits = [b for b in known if b.kernel == kernel and b.name == name]
    else:
        hits = [b for b in known if b.name == target]
        if len(hits) > 1 and any(b.kernel == top for b in hits):
            hits = [b for b in hits if b.kernel == top]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        names = ", ".join(b.qualified for b in known) or "none"
        raise ScheduleUsageError(f"no buffer named '{target}'; buffers: {names}")
    raise ScheduleUsageError(f"buffer name '{target}' is ambiguous; candidates: "
                             f"{', '.join(b.qualified for b in hits)}")


def buffer_value(module: Module, ref: BufferRef, arg_names: dict[str, list[str]]) -> Value:
    """The SSA value of buffer `ref` in `module` (it must exist)."""
    funcs = functions(module)
    if ref.kernel not in funcs:
        raise ScheduleUsageError(f"no function named '{ref.kernel}'")
    vals = buffer_values(funcs[ref.kernel], arg_names.get(ref.kernel, []))
    if ref.name not in vals:
        raise ScheduleUsageError(f"no buffer named '{ref.qualified}'")
    return vals[ref.name]


def shape_of(v: Value) -> tuple[int, ...]:
    return tuple(MemRefType(v.type).shape)
