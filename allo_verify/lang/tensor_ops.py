"""Tensor-level operators in kernels: `A @ B`, `A + B`, `A - B`, `A * B`, `A / B`, `-A` on
whole arrays, and calls of library operators (`av.matmul(A, B)`, `av.softmax(X)`,
`av.exp(A)` on an array, ...).

Law: each becomes one `func.call` to the library template instantiated at the operands'
shapes and element types (`allo_verify.library.ops`), so the operation is an ordinary
kernel function of the design: `s.compose` (or `av.library.compose_defaults`) applies the
library's checked default schedule to it, and every layer sees the same loops.

Typing (one place: `allo_verify.library.ops`): the result's element type is the declared
type of the statement's target when the operator is the whole right-hand side
(`C: int32[M, N] = A @ B`, or `C = A @ B` into a declared array `C`) or a returned value
(`return A @ B` under `-> int32[M, N]`), else the operands' common element type;
operands of different element types without a declared target, and shapes that do not
fit (`(M, K) @ (K', N)` with `K != K'`, elementwise operands of different shapes) are a
`FrontendError` at the operator's line. An array and a scalar (`A * 2.0`, `s - A`) apply
the scalar to every cell; no other broadcasting.
"""

from __future__ import annotations

import ast
from typing import Any

from allo_verify.lang.affine_expr import Aff
from allo_verify.lang.types import ArrayType
from allo_verify.lang.values import AV, TV

TENSOR_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div",
                 ast.MatMult: "matmul"}


class TensorOpError(Exception):
    """A library operator applied to operands it does not accept (shape or type); the
    frontend reports it as a `FrontendError` at the call or operator."""


def is_tensor_op(fn: Any) -> bool:
    """True for a library operator object (`allo_verify.library.ops.LibraryOp`)."""
    return getattr(fn, "__av_tensor_op__", False) is True


def operator_named(name: str) -> Any:
    """The library operator for a Python operator or an array math function."""
    from allo_verify.library.ops import OPERATORS  # the library imports the language

    return OPERATORS[name]


class TensorOpBuilder:
    """Mixin of the function builder: tensor operators as calls of library instances."""

    array_target: tuple[tuple[ast.AST, ArrayType], ...] = ()  # (value node, declared type)

    def declared_target(self, node: ast.AST) -> ArrayType | None:
        """The declared type of the array `node` is assigned to or returned as, when `node`
        is the whole right-hand side of an annotated or array assignment, or a returned
        value of a kernel with declared result types; else None."""
        return next((t for n, t in self.array_target if n is node), None)

    def call_tensor_op(self, node: ast.AST, op: Any, args: list[Any]) -> Any:
        """`op(*args)`: the library instance for these operands, called."""
        args = [self.to_tv(a, node) if isinstance(a, Aff) else a  # type: ignore[attr-defined]
                for a in args]
        kinds = [a.type if isinstance(a, AV) else a.dtype if isinstance(a, TV) else a
                 for a in args]
        try:
            inst, picks = op.instance_for(kinds, self.declared_target(node))
        except TensorOpError as e:
            raise self.error(node, f"{op.name}: {e}") from None  # type: ignore[attr-defined]
        return self.call_kernel(node, inst, [args[k] for k in picks],  # type: ignore[attr-defined]
                                shared_reads=True)

    def tensor_binary(self, node: ast.BinOp, a: Any, b: Any) -> Any:
        name = TENSOR_BINOPS.get(type(node.op))
        if name is None:
            raise self.error(node, f"operator {type(node.op).__name__} is not defined on "  # type: ignore[attr-defined]
                                   "arrays (array operators: @ + - * /)")
        if name == "matmul" and not (isinstance(a, AV) and isinstance(b, AV)):
            raise self.error(node, f"'{ast.unparse(node)}': both operands of @ must be "  # type: ignore[attr-defined]
                                   "arrays")
        return self.call_tensor_op(node, operator_named(name), [a, b])
