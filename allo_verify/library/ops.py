"""Library operators: the objects `av.matmul`, `av.softmax`, ... and what `A @ B`, `A + B`
mean on arrays inside a kernel.

A `LibraryOp` has two faces. Inside a kernel, `op(A, B)` becomes a call of its template
instantiated at the operands' shapes and element types (`instance_for`, the typing rules
below, used by `allo_verify.lang.tensor_ops`). Called from Python on NumPy arrays, it
computes its NumPy reference (as Allo's `allo.matmul` runs as NumPy).

Typing rules (a `TensorOpError`, reported as a `FrontendError` at the line, otherwise):
- result element type: the declared type of the assignment target when the operator is the
  whole right-hand side, else the operands' element type, which must then be one type;
- matmul: `(M, K) @ (K, N) -> (M, N)`; rank-3 operands are a batched product
  `(B, M, K) @ (B, K, N) -> (B, M, N)`; operands are converted to the result type first;
- add, sub, mul, div, max, min: operands of one shape (rank 1 to 4), computed by the
  kernel typing rules and converted to the result type; an array and a scalar (either
  side): each cell is `A[idx] op s` as scalar code computes it (a literal typed as beside
  the array's element type), the result in the declared target's type, else the array's;
  no other broadcasting;
- relu, neg: any element type; exp, gelu, softmax, layernorm: float element types only;
  softmax, layernorm, linear, conv2d, maxpool2d keep the operands' element type;
- transpose: rank 2; linear: `X[M, K]`, `W[N, K]`, `b[N]`; conv2d: `inp[B, Cin, H, W]`,
  `kernel[Cout, Cin, Kh, Kw]`, `bias[Cout]` (stride 1, no padding); maxpool2d: `inp[B, C,
  H, W]` and a constant window `K` (stride `K`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from allo_verify.lang import typing_rules as rules
from allo_verify.lang.templates import Instance, instantiate
from allo_verify.lang.tensor_ops import TensorOpError
from allo_verify.lang.types import ArrayType, DType, Float, float32
from allo_verify.library import elementwise as ew
from allo_verify.library import linalg, nn
from allo_verify.library import references as ref

Kinds = list[Any]  # per call argument: its ArrayType, or a Python constant
Resolver = Callable[[Kinds, "ArrayType | None"], tuple[Instance, list[int]]]


@dataclass(frozen=True, eq=False)
class LibraryOp:
    """A library operator (see the module docstring)."""

    name: str
    resolve: Resolver
    reference: Callable[..., np.ndarray]
    __av_tensor_op__ = True

    def instance_for(self, kinds: Kinds, target: ArrayType | None) -> tuple[Instance, list[int]]:
        """The template instance for arguments of these kinds, and which arguments it
        takes (in order); `TensorOpError` when the operator does not apply to them."""
        return self.resolve(kinds, target)

    def __call__(self, *args: Any) -> np.ndarray:
        """The NumPy reference, for calls from Python on NumPy arrays."""
        return self.reference(*args)

    def __repr__(self) -> str:
        return f"<library operator {self.name}>"


def _arrays(name: str, kinds: Kinds, n: int) -> list[ArrayType]:
    if len(kinds) != n or not all(isinstance(k, ArrayType) for k in kinds):
        raise TensorOpError(f"takes {n} array argument(s), got "
                            f"({', '.join(map(repr, kinds))})")
    return list(kinds)


def _result(kinds: list[ArrayType], target: ArrayType | None) -> DType:
    """The declared target's element type, else the operands' one element type."""
    if target is not None:
        return target.dtype
    types = {k.dtype for k in kinds}
    if len(types) != 1:
        raise TensorOpError(f"operands have different element types "
                            f"({', '.join(repr(k.dtype) for k in kinds)}); declare the "
                            "result's type, e.g. `C: int32[M, N] = ...`")
    return kinds[0].dtype


def _float_only(name: str, t: DType) -> None:
    if not isinstance(t, Float):
        raise TensorOpError(f"needs a float element type, got {t!r}")


def _same(kinds: list[ArrayType], target: ArrayType | None) -> DType:
    """Operators that keep the operands' element type: a different declared target is an
    error (convert explicitly first)."""
    t = _result(kinds, None)
    if target is not None and target.dtype != t:
        raise TensorOpError(f"computes in {t!r} (its operands' type), but the target is "
                            f"declared {target.dtype!r}")
    return t


def _matmul(kinds: Kinds, target: ArrayType | None) -> tuple[Instance, list[int]]:
    a, b = _arrays("matmul", kinds, 2)
    t = _result([a, b], target)
    if len(a.shape) == 2 and len(b.shape) == 2:
        (m, k), (k2, n) = a.shape, b.shape
        if k != k2:
            raise TensorOpError(f"inner dimensions differ: {a!r} @ {b!r} ({k} != {k2})")
        return instantiate(linalg.matmul, [a.dtype, b.dtype, t, m, k, n]), [0, 1]
    if len(a.shape) == 3 and len(b.shape) == 3:
        (bb, m, k), (bb2, k2, n) = a.shape, b.shape
        if k != k2 or bb != bb2:
            raise TensorOpError(f"shapes do not fit a batched product: {a!r} @ {b!r}")
        return instantiate(linalg.bmm, [a.dtype, b.dtype, t, bb, m, k, n]), [0, 1]
    raise TensorOpError(f"takes two rank-2 (or two rank-3, batched) arrays, got {a!r} and "
                        f"{b!r}")


def _bmm(kinds: Kinds, target: ArrayType | None) -> tuple[Instance, list[int]]:
    a, b = _arrays("bmm", kinds, 2)
    if len(a.shape) != 3 or len(b.shape) != 3:
        raise TensorOpError(f"takes two rank-3 arrays, got {a!r} and {b!r}")
    return _matmul(kinds, target)


def scalar_type(x: Any, other: DType) -> DType:
    """The type a scalar operand beside an array of `other` takes: a value's own type
    (index as int64), a literal the type `typing_rules` gives it beside `other`."""
    if isinstance(x, DType):
        return rules.data_type(x)
    if isinstance(x, float) or isinstance(other, Float):
        return other if isinstance(other, Float) else float32
    return rules.literal_int_type(int(x), other)


def _scalar_binary(op: str, kinds: Kinds, target: ArrayType | None
                   ) -> tuple[Instance, list[int]]:
    """`A op s` or `s op A`: the array's element type unless a target is declared."""
    rev = not isinstance(kinds[0], ArrayType)
    a, x = (kinds[1], kinds[0]) if rev else (kinds[0], kinds[1])
    if isinstance(x, bool) or not isinstance(x, (DType, int, float)):
        raise TensorOpError(f"takes arrays or scalars, got {x!r}")
    if not 1 <= len(a.shape) <= 4:
        raise TensorOpError(f"takes arrays of rank 1 to 4, got {a!r}")
    ts = scalar_type(x, a.dtype)
    name = f"r{op}" if rev and op in ("sub", "div") else op
    t = target.dtype if target is not None else a.dtype
    args = [a.dtype, ts, t, ew.SCALAR_OPS.index(name), *a.shape]
    return instantiate(ew.SCALAR[len(a.shape)], args), [1, 0] if rev else [0, 1]


