"""Vitis HLS C++ from the final IR, and its C simulation against the LLVM simulation.

    mod = emit_hls(module, sig)          # HLSModule: mod.code, mod.header, mod.write(dir)
    outs = mod.csim(A, B)                # g++ + ap_types headers from hls4ml
    result = csim_check(module, sig, [(A, B), ...])   # bit-for-bit against LLVM
"""

from __future__ import annotations

from mlir import ir

from allo_verify.codegen.hls.check import CSimResult, csim_check
from allo_verify.codegen.hls.csim import CSimError, prebuild
from allo_verify.codegen.hls.hls_module import HLSModule
from allo_verify.codegen.hls.module import emit_module
from allo_verify.codegen.hls.project import VitisNotFoundError, build_project
from allo_verify.codegen.hls.types import HLSEmitError
from allo_verify.codegen.pipeline import clone_module
from allo_verify.lang.signature import Signature

__all__ = ["CSimError", "CSimResult", "HLSEmitError", "HLSModule", "VitisNotFoundError",
           "build_project", "csim_check", "emit_hls", "prebuild"]


def emit_hls(module: ir.Module | str, sig: Signature, *, top: str | None = None,
             interface: object = None) -> HLSModule:
    """The Vitis HLS C++ of `module`, whose `func.func @<sig.name>` is the top function.
    Reads only the IR and `sig` (never a step log); the caller's module is not mutated.
    `top` names the C++ top function (default: the kernel's name); `interface` sets the
    top's interface pragmas (see `pragmas.interface_pragmas`)."""
    copy = clone_module(module)
    with copy.context:
        pieces = emit_module(copy, sig, top, interface)
    return HLSModule(sig=sig, top=pieces["top"], prelude=pieces["prelude"],
                     helpers=pieces["helpers"], body=pieces["body"],
                     prototype=pieces["prototype"], params=pieces["params"])
