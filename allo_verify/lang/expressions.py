"""Expression half of the frontend: Python expression AST -> typed MLIR values.

Index arithmetic on loop variables stays affine (`Aff`) as long as it can; data arithmetic
follows `typing_rules`. Constants fold in Python until an op needs them.
"""

from __future__ import annotations

import ast
import builtins
import math as pymath
from typing import Any

import numpy as np
from mlir.dialects import affine, arith
from mlir.ir import AffineMap, IndexType, Value

from allo_verify.errors import message_of
from allo_verify.lang import dsl, emit_ops, templates
from allo_verify.lang import typing_rules as rules
from allo_verify.lang.affine_expr import Aff
from allo_verify.lang.emit_cast import cast, const
from allo_verify.lang.operators import OperatorBuilder
from allo_verify.lang.subscripts import SubscriptBuilder
from allo_verify.lang.tensor_ops import TensorOpBuilder, is_tensor_op, operator_named
from allo_verify.lang.types import (
    ArrayType,
    DType,
    Fixed,
    Float,
    Index,
    Int,
    UFixed,
    UInt,
    convert_python,
    float32,
    int32,
)
from allo_verify.lang.types import bool as bool_t
from allo_verify.lang.values import AV, TV, Expr


def _math_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for name in emit_ops.MATH_FUNCTIONS:
        for owner in (dsl, pymath, np):
            f = getattr(owner, name if owner is not np else {"pow": "power"}.get(name, name), None)
            if f is not None:
                table[id(f)] = name
    return table


MATH_BY_ID = _math_table()
TYPE_MAKERS = (Int, UInt, Fixed, UFixed)