def _binary(op: str) -> Resolver:
    def resolve(kinds: Kinds, target: ArrayType | None) -> tuple[Instance, list[int]]:
        if len(kinds) == 2 and sum(isinstance(k, ArrayType) for k in kinds) == 1:
            return _scalar_binary(op, kinds, target)
        a, b = _arrays(op, kinds, 2)
        if a.shape != b.shape:
            raise TensorOpError(f"operands of different shapes: {a!r} and {b!r} (no "
                                "broadcasting)")
        if not 1 <= len(a.shape) <= 4:
            raise TensorOpError(f"takes arrays of rank 1 to 4, got {a!r}")
        t = _result([a, b], target)
        args = [a.dtype, b.dtype, t, ew.BINARY_OPS.index(op), *a.shape]
        return instantiate(ew.BINARY[len(a.shape)], args), [0, 1]
    return resolve


def _unary(op: str) -> Resolver:
    def resolve(kinds: Kinds, target: ArrayType | None) -> tuple[Instance, list[int]]:
        (a,) = _arrays(op, kinds, 1)
        if not 1 <= len(a.shape) <= 4:
            raise TensorOpError(f"takes arrays of rank 1 to 4, got {a!r}")
        t = _result([a], target)
        if op in ("exp", "gelu"):
            _float_only(op, t)
        args = [a.dtype, t, ew.UNARY_OPS.index(op), *a.shape]
        return instantiate(ew.UNARY[len(a.shape)], args), [0]
    return resolve


def _transpose(kinds: Kinds, target: ArrayType | None) -> tuple[Instance, list[int]]:
    (a,) = _arrays("transpose", kinds, 1)
    if len(a.shape) != 2:
        raise TensorOpError(f"takes a rank-2 array, got {a!r}")
    return instantiate(linalg.transpose, [_same([a], target), *a.shape]), [0]


def _linear(kinds: Kinds, target: ArrayType | None) -> tuple[Instance, list[int]]:
    x, w, b = _arrays("linear", kinds, 3)
    t = _same([x, w, b], target)
    if len(x.shape) != 2 or len(w.shape) != 2 or len(b.shape) != 1 or \
            x.shape[1] != w.shape[1] or w.shape[0] != b.shape[0]:
        raise TensorOpError(f"needs X[M, K], W[N, K], b[N], got {x!r}, {w!r}, {b!r}")
    return instantiate(linalg.linear2d, [t, x.shape[0], w.shape[0], x.shape[1]]), [0, 1, 2]


def _softmax(kinds: Kinds, target: ArrayType | None) -> tuple[Instance, list[int]]:
    (x,) = _arrays("softmax", kinds, 1)
    t = _same([x], target)
    _float_only("softmax", t)
    if len(x.shape) != 2:
        raise TensorOpError(f"takes a rank-2 array (softmax over the last axis), got {x!r}")
    return instantiate(nn.softmax, [t, *x.shape]), [0]


