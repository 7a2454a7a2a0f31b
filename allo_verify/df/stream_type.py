"""`Stream[T, depth]` and `Stream[T, depth][P0, P1]`: the channel types of a df.region.

A stream is declared in a region body (`pipe: Stream[float32, 4]`); it is never a value
the kernel language computes with: `put(v)` and `get()` are lowered by
`allo_verify.df.lower` to stores and loads of a local array in FIFO rank order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allo_verify.errors import TypeArgumentError
from allo_verify.lang.types import ArrayType, DType, InvalidArrayType


@dataclass(frozen=True)
class StreamType:
    """A channel of `dtype` elements (a scalar type, or an array type for block streams)
    with FIFO `depth`; `shape` non-empty for an array of channels."""

    dtype: Any
    depth: int
    shape: tuple[int, ...] = ()

    def __getitem__(self, dims: Any) -> StreamType:
        if self.shape:
            raise TypeArgumentError(f"{self.describe()}[...]: Stream[T, d][dims] takes its "
                                    "dimensions once")
        dims = dims if isinstance(dims, tuple) else (dims,)
        if not dims or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0
                               for d in dims):
            raise TypeArgumentError(f"{self.describe()}[{', '.join(map(repr, dims))}]: stream "
                                    f"array dimensions must be positive ints, got {dims!r}")
        return StreamType(self.dtype, self.depth, tuple(dims))

    def describe(self) -> str:
        dims = f"[{', '.join(map(str, self.shape))}]" if self.shape else ""
        return f"Stream[{self.dtype!r}, {self.depth}]{dims}"


class _StreamMeta(type):
    def __getitem__(cls, params: Any) -> StreamType:
        if not isinstance(params, tuple):
            params = (params, 2)
        if len(params) != 2:
            raise TypeArgumentError("Stream takes [element type, depth], got "
                                    f"{len(params)} argument(s)")
        dtype, depth = params
        call = f"Stream[{dtype!r}, {depth!r}]"
        if isinstance(dtype, InvalidArrayType):
            raise TypeArgumentError(f"{call}: the element type is not a kernel type: "
                                    f"{dtype.reason}")
        if not isinstance(dtype, (DType, ArrayType)):
            raise TypeArgumentError(f"{call}: the element type must be a kernel type, got "
                                    f"{dtype!r}")
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
            raise TypeArgumentError(f"{call}: the depth must be an int >= 1, got {depth!r}")
        return StreamType(dtype, depth)


class Stream(metaclass=_StreamMeta):
    """Allo's `Stream[T, depth]` (subscript it; it has no instances)."""

    def __init__(self) -> None:
        raise TypeError("Stream is a type: declare 'name: Stream[T, depth]' in a df.region")
