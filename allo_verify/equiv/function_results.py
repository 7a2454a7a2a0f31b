"""What a function gives back, as L1 compares it before and after a step.

Statements are the stores, calls and copies of a function; its `func.return` is none of
them. A rewrite that returned another buffer (a fresh one, never written) or another scalar
would keep every statement as it was. Law: a step keeps each result of every function it
checks: the same buffer (by the extractor's name) for a memref result, the same
computation (ops, attributes, loads by buffer and subscripts) for any other result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlir.ir import BlockArgument, OpResult, Value


def results_of(func_op: Any, buffer: Callable[[Value], str]) -> tuple:
    """The results of `func_op` (one per operand of its `func.return`), each as
    ("buffer", name) for a memref, or the tree of the value's computation (shared
    subcomputations built once); `buffer` names a memref value (the extractor's naming)."""
    from allo_verify.equiv.polyhedral import LOADS, _is_memref, _terminator, attr_signature

    blocks = func_op.regions[0].blocks
    if not len(blocks):
        return ()
    ret = _terminator(blocks[0])
    if ret.name != "func.return":
        return ()
    memo: dict[Any, Any] = {}

    def tree(v: Value) -> Any:
        if v not in memo:
            memo[v] = _tree(v)
        return memo[v]

    def _tree(v: Value) -> Any:
        if _is_memref(v):
            return ("buffer", buffer(v))
        if isinstance(v, BlockArgument):
            return ("blockarg", v.arg_number, str(v.type))
        o = v.owner.operation
        if o.name in LOADS:
            where = str(o.attributes["map"]) if "map" in o.attributes else ""
            return ("load", buffer(o.operands[0]), where,
                    tuple(tree(x) for x in list(o.operands)[1:]))
        regions = tuple(tuple(tree(x) for x in _terminator(reg.blocks[0]).operands)
                        for reg in o.regions if len(reg.blocks))
        return (o.name, attr_signature(o), v.result_number if isinstance(v, OpResult) else 0,
                tuple(tree(x) for x in o.operands), regions)

    return tuple(tree(v) for v in ret.operands)


def program_order(func_op: Any) -> list[Any]:
    """Every op of `func_op` in program order (a pre-order walk)."""
    from allo_verify.codegen.pipeline import ops_where

    return ops_where(func_op, lambda op: True)


def separated_result_load(func_op: Any, order: list[Any] | None = None) -> str:
    """A load feeding `func_op`'s `func.return` that a write to the loaded buffer follows
    (in program order, before the return), described; "" when there is none. The results
    (`results_of`) name such a load by its buffer and subscripts only, as if it ran at the
    return: hoisting `%s = load s` above the loop that accumulates s keeps that
    description and returns the initial value."""
    from allo_verify.equiv.polyhedral import STORES, _loads_under, _terminator, location_of

    blocks = func_op.regions[0].blocks
    if not len(blocks):
        return ""
    ret = _terminator(blocks[0])
    if ret.name != "func.return":
        return ""
    order = program_order(func_op) if order is None else order
    at = {op: i for i, op in enumerate(order)}
    end = at.get(ret, len(order))
    for v in ret.operands:
        for load in _loads_under(v):
            buf = load.operands[0]
            for op in order[at.get(load, end) + 1:end]:
                writes = (op.name in STORES and op.operands[1] == buf) or (
                    op.name == "memref.copy" and op.operands[1] == buf) or (
                    op.name == "func.call" and any(x == buf for x in op.operands))
                if writes:
                    return (f"the result's load at {location_of(load) or 'no location'} runs "
                            f"before a write to its buffer at {location_of(op) or 'no location'}")
    return ""


def local_buffers(func_op: Any, buffer: Callable[[Value], str],
                  order: list[Any] | None = None) -> tuple:
    """The buffers `func_op` allocates, as sorted (name, type) pairs: a loop rewrite never
    changes them, and L1's accesses name a buffer without its shape (a buffer shrunk under
    its loops would be accessed out of bounds with every access looking the same)."""
    out = [(buffer(op.results[0]), str(op.results[0].type))
           for op in (program_order(func_op) if order is None else order)
           if op.name in ("memref.alloc", "memref.alloca")]
    return tuple(sorted(out))


def early_free(func_op: Any, order: list[Any] | None = None) -> str:
    """A `memref.dealloc` that some use of its buffer follows in program order, or that is
    not in the function's body block, described; "" when there is none. Freeing is no
    statement, so L1 would not see a free moved above the accesses of its buffer."""
    from allo_verify.equiv.polyhedral import location_of

    blocks = func_op.regions[0].blocks
    if not len(blocks):
        return ""
    top = {op.operation for op in blocks[0].operations}
    order = program_order(func_op) if order is None else order
    at = {op: i for i, op in enumerate(order)}
    for op in order:
        if op.name != "memref.dealloc":
            continue
        where = location_of(op) or "no location"
        if op not in top:
            return f"a buffer is freed inside a loop or branch ({where})"
        for use in op.operands[0].uses:
            user = use.owner.operation if hasattr(use.owner, "operation") else use.owner
            if user != op and at.get(user, -1) > at[op]:
                return f"a buffer is freed ({where}) before a later use"
    return ""
