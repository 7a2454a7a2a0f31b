"""The MLIR context a design lives in."""

from __future__ import annotations

from mlir.ir import Context

#: the dialects a kernel's IR is made of (by the frontend and by every primitive)
DIALECTS = ("builtin", "func", "arith", "math", "affine", "memref", "scf")


def design_context() -> Context:
    """A context with only `DIALECTS` loaded (others still load when parsed IR names them).
    Loading every registered dialect, the bindings' default, makes a context ten times
    slower to create and every bytecode write about twice as slow: the writer gathers an
    interface from each loaded dialect."""
    return Context(load_on_create_dialects=list(DIALECTS))
