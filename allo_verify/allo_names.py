"""Allo's public names that this package does not implement, and the error they raise.

Law: a kernel or schedule written for Allo either runs here with `import allo_verify as
allo`, or stops at the first name we lack with `NotSupportedError("not supported: X")`;
never with a silent `None`, a bare AttributeError or an ImportError that reads like a typo.
Modules get this through `unsupported_getattr` (PEP 562 module `__getattr__`); whole Allo
modules we lack are stub modules whose import raises it (`allo_verify/backend/aie.py`).
Names not in the table stay ordinary AttributeErrors (a typo is a typo).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allo_verify.errors import NotSupportedError

#: Allo names we lack, with why / what to use instead. The owners of features in progress
#: replace an entry by defining the name (a defined name never reaches `__getattr__`).
UNSUPPORTED: dict[str, str] = {
    "bfloat16": "bfloat16 has no semantics here yet (LLVM simulation, Z3, HLS C++); use "
                "float16 or float32",
    "IPModule": "external IP modules are not supported",
    "LLVMModule": "use s.build(target='llvm') (an LLVMKernel)",
    "HLSModule": "use s.build(target='vhls') (allo_verify.codegen.hls.HLSModule)",
    "invoke_mlir_parser": "parsing Allo's MLIR dialect is not supported",
    "frontend": "Allo's PyTorch frontend is not supported",
    "passes": "Allo's MLIR pass pipeline is not exposed",
    "unify": "s.unify (merging two kernels into one) is not implemented",
    "aie": "the AMD AI Engine backend is not supported",
    "spmw": "the SPMW builder is not supported",
}


def unsupported_getattr(module: str, extra: dict[str, str] | None = None
                        ) -> Callable[[str], Any]:
    """A module `__getattr__` for `module`: Allo names in the table (and `extra`) raise
    NotSupportedError; any other missing name an AttributeError."""
    table = {**UNSUPPORTED, **(extra or {})}

    def __getattr__(name: str) -> Any:  # noqa: N807 - the PEP 562 hook
        if name in table:
            raise NotSupportedError(f"{module}.{name}", table[name])
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
