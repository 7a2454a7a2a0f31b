"""Type annotations that qualify a kernel type: `ConstExpr[T]`, `T @ Stateful`,
`T[...] @ Memory(...)`, and the compile-time markers `meta_if`/`meta_elif`/`meta_else`/
`meta_for` (their meaning is given by `lang/meta.py` when a kernel is built).

Spellings follow Allo:

    N: ConstExpr[int32] = 4 * M          # evaluated when the kernel is built
    acc: int32 @ Stateful = 0            # kept across calls (initialized once)
    def k(A: int32[M, N] @ Memory(resource="URAM")) -> ...

Laws:
- `ConstExpr[T]` names a value computed at build time from compile-time constants only; it
  is a Python constant of type T (a value that does not fit T is an error) and folds like a
  literal (subscripts, loop bounds, meta conditions).
- `Stateful` state is one storage cell (or array) per kernel function, initialized once
  before the first call and kept across calls; for verification the state's value before a
  call is an input and its value after the call an output (`equiv/state.py`).
- `Memory(...)` is a hardware annotation: it selects the RAM that implements an array
  (Vitis `bind_storage`) and never changes what the kernel computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allo_verify.errors import TypeArgumentError
from allo_verify.lang.types import ArrayType, DType, InvalidArrayType

MEMORY_RESOURCES = ("AUTO", "BRAM", "URAM", "LUTRAM", "SRL")
STORAGE_TYPES = ("RAM_1P", "RAM_2P", "RAM_T2P", "RAM_S2P", "RAM_1WNR", "ROM_1P", "ROM_2P",
                 "ROM_NP", "FIFO")


@dataclass(frozen=True)
class ConstExprType:
    """`ConstExpr[T]`: a compile-time constant of dtype T."""

    dtype: DType

    def __repr__(self) -> str:
        return f"ConstExpr[{self.dtype!r}]"


class _ConstExprMaker:
    def __getitem__(self, t: Any) -> ConstExprType:
        if not isinstance(t, DType):
            raise TypeArgumentError(f"ConstExpr[{_shown(t)}]: ConstExpr[...] takes a scalar "
                                    f"kernel type, got {_shown(t)}")
        return ConstExprType(t)

    def __repr__(self) -> str:
        return "ConstExpr"


ConstExpr = _ConstExprMaker()


@dataclass(frozen=True)
class Memory:
    """Which on-chip memory implements an array: `resource` (BRAM, URAM, LUTRAM, SRL, AUTO),
    `storage_type` (RAM_1P, RAM_2P, RAM_T2P, ...; default RAM_2P as Vitis does for
    bind_storage), `latency` (cycles, optional). Validated when constructed."""

    resource: str = "AUTO"
    storage_type: str | None = None
    latency: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.resource, str) or self.resource.upper() not in MEMORY_RESOURCES:
            raise TypeArgumentError(f"Memory(resource={self.resource!r}): resource must be one "
                                    f"of {', '.join(MEMORY_RESOURCES)}, got {self.resource!r}")
        st = self.storage_type
        if st is not None and (not isinstance(st, str) or st.upper() not in STORAGE_TYPES):
            raise TypeArgumentError(f"Memory(storage_type={st!r}): storage_type must be one of "
                                    f"{', '.join(STORAGE_TYPES)}, got {st!r}")
        lat = self.latency
        if lat is not None and (not isinstance(lat, int) or isinstance(lat, bool) or lat < 1):
            raise TypeArgumentError(f"Memory(latency={lat!r}): latency must be a positive int "
                                    f"(cycles), got {lat!r}")

    def __repr__(self) -> str:
        given = [f"{k}={v!r}" for k, v in (("resource", self.resource),
                                            ("storage_type", self.storage_type),
                                            ("latency", self.latency))
                 if v is not None and (k, v) != ("resource", "AUTO")]
        return f"Memory({', '.join(given)})"

    @property
    def read_only(self) -> bool:
        """A ROM: the array must never be written."""
        return (self.storage_type or "").upper().startswith("ROM")

    def pragma_fields(self) -> dict[str, str | int]:
        """The `bind_storage` fields: type, impl and (when given) latency."""
        out: dict[str, str | int] = {"type": (self.storage_type or "RAM_2P").upper(),
                                     "impl": self.resource.upper()}
        if self.latency is not None:
            out["latency"] = self.latency
        return out

    def __rmatmul__(self, t: Any) -> Annotated:
        return _annotate(t, memory=self)


class _StatefulMarker:
    """`T @ Stateful`: a variable kept across calls."""

    def __rmatmul__(self, t: Any) -> Annotated:
        return _annotate(t, stateful=True)

    def __repr__(self) -> str:
        return "Stateful"


Stateful = _StatefulMarker()


@dataclass(frozen=True)
class Annotated:
    """A kernel type with qualifiers: `memory` (a `Memory`) and/or `stateful`."""

    type: DType | ArrayType
    memory: Memory | None = None
    stateful: bool = False

    def __matmul__(self, other: Any) -> Annotated:
        if isinstance(other, Memory):
            return _annotate(self, memory=other)
        if other is Stateful:
            return _annotate(self, stateful=True)
        return NotImplemented


def _annotate(t: Any, memory: Memory | None = None, stateful: bool = False) -> Annotated:
    if isinstance(t, Annotated):
        if memory is not None and t.memory is not None:
            raise TypeArgumentError(f"{t.type!r} @ {t.memory!r} @ {memory!r}: a type has at "
                                    "most one Memory annotation")
        return Annotated(t.type, memory or t.memory, stateful or t.stateful)
    what = f"@ {memory!r}" if memory is not None else "@ Stateful"
    if isinstance(t, InvalidArrayType):
        raise TypeArgumentError(f"{t!r} {what}: not a kernel type: {t.reason}")
    if not isinstance(t, (DType, ArrayType)):
        raise TypeArgumentError(f"{_shown(t)} {what}: only a kernel type can be annotated "
                                f"with '@', got {_shown(t)}")
    if memory is not None and not isinstance(t, ArrayType):
        raise TypeArgumentError(f"{t!r} {what}: Memory(...) annotates arrays, not the scalar "
                                f"type {t!r}")
    return Annotated(t, memory, stateful)


def _shown(x: Any) -> str:
    """A value as an error message quotes it (a class by its name, not its repr)."""
    return x.__name__ if isinstance(x, type) else repr(x)


def unwrap(t: Any) -> tuple[Any, Annotated | None]:
    """The plain kernel type and the qualifiers (None when `t` is not annotated)."""
    if isinstance(t, Annotated):
        return t.type, t
    return t, None


def _kernel_only(name: str) -> Any:
    def marker(*args: Any) -> Any:
        raise TypeError(f"allo.{name}(...) is a compile-time construct of the kernel language; "
                        "it has meaning only inside a kernel being built")
    marker.__name__ = name
    marker.__qualname__ = name
    marker.__doc__ = f"Kernel-language `{name}` (see allo_verify.lang.meta)."
    return marker


meta_if = _kernel_only("meta_if")
meta_elif = _kernel_only("meta_elif")
meta_else = _kernel_only("meta_else")
meta_for = _kernel_only("meta_for")
META_MARKERS = {id(meta_if): "meta_if", id(meta_elif): "meta_elif", id(meta_else): "meta_else",
                id(meta_for): "meta_for"}
