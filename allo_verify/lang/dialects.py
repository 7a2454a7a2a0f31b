"""The MLIR context a design lives in."""

from __future__ import annotations

from typing import Any

from mlir.ir import Context, Operation

#: the dialects a kernel's IR is made of (by the frontend and by every primitive)
DIALECTS = ("builtin", "func", "arith", "math", "affine", "memref", "scf")


def design_context() -> Context:
    """A context with only `DIALECTS` loaded (others still load when parsed IR names them).
    Loading every registered dialect, the bindings' default, makes a context ten times
    slower to create and every bytecode write about twice as slow: the writer gathers an
    interface from each loaded dialect.

    Only parsing loads a dialect on demand: an op of another dialect built from Python
    (`Operation.create`, an op class of `mlir.dialects`) must go through `create_op`, or
    it is created unregistered (in a context that allows unregistered dialects) or aborts
    the process (a type of the dialect)."""
    return Context(load_on_create_dialects=list(DIALECTS))


def create_op(name: str, **kw: Any) -> Operation:
    """`Operation.create(name, **kw)` in the current context, after loading the dialect of
    `name`: the op is then always a registered op of its dialect (never an unregistered op
    with the same name, which verifiers and lowering passes do not understand). Raises
    ValueError for an op no registered dialect defines."""
    ctx = Context.current
    dialect = name.split(".", 1)[0]
    try:
        ctx.dialects[dialect]  # get-or-load
    except (IndexError, KeyError, ValueError, AttributeError):
        pass
    if not ctx.is_registered_operation(name):
        raise ValueError(f"{name} is not an operation of a registered MLIR dialect")
    return Operation.create(name, **kw)
