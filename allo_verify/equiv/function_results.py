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
