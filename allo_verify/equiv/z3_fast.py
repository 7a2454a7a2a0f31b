"""Z3 terms for index arithmetic, made without z3.py's Python-side coercion.

Law: each function returns exactly the term (the same AST, hence the same query and the same
models) that the corresponding z3.py operator gives for its arguments when they are Z3
terms of one context (booleans for the connectives, integers for the arithmetic):
`and_(*xs)` is `z3.And(*xs)`, `or_` is `z3.Or`, `not_` is `z3.Not`, `implies` is
`z3.Implies`, `eq(a, b)` is `a == b`, `lt`/`le`/`ge`/`gt` are `<`/`<=`/`>=`/`>`, `add` is
`+` (n-ary, as z3.py's `a + b`), `mul` is `*`, `sub` is `-`, `div`/`mod` are `/` and `%` on
integers, `neg` is unary `-`, `intval(v)` is `z3.IntVal(v)`. Any other argument (a Python
bool or int, a term of another context) falls back to the z3.py operator itself, so the
result is never a different term, only sometimes made the slow way. One exception, an
equal relation with its operands in the written order: where z3.py swaps the operands of a
comparison because Python called the right operand's reflected method first (a numeral,
`IntNumRef`, subclasses `ArithRef`: `x == IntVal(5)` with `x` an integer term that is not a
numeral gives `5 == x` in z3.py), `eq(x, IntVal(5))` keeps `x == 5`.

z3.py checks and unifies the sorts of every argument in Python on each call; the index
queries of L1 build tens of thousands of such terms per schedule, and that checking was
most of their construction time. Z3 itself still checks sorts (a mismatch raises
`Z3Exception` from the C API).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import z3

_Z = z3.z3core


def _raw(fn: Callable[..., Any]) -> Any:
    """The C function behind a z3core wrapper, called without the wrapper's error check: only
    for calls that cannot fail on their arguments (live terms of one context whose sorts were
    checked here, as in every fast path below)."""
    return fn.__defaults__[0].f


_INC_REF = _raw(_Z.Z3_inc_ref)
_AST_KIND = _raw(_Z.Z3_get_ast_kind)
_NUMERAL = z3.Z3_NUMERAL_AST
_new = object.__new__


def wrap_bool(ast: Any, ctx: z3.Context) -> z3.BoolRef:
    """`z3.BoolRef(ast, ctx)` for a boolean, non-quantifier `ast`: the same object (its `ast`
    and `ctx`, one reference taken on the term), made without z3.py's checks."""
    out = _new(z3.BoolRef)
    out.ast = ast
    out.ctx = ctx
    _INC_REF(ctx.ref(), ast)
    return out


def wrap_int(ast: Any, ctx: z3.Context) -> z3.ArithRef:
    """What z3.py's `_to_expr_ref` makes of an integer-sorted `ast`: an `IntNumRef` for a
    numeral, else an `ArithRef`."""
    cls = z3.IntNumRef if _AST_KIND(ctx.ref(), ast) == _NUMERAL else z3.ArithRef
    out = _new(cls)
    out.ast = ast
    out.ctx = ctx
    out._zi = True
    _INC_REF(ctx.ref(), ast)
    return out



def _same_ctx(xs: Sequence[Any], kind: type) -> z3.Context | None:
    """The context of `xs` when every one is a `kind` term of one context, else None."""
    if not xs:
        return None
    ctx = getattr(xs[0], "ctx", None)
    for x in xs:
        if x.__class__ is not kind and not isinstance(x, kind) or x.ctx is not ctx:
            return None
    return ctx


def _array(xs: Sequence[z3.AstRef]) -> Any:
    return (z3.Ast * len(xs))(*[x.ast for x in xs])


def _nary_bool(mk: Callable[..., Any], slow: Callable[..., z3.BoolRef],
               xs: Sequence[Any]) -> z3.BoolRef:
    ctx = _same_ctx(xs, z3.BoolRef)
    if ctx is None:
        return slow(*xs)
    return wrap_bool(mk(ctx.ref(), len(xs), _array(xs)), ctx)


_MK_AND, _MK_OR = _raw(_Z.Z3_mk_and), _raw(_Z.Z3_mk_or)


def and_(*xs: Any) -> z3.BoolRef:
    """`z3.And(*xs)`."""
    return _nary_bool(_MK_AND, z3.And, xs)


def or_(*xs: Any) -> z3.BoolRef:
    """`z3.Or(*xs)`."""
    return _nary_bool(_MK_OR, z3.Or, xs)


_MK_NOT, _MK_IMPLIES = _raw(_Z.Z3_mk_not), _raw(_Z.Z3_mk_implies)


def not_(x: Any) -> z3.BoolRef:
    """`z3.Not(x)`."""
    if not isinstance(x, z3.BoolRef):
        return z3.Not(x)
    return wrap_bool(_MK_NOT(x.ctx.ref(), x.ast), x.ctx)


def implies(a: Any, b: Any) -> z3.BoolRef:
    """`z3.Implies(a, b)`."""
    ctx = _same_ctx((a, b), z3.BoolRef)
    if ctx is None:
        return z3.Implies(a, b)
    return wrap_bool(_MK_IMPLIES(ctx.ref(), a.ast, b.ast), ctx)


# the C function behind a getter that cannot fail on a live term (z3.py's wrapper would ask
# Z3 for an error code after each call)
_GET_SORT = _Z.Z3_get_sort.__defaults__[0].f
_INT_SORT_PTR: dict[int, tuple[z3.Context, z3.SortRef, int]] = {}


