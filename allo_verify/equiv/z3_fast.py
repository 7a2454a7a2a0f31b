"""Z3 terms built without the Python API's per-argument coercion, for the L1 checkers' hot
paths.

Law: each function returns the very term (the same Z3 AST) its `z3` counterpart returns for
the same arguments, so every query, model and certificate is unchanged; arguments the fast
path does not cover (no argument, a non-Z3-boolean, mixed contexts) go to `z3` itself.
"""

from __future__ import annotations

from typing import Any

import z3


def bool_op(mk: Any, xs: list[z3.BoolRef]) -> z3.BoolRef:
    """`z3.And(*xs)` (`mk` is `z3.Z3_mk_and`) or `z3.Or(*xs)` (`z3.Z3_mk_or`)."""
    if not xs or not all(isinstance(x, z3.BoolRef) for x in xs) or \
            any(x.ctx is not xs[0].ctx for x in xs):
        return (z3.And if mk is z3.Z3_mk_and else z3.Or)(*xs)
    ctx = xs[0].ctx
    arr = (z3.Ast * len(xs))()
    for i, x in enumerate(xs):
        arr[i] = x.as_ast()
    return z3.BoolRef(mk(ctx.ref(), len(xs), arr), ctx)


def all_of(*xs: z3.BoolRef) -> z3.BoolRef:
    """`z3.And(*xs)`, the same term."""
    return bool_op(z3.Z3_mk_and, list(xs))


def any_of(*xs: z3.BoolRef) -> z3.BoolRef:
    """`z3.Or(*xs)`, the same term."""
    return bool_op(z3.Z3_mk_or, list(xs))
