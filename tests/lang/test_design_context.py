"""A kernel's MLIR context loads only the dialects kernels are made of; IR naming another
registered dialect still parses in it (MLIR loads that dialect on demand)."""

from __future__ import annotations

from mlir.ir import Module, WalkResult

import allo_verify as av
from allo_verify.lang.dialects import DIALECTS, design_context
from tests.schedule import kernels as K


def test_a_kernel_context_parses_ir_of_other_registered_dialects() -> None:
    s = av.customize(K.gemm)
    with s.module.context:
        m = Module.parse("func.func @f(%a: i32) -> i32 {\n  cf.br ^bb1\n^bb1:\n"
                         "  %b = index.constant 3\n  return %a : i32\n}")
    assert "cf.br" in str(m) and "index.constant" in str(m)


def test_every_op_a_scheduled_kernel_holds_is_of_a_loaded_dialect() -> None:
    s = av.customize(K.conv2d)
    s.split("y", 4)
    s.pipeline("x")
    s.partition("img", dim=1, factor=3)
    names: set[str] = set()

    def visit(op: object) -> WalkResult:
        names.add(op.name)  # type: ignore[attr-defined]
        return WalkResult.ADVANCE

    s.module.operation.walk(visit)
    assert {n.split(".")[0] for n in names} <= set(DIALECTS), names
    ctx = design_context()
    assert all(ctx.dialects[d] is not None for d in DIALECTS)