def _layernorm(kinds: Kinds, target: ArrayType | None) -> tuple[Instance, list[int]]:
    x, g, b = _arrays("layernorm", kinds, 3)
    t = _same([x, g, b], target)
    _float_only("layernorm", t)
    if len(x.shape) != 2 or g.shape != (x.shape[1],) or b.shape != (x.shape[1],):
        raise TensorOpError(f"needs X[L, D], gamma[D], beta[D], got {x!r}, {g!r}, {b!r}")
    return instantiate(nn.layernorm, [t, *x.shape]), [0, 1, 2]


def _conv2d(kinds: Kinds, target: ArrayType | None) -> tuple[Instance, list[int]]:
    x, k, b = _arrays("conv2d", kinds, 3)
    t = _same([x, k, b], target)
    if len(x.shape) != 4 or len(k.shape) != 4 or b.shape != (k.shape[0],) or \
            k.shape[1] != x.shape[1] or k.shape[2] > x.shape[2] or k.shape[3] > x.shape[3]:
        raise TensorOpError(f"needs inp[B, Cin, H, W], kernel[Cout, Cin, Kh, Kw] (Kh <= H, "
                            f"Kw <= W), bias[Cout], got {x!r}, {k!r}, {b!r}")
    bb, cin, h, w = x.shape
    return instantiate(nn.conv2d, [t, bb, cin, k.shape[0], h, w, k.shape[2], k.shape[3]]), \
        [0, 1, 2]


def _maxpool2d(kinds: Kinds, target: ArrayType | None) -> tuple[Instance, list[int]]:
    if len(kinds) != 2 or not isinstance(kinds[0], ArrayType) or \
            not isinstance(kinds[1], int) or isinstance(kinds[1], bool):
        raise TensorOpError(f"takes an array and a constant window size, got "
                            f"({', '.join(map(repr, kinds))})")
    x, k = kinds
    t = _same([x], target)
    if len(x.shape) != 4 or not 1 <= k <= min(x.shape[2], x.shape[3]):
        raise TensorOpError(f"needs inp[B, C, H, W] and 1 <= K <= min(H, W), got {x!r}, {k}")
    return instantiate(nn.maxpool2d, [t, *x.shape, k]), [0]


def _np_t(a: np.ndarray, b: np.ndarray | None = None) -> DType:
    """The kernel type NumPy arrays compute in (for Python calls of an operator)."""
    from allo_verify.lang.types import Int

    dt = np.result_type(a, b) if b is not None else np.asarray(a).dtype
    if dt.kind == "f":
        return Float(dt.itemsize * 8)
    return Int(dt.itemsize * 8, signed=dt.kind == "i")


def _np_binary(op: str) -> Callable[..., np.ndarray]:
    return lambda a, b: ref.binary(op, a, b, _np_t(np.asarray(a), np.asarray(b)))


def _np_unary(op: str) -> Callable[..., np.ndarray]:
    return lambda a: ref.unary(op, a, _np_t(np.asarray(a)))


matmul = LibraryOp("matmul", _matmul,
                   lambda a, b: ref.matmul(a, b, _np_t(np.asarray(a), np.asarray(b))) if
                   np.ndim(a) == 2 else ref.bmm(a, b, _np_t(np.asarray(a), np.asarray(b))))
bmm = LibraryOp("bmm", _bmm, lambda a, b: ref.bmm(a, b, _np_t(np.asarray(a), np.asarray(b))))
transpose = LibraryOp("transpose", _transpose, ref.transpose)
linear = LibraryOp("linear", _linear,
                   lambda x, w, b: ref.linear2d(x, w, b, _np_t(np.asarray(x))))
add, sub, mul, div = (LibraryOp(n, _binary(n), _np_binary(n)) for n in
                      ("add", "sub", "mul", "div"))
maximum, minimum = (LibraryOp(n, _binary(n), _np_binary(n)) for n in ("max", "min"))
relu = LibraryOp("relu", _unary("relu"), _np_unary("relu"))
gelu = LibraryOp("gelu", _unary("gelu"), _np_unary("gelu"))
neg = LibraryOp("neg", _unary("neg"), _np_unary("neg"))
exp = LibraryOp("exp", _unary("exp"), _np_unary("exp"))
softmax = LibraryOp("softmax", _softmax, ref.softmax)
layernorm = LibraryOp("layernorm", _layernorm, ref.layernorm)
conv2d = LibraryOp("conv2d", _conv2d, ref.conv2d)
maxpool2d = LibraryOp("maxpool2d", _maxpool2d, ref.maxpool2d)

OPERATORS: dict[str, LibraryOp] = {
    "matmul": matmul, "add": add, "sub": sub, "mul": mul, "div": div, "neg": neg,
    "exp": exp, "max": maximum, "min": minimum,
}
