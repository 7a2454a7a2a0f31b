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
from mlir.dialects import affine, arith, scf
from mlir.ir import AffineMap, IndexType, InsertionPoint, Value

from allo_verify.lang import dsl, emit_ops, templates
from allo_verify.lang import typing_rules as rules
from allo_verify.lang.affine_expr import Aff, aff_add
from allo_verify.lang.emit_cast import cast, cmpi, const, to_bool
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
from allo_verify.lang.values import AV, TV, Expr, mlir_type

BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
           ast.Mod: "%", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<",
           ast.RShift: ">>", ast.Pow: "**"}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_UNARY = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~", ast.Not: "not"}


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


_MAX_LITERAL_BITS = 4 * 512  # a folded integer constant wider than this is refused
_MAX_POWER = 512  # `x ** n` with a constant n is n - 1 multiplications: n at most this


def _py_binary(op: str, a: int | float, b: int | float) -> int | float:
    """Constant folding with the kernel's semantics (`/` on ints truncates toward zero)."""
    if op == "/" and isinstance(a, int) and isinstance(b, int):
        if b == 0:
            return 0
        q = abs(a) // abs(b)
        return q if (a >= 0) == (b > 0) else -q
    if op in ("//", "%") and b == 0:
        return 0 if op == "//" else a
    fn = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
          "//": lambda: a // b, "%": lambda: a % b, "&": lambda: a & b, "|": lambda: a | b,
          "^": lambda: a ^ b, "<<": lambda: a << b, ">>": lambda: a >> b, "**": lambda: a**b,
          "min": lambda: min(a, b), "max": lambda: max(a, b)}
    return fn[op]()


def _pure(node: ast.AST) -> bool:
    """True when evaluating `node` cannot read memory or call anything."""
    return not any(isinstance(n, (ast.Subscript, ast.Call)) for n in ast.walk(node))


