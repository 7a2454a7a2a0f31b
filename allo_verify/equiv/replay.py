"""Running both kernels of a comparison through the LLVM simulation on one input, to
confirm a candidate counterexample found symbolically (L2 refutes only what LLVM confirms).

Law: `replay_cell` returns the two values the LLVM simulations of `@fa` (in `mod_a`) and
`@fb` (in `mod_b`) leave at one output cell for the given inputs, or a string saying why
they could not be run; it never raises. Without a `Signature`, the functions' MLIR types are
read as declared types (`decl_of`: integers signed), arguments named arg0, arg1, ...
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import mlir.ir as ir

from allo_verify.equiv.symexec import memref_shape
from allo_verify.lang.signature import Arg, Signature
from allo_verify.lang.types import ArrayType, Float, Index, Int


def decl_of(t: str) -> Any:
    """A declared type for an MLIR type string when no Signature is given (ints signed)."""
    if t.startswith("memref<"):
        shape, elem = memref_shape(ir.Type.parse(t))
        return ArrayType(decl_of(elem), shape)
    if t == "index":
        return Index()
    if t.startswith("f"):
        return Float(int(t[1:]))
    return Int(int(t[1:]))


def replay_signature(mod: ir.Module, fname: str, sig: Signature | None) -> Signature:
    """The signature to run `@fname` of `mod` with: `sig` renamed, or (without one) the
    function's MLIR types read as declared types (`decl_of`), arguments named arg0, ..."""
    if sig is not None:
        return replace(sig, name=fname)
    f = next(op.operation for op in mod.body.operations if op.operation.name == "func.func"
             and ir.StringAttr(op.operation.attributes["sym_name"]).value == fname)
    ft = ir.FunctionType(ir.TypeAttr(f.attributes["function_type"]).value)
    return Signature(fname, tuple(Arg(f"arg{k}", decl_of(str(t)))
                                  for k, t in enumerate(ft.inputs)),
                     tuple(decl_of(str(t)) for t in ft.results))


def replay_cell(mod_a: ir.Module, mod_b: ir.Module, sig: Signature | None, inputs: dict[str, Any],
            output: str, cell: tuple[int, ...], fa: str, fb: str) -> tuple[Any, Any] | str:
    """Run both kernels through the LLVM simulation on `inputs`; the two values at the cell,
    or a string saying why replay was not possible."""
    try:
        from allo_verify.codegen.llvm_runner import build_llvm  # type: ignore[import-not-found]
    except ImportError:
        return "LLVM simulation not available"
    import numpy as np

    vals = []
    for mod, fname in ((mod_a, fa), (mod_b, fb)):
        try:
            with mod.context:
                sig = replay_signature(mod, fname, sig)
            k = build_llvm(str(mod), sig)
            args = [np.array(inputs[a.name], copy=True) if a.is_array else inputs[a.name]
                    for a in sig.args]
            res = k(*args)
        except Exception as e:  # noqa: BLE001 - report any runner failure as a note
            return f"LLVM replay failed: {type(e).__name__}: {e}"
        if output.startswith("return["):
            idx = int(output[7:-1])
            r = res[idx] if isinstance(res, tuple) else res
        else:
            r = args[[a.name for a in sig.args].index(output)]
        vals.append(r[cell] if cell else r)
    return vals[0], vals[1]
