"""The LLVM simulation of op-level kernels, as an oracle for the L2 tables.

`OpKernel(inputs, outputs)` builds (once; cached at module scope) one `func.func` that, for
each of BATCH rows, loads one value of each input type, applies every op in `outputs` to some
of them, and stores each result into its own `memref<BATCHxT>`. `kernel.run_rows(rows)` takes
rows of input bit patterns (ints: unsigned patterns, index: Python ints, floats: IEEE bit
patterns) and returns the rows of output bit patterns, computed by the MLIR ExecutionEngine
exactly as the LLVM simulation of a kernel is; `kernel.run(bits)` is one row.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from allo_verify.codegen.llvm_runner import LLVMKernel, build_llvm
from allo_verify.equiv.concrete import CMPF, CMPI, bits_to_float, float_to_bits, is_float
from allo_verify.lang.signature import Arg, Signature
from allo_verify.lang.types import DType, Float, Index, Int


@dataclass(frozen=True)
class Out:
    """One output: `op` applied to the inputs at positions `args`, result type `rt`,
    predicate index `attr` (cmpi/cmpf) or None."""

    op: str
    args: tuple[int, ...]
    rt: str
    attr: int | None = None


def dtype_of(t: str) -> DType:
    """The kernel dtype whose carrier holds the bit patterns of MLIR type `t`."""
    if t == "index":
        return Index()
    if is_float(t):
        return Float(int(t[1:]))
    return Int(int(t[1:]), signed=False)


def _pred_text(op: str, attr: int) -> str:
    return CMPI[attr] if op == "arith.cmpi" else CMPF[attr]


BATCH = 32


def kernel_text(inputs: tuple[str, ...], outputs: tuple[Out, ...]) -> str:
    """MLIR text of the op-level kernel (generic op syntax, so every op prints the same)."""
    params = [f"%a{k}: memref<{BATCH}x{t}>" for k, t in enumerate(inputs)]
    params += [f"%r{k}: memref<{BATCH}x{o.rt}>" for k, o in enumerate(outputs)]
    body = [f"    affine.for %i = 0 to {BATCH} {{"]
    for k, t in enumerate(inputs):
        body.append(f"    %x{k} = affine.load %a{k}[%i] : memref<{BATCH}x{t}>")
    for k, o in enumerate(outputs):
        ops = ", ".join(f"%x{a}" for a in o.args)
        ats = ", ".join(inputs[a] for a in o.args)
        if o.attr is None:
            attr = ""
        elif o.op == "arith.cmpi":
            attr = f" {{predicate = {o.attr} : i64}}"
        else:
            attr = f" {{predicate = {o.attr} : i64, fastmath = #arith.fastmath<none>}}"
        body.append(f'    %y{k} = "{o.op}"({ops}){attr} : ({ats}) -> {o.rt}')
        body.append(f"    affine.store %y{k}, %r{k}[%i] : memref<{BATCH}x{o.rt}>")
    body += ["    }", "    return"]
    return (f"module {{\n  func.func @k({', '.join(params)}) {{\n" + "\n".join(body)
            + "\n  }\n}\n")


def _to_carrier(bits: list[int], t: str) -> np.ndarray:
    dt = dtype_of(t)
    if is_float(t):
        return np.array([bits_to_float(b, t) for b in bits], dtype=dt.np_dtype)
    return np.array(bits, dtype=dt.np_dtype)


def _from_carrier(a: np.ndarray, t: str) -> list[int]:
    if is_float(t):
        return [float_to_bits(x, t) for x in a]
    return [int(x) for x in a]


class OpKernel:
    """A compiled op-level kernel (see the module docstring)."""

    def __init__(self, inputs: tuple[str, ...], outputs: tuple[Out, ...]) -> None:
        self.inputs, self.outputs = inputs, outputs
        self.text = kernel_text(inputs, outputs)
        args = [Arg(f"a{k}", dtype_of(t)[BATCH]) for k, t in enumerate(inputs)]
        args += [Arg(f"r{k}", dtype_of(o.rt)[BATCH]) for k, o in enumerate(outputs)]
        self.kernel: LLVMKernel = build_llvm(self.text, Signature("k", tuple(args), ()))

    def run_rows(self, rows: list[list[int]]) -> list[list[int]]:
        """Output bit patterns for each row of input bit patterns (one per input)."""
        out: list[list[int]] = []
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            padded = chunk + [chunk[-1]] * (BATCH - len(chunk))
            ins = [_to_carrier([r[k] for r in padded], t) for k, t in enumerate(self.inputs)]
            outs = [np.zeros(BATCH, dtype=dtype_of(o.rt).np_dtype) for o in self.outputs]
            self.kernel(*ins, *outs)
            cols = [_from_carrier(a, o.rt) for a, o in zip(outs, self.outputs, strict=True)]
            out += [[c[j] for c in cols] for j in range(len(chunk))]
        return out

    def run(self, bits: list[int]) -> list[int]:
        """Output bit patterns for one row of input bit patterns."""
        return self.run_rows([bits])[0]


@functools.cache
def op_kernel(inputs: tuple[str, ...], outputs: tuple[Out, ...]) -> OpKernel:
    """The op-level kernel, built once per process."""
    return OpKernel(inputs, outputs)


def nan_equal(a: int, b: int, t: str) -> bool:
    """Bit equality, NaN matching any NaN (LLVM leaves NaN payloads and signs unspecified
    for arithmetic: LangRef, "Floating-Point Semantics")."""
    if a == b:
        return True
    if not is_float(t):
        return False
    return bool(np.isnan(bits_to_float(a, t)) and np.isnan(bits_to_float(b, t)))


__all__ = ["Out", "OpKernel", "op_kernel", "kernel_text", "nan_equal", "dtype_of"]
