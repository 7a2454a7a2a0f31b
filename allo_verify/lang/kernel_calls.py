"""Calls from one kernel to another: `func.call` of the callee's `func.func`.

Array arguments are passed by reference and must be distinct arrays of exactly the
parameter's type; a sub-array argument (`f(A[i])`) is passed by copy-in/copy-out (the Call
law of `subarrays`). Scalars are converted to the parameter's type. A callee that returns
one of its argument arrays cannot be called (the result would alias the argument).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from mlir.dialects import func
from mlir.ir import Value

from allo_verify.lang.emit_cast import cast
from allo_verify.lang.types import ArrayType
from allo_verify.lang.values import AV, TV, mlir_type

if TYPE_CHECKING:
    from allo_verify.lang.kernel import ModuleBuilder


class KernelCallBuilder:
    """Mixin: kernel calls. Needs the statement, expression and sub-array builders."""

    mb: ModuleBuilder

    def call_kernel(self, node: ast.AST, fn: Any, args: list[Any],
                    shared_reads: bool = False) -> Any:
        """A `func.call` of kernel `fn`. One array passed twice is refused, except with
        `shared_reads` (tensor operators: `X * X`) when the callee writes neither."""
        name, sig = self.mb.function_for(fn, node, self.src)
        operands: list[Value] = []
        if len(args) != len(sig.args):
            raise self.error(node, f"'{fn.__name__}' takes {len(sig.args)} argument(s), "
                                   f"{len(args)} given")
        if name in self.mb.returns_argument:
            raise self.error(node, f"'{fn.__name__}' returns its argument array "
                                   f"'{self.mb.returns_argument[name]}'; a kernel called by "
                                   "another kernel must return new arrays (the result would "
                                   "alias the argument)")
        args, back = self.view_arguments(node, fn.__name__, list(sig.args), args,
                                         self.mb.written_args.get(name, set()))
        for a, p in zip(args, sig.args, strict=True):
            if p.is_array:
                if not isinstance(a, AV) or a.type != p.type:
                    raise self.error(node, f"argument '{p.name}' of '{fn.__name__}' must be "
                                           f"{p.type!r}, got {self.describe(a)}")
                written = self.mb.written_args.get(name, set())
                dup = [q for q, v in zip(sig.args, operands, strict=False) if v == a.value]
                if dup and (not shared_reads or p.name in written or dup[0].name in written):
                    raise self.error(node, f"the same array is passed twice to "
                                           f"'{fn.__name__}' (as '{p.name}'); kernels assume "
                                           "their array arguments are distinct")
                if p.name in self.mb.written_args.get(name, set()):
                    self.note_write(a, node)
                operands.append(a.value)
            else:
                operands.append(cast(self.to_tv(a, node, p.type), p.type).value)
        call = func.CallOp([mlir_type(t) for t in sig.results], name, operands)
        self.write_back(back, node)
        outs: list[Any] = []
        for r, t in zip(call.results, sig.results, strict=True):
            outs.append(AV(r, t) if isinstance(t, ArrayType) else TV(r, t))
        if not outs:
            return 0
        return outs[0] if len(outs) == 1 else tuple(outs)
