"""The typed interface of a kernel: what crosses between Python and the built design."""

from __future__ import annotations

from dataclasses import dataclass

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