class ExpressionBuilder(OperatorBuilder, TensorOpBuilder, SubscriptBuilder):
    """Mixin: expression evaluation. The statement builder provides the state it uses."""

    # provided by the function builder
    symbols: dict[str, Any]
    dims: list[Value]
    namespace: dict[str, Any]

    def error(self, node: ast.AST, msg: str) -> Exception:  # pragma: no cover - overridden
        raise NotImplementedError

    def load_scalar(self, name: str) -> TV:  # pragma: no cover - overridden
        raise NotImplementedError

    def global_array(self, node: ast.AST, value: np.ndarray, dtype: DType | None) -> AV:
        raise NotImplementedError  # pragma: no cover - overridden

    def call_kernel(self, node: ast.Call, fn: Any, args: list[Expr]) -> Expr:
        raise NotImplementedError  # pragma: no cover - overridden

    # ---- materialization -------------------------------------------------------------
    def index_value(self, x: Expr, node: ast.AST) -> Value:
        """An SSA value of type index for an index-like expression."""
        if isinstance(x, bool):
            x = int(x)
        if isinstance(x, int):
            return arith.ConstantOp.create_index(x).result
        if isinstance(x, Aff):
            (term, coeff), = x.terms if len(x.terms) == 1 else ((("", 0), 0),)
            if x.const == 0 and coeff == 1 and term[0] == "d":
                return self.dims[term[1]]
            dims = sorted(x.dims())
            pos = {k: p for p, k in enumerate(dims)}
            amap = AffineMap.get(len(dims), 0, [x.to_mlir(pos)])
            return affine.AffineApplyOp(amap, [self.dims[k] for k in dims]).result
        if isinstance(x, TV):
            if isinstance(x.dtype, Index):
                return x.value
            if isinstance(x.dtype, Int):
                op = arith.IndexCastOp if x.dtype.signed else arith.IndexCastUIOp
                return op(IndexType.get(), x.value).result
        raise self.error(node, f"expected an integer index, got {self.describe(x)}")

    def describe(self, x: Expr) -> str:
        if isinstance(x, AV):
            return f"array {x.type!r}"
        if isinstance(x, TV):
            return f"value of type {x.dtype!r}"
        if isinstance(x, Aff):
            return "an index expression"
        return f"constant {x!r}"

    def to_tv(self, x: Expr, node: ast.AST, other: DType | None = None) -> TV:
        """A typed SSA value for `x`; a literal takes its type per `typing_rules`."""
        if isinstance(x, TV):
            return x
        if isinstance(x, AV):
            raise self.error(node, f"array of type {x.type!r} used where a scalar is expected")
        if isinstance(x, bool):
            return const(bool_t, int(x))
        if isinstance(x, int):
            if isinstance(other, Float):
                return const(other, x)
            return const(rules.literal_int_type(x, other), x)
        if isinstance(x, float):
            return const(other if isinstance(other, Float) else float32, x)
        if isinstance(x, Aff):
            return TV(self.index_value(x, node), Index())
        raise self.error(node, f"unsupported value {x!r}")

    def coerce(self, x: Expr, t: DType, node: ast.AST) -> TV:
        """`x` converted to `t`; a literal becomes a constant of `t` directly."""
        if isinstance(x, (int, float)) and not isinstance(t, Index):
            return const(t, convert_python(x, t))
        return cast(self.to_tv(x, node, t), t)

    # ---- dispatch ----------------------------------------------------------------------
    def expr(self, node: ast.expr) -> Expr | tuple:
        with self.location(node):
            method = getattr(self, f"expr_{type(node).__name__}", None)
            if method is None:
                raise self.error(node, f"unsupported expression: {type(node).__name__}")
            return method(node)

    def scalar(self, node: ast.expr) -> Expr:
        x = self.expr(node)
        if isinstance(x, tuple):
            raise self.error(node, "a tuple is not a value here")
        return x

    def location(self, node: ast.AST):  # pragma: no cover - overridden
        raise NotImplementedError

    def expr_Constant(self, node: ast.Constant) -> Expr:
        if isinstance(node.value, (bool, int, float)):
            return node.value
        raise self.error(node, f"unsupported constant {node.value!r}")

    def expr_Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.expr(e) for e in node.elts)

    def expr_Name(self, node: ast.Name) -> Expr:
        name = node.id
        if name in self.symbols:
            sym = self.symbols[name]
            if sym == "scalar":
                return self.load_scalar(name)
            return sym
        if name in self.namespace:
            return self.constant_value(node, self.namespace[name])
        raise self.error(node, f"name '{name}' is not defined")

    def constant_value(self, node: ast.AST, v: Any) -> Expr:
        if isinstance(v, (bool, int, float)):
            return v
        if isinstance(v, np.integer):
            return int(v)
        if isinstance(v, np.floating):
            return float(v)
        if isinstance(v, np.ndarray):
            return self.global_array(node, v, None)
        raise self.error(node, f"'{type(v).__name__}' value cannot be used in a kernel expression")

    def static_value(self, node: ast.expr) -> Any:
        """The Python object a name or dotted attribute refers to (for calls and types)."""
        if isinstance(node, ast.Name):
            if node.id in self.symbols:
                raise self.error(node, f"'{node.id}' is a kernel variable, not a function")
            if node.id in self.namespace:
                return self.namespace[node.id]
            if hasattr(builtins, node.id):
                return getattr(builtins, node.id)
            raise self.error(node, f"name '{node.id}' is not defined")
        if isinstance(node, ast.Attribute):
            base = self.static_value(node.value)
            if not hasattr(base, node.attr):
                base_text = ast.unparse(node.value)
                raise self.error(node, f"'{base_text}' has no attribute '{node.attr}'")
            return getattr(base, node.attr)
        if isinstance(node, ast.Subscript):  # a template instance: gemm[int32, 32, "mm1"]
            return templates.instance_at(self, node)
        if isinstance(node, ast.Call) and not node.keywords:  # a type built inline: Fixed(8, 2)
            maker = self.static_value(node.func)
            args = [self.scalar(a) for a in node.args]
            if maker in TYPE_MAKERS and all(isinstance(a, int) for a in args):
                try:
                    return maker(*args)
                except TypeError as e:
                    raise self.error(node, message_of(e)) from None
        raise self.error(node, f"cannot call '{ast.unparse(node)}'")

    def expr_Attribute(self, node: ast.Attribute) -> Expr:
        return self.constant_value(node, self.static_value(node))

    # ---- calls -------------------------------------------------------------------------
    def expr_Call(self, node: ast.Call) -> Expr | tuple:
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.error(node, "keyword and star arguments are not supported in kernels")
        if isinstance(node.func, ast.Attribute) and node.func.attr == "reverse" \
                and not node.args and self.is_bits_receiver(node.func.value):
            return self.bit_reverse(node.func.value, node)  # Allo's `x[0:8].reverse()`
        fn = self.static_value(node.func)
        name = ast.unparse(node.func)
        if isinstance(fn, DType):
            if len(node.args) != 1:
                raise self.error(node, f"a cast to {fn!r} takes one argument")
            x = self.scalar(node.args[0])
            return cast(self.to_tv(x, node.args[0], fn), fn)
        if isinstance(fn, ArrayType):
            raise self.error(node, "array types cannot be called")
        if fn in (int, float):
            t = int32 if fn is int else float32
            x = self.scalar(node.args[0])
            if isinstance(x, (int, float)):
                return fn(x)
            return cast(self.to_tv(x, node.args[0], t), t)
        if is_tensor_op(fn):
            return self.call_tensor_op(node, fn, [self.expr(a) for a in node.args])
        if fn in (min, max):
            args = [self.scalar(a) for a in node.args]
            if any(isinstance(a, AV) for a in args):
                if len(args) != 2:
                    raise self.error(node, f"{name} of arrays takes two arrays")
                return self.call_tensor_op(node, operator_named(fn.__name__), args)
            if len(args) < 2:
                raise self.error(node, f"{name} needs at least two arguments")
            acc = args[0]
            for b in args[1:]:
                acc = self.binary(fn.__name__, acc, b, node)
            return acc
        if fn is abs:
            x = self.scalar(node.args[0])
            if isinstance(x, (int, float)):
                return abs(x)
            return emit_ops.unary("abs", self.to_tv(x, node))
        if id(fn) in MATH_BY_ID:
            args = [self.scalar(a) for a in node.args]
            if any(isinstance(a, AV) for a in args):
                if MATH_BY_ID[id(fn)] != "exp" or len(args) != 1:
                    raise self.error(node, f"{name} is not defined on arrays (array math: "
                                           "exp(A))")
                return self.call_tensor_op(node, operator_named("exp"), args)
            if all(isinstance(a, (int, float)) for a in args):
                try:
                    return float(fn(*args))
                except (ArithmeticError, ValueError) as e:
                    raise self.error(node, f"constant expression '{ast.unparse(node)}' cannot "
                                     f"be evaluated: {e}") from None
            try:
                return emit_ops.math_call(MATH_BY_ID[id(fn)],
                                          [self.to_tv(a, node) for a in args])
            except emit_ops.OpTypeError as e:
                raise self.error(node, str(e)) from None
        if fn in (range, dsl.grid, dsl.reduction):
            raise self.error(node, f"{name}(...) is only allowed as the iterator of a for loop")
        if isinstance(fn, templates.Instance):
            return self.call_kernel(node, fn, [self.expr(a) for a in node.args])
        if templates.template_of(fn) is not None:
            _, params = templates.template_of(fn)  # type: ignore[misc]
            raise self.error(node, f"'{name}' is a kernel template: call an instance, "
                                   f"{name}[{', '.join(params)}](...)")
        if callable(fn) and getattr(fn, "__annotations__", None) and hasattr(fn, "__code__"):
            return self.call_kernel(node, fn, [self.expr(a) for a in node.args])
        raise self.error(node, f"call to unknown Python function '{name}': kernels may call "
                               "other kernels, casts, min/max/abs and math functions")

    def expr_Lambda(self, node: ast.Lambda) -> Expr:
        raise self.error(node, "lambda is not supported in kernels")

    def expr_ListComp(self, node: ast.ListComp) -> Expr:
        raise self.error(node, "list comprehensions are not supported in kernels")
