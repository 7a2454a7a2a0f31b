"""C simulation as a verification layer: the emitted C++ against the LLVM simulation.

Claim when it agrees: "emitted C++ agreed with the LLVM simulation on K inputs", where K is
the number of argument tuples actually run and every output (each result and each array
argument after the call) was compared bit for bit. NaN policy: a float cell that is NaN on
both sides agrees whatever the NaN's sign and payload (C and LLVM may produce different
NaN payloads for the same operation); every other float cell, including the sign of zero,
is compared by its bits.
"""

from __future__ import annotations

import copy as copy_mod
from dataclasses import dataclass
from typing import Any

import numpy as np
from mlir import ir

from allo_verify.codegen.llvm_runner import build_llvm
from allo_verify.lang.signature import Signature
from allo_verify.lang.types import ArrayType, Float

NAN_POLICY = ("bit for bit; a NaN matches a NaN whatever its sign and payload, and every "
              "other float (the sign of zero included) is compared by its bits")


@dataclass(frozen=True)
class Difference:
    """The first cell where the two simulations disagree."""

    output: str
    index: tuple[int, ...]
    llvm: Any
    csim: Any
    trial: int
    inputs: str

    def __str__(self) -> str:
        cell = f"{self.output}[{', '.join(map(str, self.index))}]" if self.index else self.output
        return (f"{cell}: LLVM simulation {self.llvm!r}, emitted C++ {self.csim!r} "
                f"(trial {self.trial}; inputs: {self.inputs})")


@dataclass(frozen=True)
class CSimResult:
    """`agreed` on `trials` inputs, or the first difference."""

    agreed: bool
    trials: int
    first_difference: Difference | None
    nan_policy: str = NAN_POLICY

    def claim(self) -> str:
        if self.agreed:
            return f"emitted C++ agreed with the LLVM simulation on {self.trials} inputs"
        return f"emitted C++ differs from the LLVM simulation: {self.first_difference}"


def _describe(sig: Signature, args: tuple) -> str:
    parts = []
    for a, v in zip(sig.args, args, strict=True):
        if isinstance(v, np.ndarray):
            text = np.array2string(v, threshold=12, edgeitems=3, separator=", ")
            parts.append(f"{a.name}={' '.join(text.split())}")
        else:
            parts.append(f"{a.name}={v!r}")
    return "; ".join(parts)


def _scalar(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _first_mismatch(a: Any, b: Any, is_float: bool) -> tuple[tuple[int, ...], Any, Any] | None:
    x, y = np.asarray(a), np.asarray(b)
    if x.shape != y.shape:
        return (), f"shape {x.shape}", f"shape {y.shape}"
    if is_float:
        bits = np.dtype(f"uint{x.dtype.itemsize * 8}")
        same = x.view(bits) == y.view(bits)
        same |= np.isnan(x) & np.isnan(y)
    else:
        same = np.array([int(p) == int(q) for p, q in zip(x.ravel(), y.ravel(), strict=True)],
                        dtype=bool).reshape(x.shape) if x.dtype == object or y.dtype == object \
            else (x == y)
    if np.all(same):
        return None
    idx = tuple(int(i) for i in np.argwhere(~np.asarray(same))[0]) if x.ndim else ()
    return idx, _scalar(x[idx] if x.ndim else x[()]), _scalar(y[idx] if y.ndim else y[()])


def compare_outputs(sig: Signature, names: list[str], llvm_out: list[Any],
                    c_out: list[Any]) -> tuple[str, tuple[int, ...], Any, Any] | None:
    """The first differing (output, cell, LLVM value, C++ value), or None."""
    types = [a.type for a in sig.args if isinstance(a.type, ArrayType)] + list(sig.results)
    for name, t, x, y in zip(names, types, llvm_out, c_out, strict=True):
        dtype = t.dtype if isinstance(t, ArrayType) else t
        hit = _first_mismatch(x, y, isinstance(dtype, Float))
        if hit is not None:
            return (name, *hit)
    return None


def csim_check(module: ir.Module | str, sig: Signature, inputs: list[tuple], *,
               hls_module: Any = None) -> CSimResult:
    """Run the LLVM simulation and the C simulation of the emitted C++ (`hls_module`, by
    default `emit_hls(module, sig)`) on every argument tuple of `inputs` and compare every
    output bit for bit (NAN_POLICY). The inputs are not modified."""
    from allo_verify.codegen.hls import emit_hls

    mod = hls_module if hls_module is not None else emit_hls(module, sig)
    kernel = build_llvm(module, sig)
    c_runs = mod.run_trials([tuple(t) for t in inputs])
    array_names = [a.name for a in sig.args if isinstance(a.type, ArrayType)]
    result_names = [f"result {k}" if len(sig.results) > 1 else "result"
                    for k in range(len(sig.results))]
    for t, args in enumerate(inputs):
        fresh = tuple(copy_mod.deepcopy(v) if isinstance(v, np.ndarray) else v for v in args)
        res = kernel(*fresh)
        results = [] if res is None else (list(res) if len(sig.results) > 1 else [res])
        after = [v for a, v in zip(sig.args, fresh, strict=True) if isinstance(a.type, ArrayType)]
        c_results, c_arrays = c_runs[t]
        diff = compare_outputs(sig, array_names + result_names, after + results,
                               c_arrays + c_results)
        if diff is not None:
            name, idx, x, y = diff
            return CSimResult(False, t + 1,
                              Difference(name, idx, x, y, t, _describe(sig, args)))
    return CSimResult(True, len(inputs), None)
