"""L2 proves MLIR's own affine/scf pass pipelines preserve the meaning of our kernels
(tiling with min bounds, unrolling with remainders, lowering to scf with index arithmetic)."""

from __future__ import annotations

import mlir.ir as ir
import pytest
from mlir.passmanager import PassManager

from allo_verify.equiv.results import Proved
from allo_verify.equiv.tv import check_equivalent_modules
from tests.equiv.kernels import gemm, split_by_hand, stencil
from tests.equiv.test_tv import CALLS, GS, MAX_IF

PIPELINES = [
    "func.func(affine-loop-tile{tile-size=3})",
    "func.func(affine-loop-unroll{unroll-factor=3})",
    "func.func(affine-loop-unroll-jam{unroll-jam-factor=2})",
    "func.func(affine-loop-tile{tile-size=3}),lower-affine,canonicalize,cse",
    "func.func(affine-scalrep),func.func(affine-loop-coalescing)",
    "inline,canonicalize",
]
KERNELS = {"gemm": gemm(7, "f32", "ijk"), "stencil": stencil(8, "ij"),
           "split": split_by_hand(10, 4), "gauss_seidel": GS, "calls": CALLS, "max_if": MAX_IF}


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_mlir_pipelines_are_proved(pipeline: str) -> None:
    with ir.Context():
        for name, src in KERNELS.items():
            a, b = ir.Module.parse(src), ir.Module.parse(src)
            PassManager.parse(f"builtin.module({pipeline})").run(b.operation)
            r = check_equivalent_modules(a, b, replay=False)
            assert isinstance(r.result, Proved), (name, r.result)
