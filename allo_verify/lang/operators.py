"""Operators of the kernel language: `a op b`, `-a`, comparisons, `and`/`or`, `x if c else y`.

Law: two Python constants fold in Python with the kernel's semantics (`/` on integers
truncates toward zero; a fold that Python cannot evaluate, or one wider than any kernel type,
is a `FrontendError`); index arithmetic on loop variables stays affine (`Aff`) while it can;
data arithmetic follows `typing_rules` (the operands' common type). `and`/`or` and
conditional expressions whose right side may read memory or call evaluate it only when
Python would (`scf.if`).
"""

from __future__ import annotations

import ast

from mlir.dialects import arith, scf
from mlir.ir import InsertionPoint

from allo_verify.errors import message_of
from allo_verify.lang import emit_ops
from allo_verify.lang import typing_rules as rules
from allo_verify.lang.affine_expr import Aff, aff_add
from allo_verify.lang.emit_cast import cast, cmpi, const, to_bool
from allo_verify.lang.tensor_ops import operator_named
from allo_verify.lang.types import DType, Fixed, Float, Index, Int
from allo_verify.lang.types import bool as bool_t
from allo_verify.lang.values import AV, TV, Expr, mlir_type

BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
           ast.Mod: "%", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<",
           ast.RShift: ">>", ast.Pow: "**"}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_UNARY = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~", ast.Not: "not"}

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


class OperatorBuilder:
    """Mixin of the expression builder: unary, binary, comparison, logical and conditional
    operators on scalars and index expressions (array operands go to `tensor_binary`)."""

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
            raise self.error(node, message_of(e)) from None

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
