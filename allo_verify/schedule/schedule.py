"""The Schedule facade: the original kernel module, the current one, and the step log."""

from __future__ import annotations

from typing import Any

from mlir.ir import Module

from allo_verify.lang.kernel import Kernel, build_kernel
from allo_verify.schedule.loops import LoopRef, find_loop, list_loops


class Schedule:
    """A kernel under customization. The original module is never mutated."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.original: Module = kernel.module
        with kernel.context:
            self.module: Module = Module.parse(str(kernel.module))
        self.steps: list[Any] = []

    @property
    def sig(self):  # noqa: ANN201 - Signature
        return self.kernel.sig

    def __str__(self) -> str:
        return str(self.module)

    def get_loops(self) -> list[LoopRef]:
        """Every named loop of the current design, qualified as `kernel:name`."""
        return list_loops(self.module)

    def loop(self, axis: str) -> LoopRef:
        """The loop `axis` (`"i"` or `"kernel:i"`) names; ambiguity is an error."""
        return find_loop(self.module, axis)

    def build(self, target: str = "llvm") -> Any:
        """A callable simulation of the current design (`target="llvm"`)."""
        if target != "llvm":
            raise ValueError(f"unknown target {target!r}; available: 'llvm'")
        from allo_verify.codegen.llvm_runner import build_llvm

        return build_llvm(self.module, self.kernel.sig)


def customize(fn: Any) -> Schedule:
    """Parse the kernel `fn` (and the kernels it calls) into MLIR and start a schedule."""
    return Schedule(build_kernel(fn))
