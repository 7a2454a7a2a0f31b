"""The typed interface of a kernel: what crosses between Python and the built design."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allo_verify.lang.types import AnyType, ArrayType


@dataclass(frozen=True)
class Arg:
    """One kernel argument: its name and declared type (an `ArrayType` or a scalar dtype)."""

    name: str
    type: AnyType

    @property
    def is_array(self) -> bool:
        return isinstance(self.type, ArrayType)


@dataclass(frozen=True)
class Signature:
    """A kernel's name (the `func.func` symbol), arguments in order, and result types.

    The MLIR function has exactly these arguments (arrays as `memref<...>`, scalars as
    `iN`/`fN`/`index`) and returns these results (arrays as memrefs, scalars as values).
    """

    name: str
    args: tuple[Arg, ...]
    results: tuple[AnyType, ...]


def mismatch(a: Signature, b: Signature, name_a: str, name_b: str) -> str | None:
    """Why kernels with signatures `a` and `b` cannot be compared (None when they can: the
    same argument and result types in order; names may differ). Names the first argument
    or result that differs, as the user wrote it."""
    if len(a.args) != len(b.args):
        return (f"{name_a} takes {len(a.args)} argument(s) ({', '.join(x.name for x in a.args)})"
                f" but {name_b} takes {len(b.args)} ({', '.join(x.name for x in b.args)})")
    for k, (x, y) in enumerate(zip(a.args, b.args, strict=True), 1):
        if x.type != y.type:
            return (f"argument {k} is '{x.name}: {x.type!r}' in {name_a} but "
                    f"'{y.name}: {y.type!r}' in {name_b}")
    if len(a.results) != len(b.results):
        return f"{name_a} returns {len(a.results)} result(s) but {name_b} returns {len(b.results)}"
    for k, (x, y) in enumerate(zip(a.results, b.results, strict=True), 1):
        if x != y:
            return f"result {k} is {x!r} in {name_a} but {y!r} in {name_b}"
    return None


def kernel_where(fn: Any) -> str:
    """A kernel as an error message names it: `'name' (file:line)` of its definition, or
    `'name'` alone for an object without Python code."""
    code = getattr(fn, "__code__", None)
    name = getattr(fn, "__name__", repr(fn))
    return f"'{name}' ({code.co_filename}:{code.co_firstlineno})" if code else f"'{name}'"