def is_int(ctx: z3.Context, a: z3.ArithRef) -> bool:
    """`a.is_int()`, asked of Z3 directly: sorts are hash-consed, so `a` is an integer
    exactly when its sort is the context's one integer sort (z3.py builds a sort object to
    answer it)."""
    found = _INT_SORT_PTR.get(id(ctx))
    if found is None or found[0] is not ctx:
        sort = z3.IntSort(ctx)
        found = _INT_SORT_PTR[id(ctx)] = (ctx, sort, sort.ast.value)
    return _GET_SORT(ctx.ctx, a.ast).value == found[2]


def _int_pair(a: Any, b: Any) -> z3.Context | None:
    """The context of `a` and `b` when both are integer terms of one context, else None
    (`_same_ctx` and `is_int` of each, inlined: this runs for every comparison and sum).
    A wrapper known to be an integer term carries `_zi` (set by this module when it made
    the wrapper, or once its sort was asked here): a term's sort never changes."""
    if getattr(a, "_zi", False) and getattr(b, "_zi", False):
        ctx = a.ctx
        return ctx if b.ctx is ctx else None
    ctx = getattr(a, "ctx", None)
    if ctx is None or getattr(b, "ctx", None) is not ctx or not isinstance(a, z3.ArithRef) \
            or not isinstance(b, z3.ArithRef):
        return None
    found = _INT_SORT_PTR.get(id(ctx))
    if found is None or found[0] is not ctx:
        return ctx if is_int(ctx, a) and is_int(ctx, b) else None
    ref, ptr = ctx.ctx, found[2]
    if _GET_SORT(ref, a.ast).value != ptr or _GET_SORT(ref, b.ast).value != ptr:
        return None
    a._zi = b._zi = True
    return ctx


def _cmp(mk: Callable[..., Any], slow: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def make(a: Any, b: Any) -> z3.BoolRef:
        ctx = _int_pair(a, b)
        if ctx is None:
            return slow(a, b)
        return wrap_bool(mk(ctx.ref(), a.ast, b.ast), ctx)

    return make


eq = _cmp(_raw(_Z.Z3_mk_eq), lambda a, b: a == b)
lt = _cmp(_raw(_Z.Z3_mk_lt), lambda a, b: a < b)
le = _cmp(_raw(_Z.Z3_mk_le), lambda a, b: a <= b)
gt = _cmp(_raw(_Z.Z3_mk_gt), lambda a, b: a > b)
ge = _cmp(_raw(_Z.Z3_mk_ge), lambda a, b: a >= b)


def _arith(mk: Callable[..., Any], slow: Callable[[Any, Any], Any], nary: bool
           ) -> Callable[[Any, Any], Any]:
    def make(a: Any, b: Any) -> z3.ArithRef:
        ctx = _int_pair(a, b)
        if ctx is None:
            return slow(a, b)
        if nary:
            return wrap_arith(mk(ctx.ref(), 2, _array((a, b))), ctx)
        return wrap_arith(mk(ctx.ref(), a.ast, b.ast), ctx)

    return make


def wrap_arith(ast: Any, ctx: z3.Context) -> z3.ArithRef:
    """`z3.ArithRef(ast, ctx)` (what z3.py's operators on integer terms return, even when
    Z3 folds the result to a numeral), made without z3.py's checks."""
    out = _new(z3.ArithRef)
    out.ast = ast
    out.ctx = ctx
    out._zi = True  # made only from integer operands: an integer term
    _INC_REF(ctx.ref(), ast)
    return out


add = _arith(_raw(_Z.Z3_mk_add), lambda a, b: a + b, True)
mul = _arith(_raw(_Z.Z3_mk_mul), lambda a, b: a * b, True)
sub = _arith(_raw(_Z.Z3_mk_sub), lambda a, b: a - b, True)
div = _arith(_raw(_Z.Z3_mk_div), lambda a, b: a / b, False)
mod = _arith(_raw(_Z.Z3_mk_mod), lambda a, b: a % b, False)


def neg(a: Any) -> z3.ArithRef:
    """`-a`."""
    if not isinstance(a, z3.ArithRef) or not is_int(a.ctx, a):
        return -a
    return wrap_arith(_raw(_Z.Z3_mk_unary_minus)(a.ctx.ref(), a.ast), a.ctx)


_BOOLS: dict[int, tuple[z3.Context, z3.BoolRef, z3.BoolRef]] = {}


def boolval(v: bool, ctx: z3.Context | None = None) -> z3.BoolRef:
    """`z3.BoolVal(v)` (in the main context unless `ctx`): one shared wrapper per context
    and value (a term is immutable, so sharing its wrapper changes nothing)."""
    ctx = z3.get_ctx(ctx)
    found = _BOOLS.get(id(ctx))
    if found is None or found[0] is not ctx:
        found = _BOOLS[id(ctx)] = (ctx, z3.BoolVal(False, ctx), z3.BoolVal(True, ctx))
    return found[2] if v else found[1]


_INT_SORT: dict[int, tuple[z3.Context, z3.SortRef]] = {}


def intval(v: int, ctx: z3.Context | None = None) -> z3.IntNumRef:
    """`z3.IntVal(v)` (in the main context unless `ctx`)."""
    ctx = z3.get_ctx(ctx)
    found = _INT_SORT.get(id(ctx))
    if found is None or found[0] is not ctx:
        found = _INT_SORT[id(ctx)] = (ctx, z3.IntSort(ctx))
    sort = found[1]
    out = z3.IntNumRef(_Z.Z3_mk_numeral(ctx.ref(), str(int(v)), sort.ast), ctx)
    out._zi = True
    return out


__all__ = ["add", "and_", "boolval", "div", "eq", "ge", "gt", "implies", "intval", "is_int",
           "le", "lt", "mod", "mul", "neg", "not_", "or_", "sub", "wrap_arith", "wrap_bool",
           "wrap_int"]
