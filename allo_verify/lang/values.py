"""What a kernel expression evaluates to while the frontend builds MLIR.

- a Python `int`/`float`/`bool`: a compile-time constant, folded until an op needs it;
- an `Aff`: an affine index expression over enclosing `affine.for` variables;
- a `TV`: an SSA value with its kernel dtype (signedness lives here, not in MLIR);
- an `AV`: an array (a memref SSA value) with its `ArrayType`.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlir.ir import F16Type, F32Type, F64Type, IndexType, IntegerType, MemRefType, Type, Value

from allo_verify.lang.affine_expr import Aff
from allo_verify.lang.types import ArrayType, DType, Fixed, Float, Index, Int


@dataclass
class TV:
    """A typed SSA scalar value."""

    value: Value
    dtype: DType


@dataclass
class AV:
    """A typed SSA array (memref) value."""

    value: Value
    type: ArrayType


Expr = int | float | Aff | TV | AV


def mlir_type(t: DType | ArrayType) -> Type:
    """The MLIR type of a kernel type (signless integers; memrefs for arrays)."""
    if isinstance(t, ArrayType):
        return MemRefType.get(list(t.shape), mlir_type(t.dtype))
    if isinstance(t, (Int, Fixed)):
        return IntegerType.get_signless(t.bits)
    if isinstance(t, Float):
        return {16: F16Type.get, 32: F32Type.get, 64: F64Type.get}[t.bits]()
    if isinstance(t, Index):
        return IndexType.get()
    raise TypeError(f"no MLIR type for {t!r}")