class ExpressionBuilder(TensorOpBuilder, SubscriptBuilder):
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
                    raise self.error(node, str(e)) from None
        raise self.error(node, f"cannot call '{ast.unparse(node)}'")

    def expr_Attribute(self, node: ast.Attribute) -> Expr:
        return self.constant_value(node, self.static_value(node))

    # ---- operators ---------------------------------------------------------------------
    def expr_BinOp(self, node: ast.BinOp) -> Expr:
        op = BINOPS.get(type(node.op))
        if op is None and not isinstance(node.op, ast.MatMult):
            raise self.error(node, f"unsupported operator {type(node.op).__name__}")
        a, b = self.scalar(node.left), self.scalar(node.right)
        if op is None or isinstance(a, AV) or isinstance(b, AV):  # a tensor operator
            return self.tensor_binary(node, a, b)
        return self.binary(op, a, b, node)

    def binary(self, op: str, a: Expr, b: Expr, node: ast.AST) -> Expr:
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            if op == "**" and isinstance(b, int) and b < 0 and isinstance(a, int):
                raise self.error(node, "negative integer power")
            return self.fold_constant(op, a, b, node)
        if op == "**":
            return self.power(a, b, node)
        index_like = (int, Aff)
        if isinstance(a, index_like) and isinstance(b, index_like):
            r = self.affine_binary(op, a, b)
            if r is not None:
                return r
        if self.is_index(a) and self.is_index(b) and op in ("+", "-", "*"):
            x, y = self.index_value(a, node), self.index_value(b, node)
            cls = {"+": arith.AddIOp, "-": arith.SubIOp, "*": arith.MulIOp}[op]
            return TV(cls(x, y).result, Index())
        if self.is_index(a) and self.is_index(b):
            ta = self.left_operand(op, a, rules.data_type(Index()), node)
            tb = self.to_tv(b, node, rules.data_type(Index()))
            r = self.data_binary(op, ta, tb, node)
            return cast(r, Index())
        ta = self.left_operand(op, a, self.peek_type(b), node)
        tb = self.to_tv(b, node, self.peek_type(a))
        return self.data_binary(op, ta, tb, node)

    def fold_constant(self, op: str, a: int | float, b: int | float, node: ast.AST) -> Expr:
        """`a op b` on two Python constants, or a FrontendError naming the expression when
        Python cannot evaluate it (division by zero, a float overflow, an integer wider than
        any kernel type could hold: never a traceback, never an unbounded computation)."""
        if isinstance(a, int) and isinstance(b, int) and (
                op == "<<" and b > _MAX_LITERAL_BITS
                or op == "**" and max(a.bit_length() - 1, 0) * b > _MAX_LITERAL_BITS):
            raise self.error(node, f"constant expression '{ast.unparse(node)}' is wider than "
                             f"{_MAX_LITERAL_BITS} bits")
        try:
            return _py_binary(op, a, b)
        except (ArithmeticError, ValueError) as e:
            raise self.error(node, f"constant expression '{ast.unparse(node)}' cannot be "
                             f"evaluated: {e}") from None

    def left_operand(self, op: str, a: Expr, other: DType | None, node: ast.AST) -> TV:
        """The left operand of `op` as a typed value. A literal shifted left (`1 << v`) gives
        its type to the result, so it takes `rules.shifted_literal_type` (at least as wide
        as `v` and as C's `int`), not the smallest type holding it."""
        if op in rules.SHIFT_OPS and isinstance(a, int) and isinstance(other, Int):
            return const(rules.shifted_literal_type(int(a), other), int(a))
        return self.to_tv(a, node, other)

    def is_index(self, x: Expr) -> bool:
        return isinstance(x, (int, Aff)) and not isinstance(x, bool) or (
            isinstance(x, TV) and isinstance(x.dtype, Index))

    def peek_type(self, x: Expr) -> DType | None:
        if isinstance(x, TV):
            return rules.data_type(x.dtype)
        return None

    def data_binary(self, op: str, a: TV, b: TV, node: ast.AST) -> TV:
        try:
            return emit_ops.binary(op, a, b)
        except (emit_ops.OpTypeError, TypeError) as e:  # TypeError: a width beyond the limits
            raise self.error(node, str(e)) from None

    def affine_binary(self, op: str, a: int | Aff, b: int | Aff) -> Expr | None:
        if op in ("+", "-"):
            return aff_add(a, b, 1 if op == "+" else -1)
        if op == "*":
            if isinstance(a, int):
                return b.scale(a) if isinstance(b, Aff) else a * b
            if isinstance(b, int):
                return a.scale(b)
            return None
        if op in ("//", "%") and isinstance(b, int) and b > 0 and isinstance(a, Aff):
            return a.divide("floordiv" if op == "//" else "mod", b)
        return None

    def power(self, a: Expr, b: Expr, node: ast.AST) -> Expr:
        if isinstance(b, int) and not isinstance(b, bool):
            base = self.to_tv(a, node)
            if b < 0:
                if not isinstance(base.dtype, Float):
                    raise self.error(node, "a negative power needs a float base")
                return self.data_binary("/", const(base.dtype, 1.0),
                                        self.power(base, -b, node), node)
            if b == 0:
                return const(rules.data_type(base.dtype) if isinstance(base.dtype, Float)
                             else Int(2), 1)
            if b > _MAX_POWER:
                raise self.error(node, f"a constant exponent is expanded into repeated "
                                 f"multiplications; at most {_MAX_POWER}, got {b}")
            acc = base
            for _ in range(b - 1):
                acc = self.data_binary("*", acc, base, node)
            return acc
        ta = self.to_tv(a, node, self.peek_type(b))
        tb = self.to_tv(b, node, self.peek_type(a))
        if not isinstance(ta.dtype, Float) and not isinstance(tb.dtype, Float):
            raise self.error(node, "integer ** needs a constant non-negative exponent")
        return emit_ops.math_call("pow", [ta, tb])

    def expr_UnaryOp(self, node: ast.UnaryOp) -> Expr:
        op = _UNARY[type(node.op)]
        a = self.scalar(node.operand)
        if isinstance(a, (int, float)):
            return {"-": lambda: -a, "+": lambda: a, "~": lambda: ~a,  # type: ignore[operator]
                    "not": lambda: not a}[op]()
        if isinstance(a, Aff) and op == "-":
            return a.scale(-1)
        if isinstance(a, Aff) and op == "+":
            return a
        if isinstance(a, AV):
            if op != "-":
                raise self.error(node, f"unary {op} is not defined on arrays")
            return self.call_tensor_op(node, operator_named("neg"), [a])
        try:
            return emit_ops.unary(op, self.to_tv(a, node))
        except emit_ops.OpTypeError as e:
            raise self.error(node, str(e)) from None

    def compare_values(self, op: str, a: Expr, b: Expr, node: ast.AST) -> Expr:
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b,
                    "!=": a != b}[op]
        if self.is_index(a) and self.is_index(b):
            x, y = self.index_value(a, node), self.index_value(b, node)
            pred = {"<": "slt", "<=": "sle", ">": "sgt", ">=": "sge", "==": "eq", "!=": "ne"}[op]
            return TV(cmpi(pred, x, y), bool_t)
        ta = self.to_tv(a, node, self.peek_type(b))
        tb = self.to_tv(b, node, self.peek_type(a))
        return emit_ops.compare(op, ta, tb)

    def expr_Compare(self, node: ast.Compare) -> Expr:
        left = self.scalar(node.left)
        result: Expr = True
        for op_node, right_node in zip(node.ops, node.comparators, strict=True):
            op = _CMPOPS.get(type(op_node))
            if op is None:
                raise self.error(node, f"unsupported comparison {type(op_node).__name__}")
            right = self.scalar(right_node)
            c = self.compare_values(op, left, right, node)
            result = c if result is True else self.logical("and", result, c, node)
            left = right
        return result

    def logical(self, op: str, a: Expr, b: Expr, node: ast.AST) -> Expr:
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return (bool(a) and bool(b)) if op == "and" else (bool(a) or bool(b))
        x, y = to_bool(self.to_tv(a, node)), to_bool(self.to_tv(b, node))
        cls = arith.AndIOp if op == "and" else arith.OrIOp
        return TV(cls(x.value, y.value).result, bool_t)

    def expr_BoolOp(self, node: ast.BoolOp) -> Expr:
        op = "and" if isinstance(node.op, ast.And) else "or"
        acc = self.scalar(node.values[0])
        for rhs in node.values[1:]:
            if isinstance(acc, (int, float)):  # constant left side short-circuits statically
                if bool(acc) == (op == "or"):
                    return bool(acc)
                acc = self.scalar(rhs)
                continue
            if _pure(rhs):
                acc = self.logical(op, acc, self.scalar(rhs), node)
                continue
            cond = to_bool(self.to_tv(acc, node))
            if_op = scf.IfOp(cond.value, [mlir_type(bool_t)], has_else=True)
            self.guards += 1
            with InsertionPoint(if_op.then_block):
                v = const(bool_t, 1) if op == "or" else to_bool(self.to_tv(self.scalar(rhs), rhs))
                scf.YieldOp([v.value])
            with InsertionPoint(if_op.else_block):
                v = const(bool_t, 0) if op == "and" else to_bool(self.to_tv(self.scalar(rhs), rhs))
                scf.YieldOp([v.value])
            self.guards -= 1
            acc = TV(if_op.results[0], bool_t)
        return acc

    def expr_IfExp(self, node: ast.IfExp) -> Expr:
        cond = self.scalar(node.test)
        if isinstance(cond, (int, float)):
            return self.scalar(node.body if cond else node.orelse)
        c = to_bool(self.to_tv(cond, node.test))
        if _pure(node.body) and _pure(node.orelse):
            a, b = self.scalar(node.body), self.scalar(node.orelse)
            t = self.join_type(a, b, node)
            x, y = cast(self.to_tv(a, node, t), t), cast(self.to_tv(b, node, t), t)
            return TV(arith.SelectOp(c.value, x.value, y.value).result, t)
        self.guards += 1
        scratch = scf.IfOp(c.value, [], has_else=False)
        with InsertionPoint(scratch.then_block):
            t = self.join_type(self.scalar(node.body), self.scalar(node.orelse), node)
        scratch.operation.erase()
        if_op = scf.IfOp(c.value, [mlir_type(t)], has_else=True)
        for block, branch in ((if_op.then_block, node.body), (if_op.else_block, node.orelse)):
            with InsertionPoint(block):
                v = cast(self.to_tv(self.scalar(branch), branch, t), t)
                scf.YieldOp([v.value])
        self.guards -= 1
        return TV(if_op.results[0], t)

    def join_type(self, a: Expr, b: Expr, node: ast.AST) -> DType:
        """The type both arms of a conditional expression convert to."""
        ta = self.to_tv(a, node, self.peek_type(b)).dtype if not isinstance(a, TV) else a.dtype
        tb = self.to_tv(b, node, self.peek_type(a)).dtype if not isinstance(b, TV) else b.dtype
        ta, tb = rules.data_type(ta), rules.data_type(tb)
        if ta == tb:
            return ta
        if isinstance(ta, Float) or isinstance(tb, Float):
            return rules.float_binary(ta, tb)
        if isinstance(ta, Fixed) or isinstance(tb, Fixed):
            return rules.fixed_binary("max", ta, tb)
        assert isinstance(ta, Int) and isinstance(tb, Int)
        return rules.common_int(ta, tb)

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
