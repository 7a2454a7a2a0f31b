"""The LLVM lowering builds ops of a dialect a design context has not loaded (the float
minimum/maximum intrinsics of the llvm dialect). Found by the attack5 QA pass: built with
`Operation.create` in a design context, `llvm.intr.maximum` was an unregistered op, and
`lower_to_llvm` of any design with a float min/max crashed the process (segmentation fault
in the lowering passes). Each crash-prone call runs in a child process, so that a crash is
a failed test, not a dead test session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mlir import ir

from allo_verify.lang.dialects import DIALECTS, create_op, design_context

ROOT = Path(__file__).resolve().parents[2]

MINMAX = """func.func @k(%A: memref<4xf32>, %B: memref<4xf32>) {
  affine.for %i = 0 to 4 {
    %a = affine.load %A[%i] : memref<4xf32>
    %b = affine.load %B[%i] : memref<4xf32>
    %m = arith.OP %a, %b : f32
    affine.store %m, %B[%i] : memref<4xf32>
  }
  return
}"""

CHILD = """
import sys
from allo_verify.codegen.pipeline import lower_to_llvm
text = sys.stdin.read()
for c_interface in ((), ("k",)):
    lowered = str(lower_to_llvm(text, c_interface))
    assert sys.argv[1] in lowered, lowered
print("lowered")
"""


@pytest.mark.parametrize(("op", "intrinsic"), [("maximumf", "llvm.intr.maximum"),
                                               ("minimumf", "llvm.intr.minimum")])
def test_lowering_a_float_min_max_does_not_crash(op: str, intrinsic: str) -> None:
    run = subprocess.run([sys.executable, "-c", CHILD, intrinsic], input=MINMAX.replace("OP", op),
                         capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)
    assert run.returncode == 0 and "lowered" in run.stdout, (run.returncode, run.stderr[-2000:])


def test_create_op_gives_a_registered_op_of_a_dialect_not_loaded() -> None:
    ctx = design_context()
    assert "llvm" not in DIALECTS and not ctx.is_registered_operation("llvm.intr.maximum")
    with ctx, ir.Location.unknown():
        f32 = ir.F32Type.get()
        m = ir.Module.parse("func.func @f(%a: f32) -> f32 {\n  return %a : f32\n}")
        func = m.body.operations[0]
        arg = func.regions[0].blocks[0].arguments[0]
        with ir.InsertionPoint.at_block_begin(func.regions[0].blocks[0]):
            op = create_op("llvm.intr.maximum", results=[f32], operands=[arg, arg])
        assert ctx.is_registered_operation(op.name)
        assert m.operation.verify()


def test_create_op_refuses_an_op_no_dialect_defines() -> None:
    with design_context(), ir.Location.unknown():
        with pytest.raises(ValueError, match="hls.nothing is not an operation"):
            create_op("hls.nothing")
        with pytest.raises(ValueError, match="arith.nothing is not an operation"):
            create_op("arith.nothing")
