"""Attacks on the L2 symbolic tier: pairs that differ subtly must never be Proved."""

from __future__ import annotations

import pytest
from mlir import ir

from allo_verify.design import SignatureMismatch
from allo_verify.equiv.results import Proved, Refuted, Unknown
from allo_verify.equiv.symbolic_tier import symbolic_l2
from allo_verify.equiv.tv import check_equivalent_modules

RET = """func.func @k(%A: memref<8xi32>, %B: memref<8xi32>) -> memref<8xi32> {{
  {body}
  return {ret} : memref<8xi32>
}}"""


def _sym(a: str, b: str) -> tuple:
    with ir.Context():
        return symbolic_l2(ir.Module.parse(a), ir.Module.parse(b), None, "k", "k", False,
                           True, 0)


def test_returning_two_different_unwritten_arguments_is_refuted() -> None:
    """Cells neither function writes hold the initial contents of the array returned: the
    same only when it is the same argument (was Proved)."""
    a, b = RET.format(body="", ret="%A"), RET.format(body="", ret="%B")
    res, scope = _sym(a, b)
    assert isinstance(res, Refuted), res
    assert res.counterexample is not None and res.counterexample.confirmed == "llvm"
    assert isinstance(_sym(a, a)[0], Proved)


def test_returning_an_argument_vs_an_uninitialized_local_is_unknown() -> None:
    a = RET.format(body="", ret="%A")
    b = RET.format(body="%m = memref.alloc() : memref<8xi32>", ret="%m")
    assert isinstance(_sym(a, b)[0], Unknown)


COPY = """func.func @k(%A: memref<4xi32>, %B: memref<4xi32>{extra}) {{
  affine.for %i = 0 to 4 {{
    %v = affine.load %A[%i] : memref<4xi32>
    affine.store %v, %B[%i] : memref<4xi32>
  }}
  return
}}"""


def test_different_signatures_are_never_proved() -> None:
    """An extra output argument of (b) was never compared (Proved); the concrete tier
    crashed on differing argument types. Now: Unknown, and a SignatureMismatch."""
    a, b = COPY.format(extra=""), COPY.format(extra=", %X: memref<4xi32>")
    res, _ = _sym(a, b)
    assert isinstance(res, Unknown) and "signatures differ" in res.reason
    with ir.Context():
        with pytest.raises(SignatureMismatch, match="same signature"):
            check_equivalent_modules(ir.Module.parse(a), ir.Module.parse(b))


FRESH = """func.func @k(%A: memref<8xf32>, %B: memref<8xf32>) {{
  {outer}
  affine.for %i = 0 to 8 {{
    {inner}
    affine.if affine_set<(d0) : (d0 == 0)>(%i) {{
      %v = affine.load %A[%i] : memref<8xf32>
      affine.store %v, %m[] : memref<f32>
    }}
    %w = affine.load %m[] : memref<f32>
    affine.store %w, %B[%i] : memref<8xf32>
  }}
  return
}}"""


def test_buffer_allocated_inside_a_loop_is_not_one_array() -> None:
    """A fresh alloca per iteration does not keep iteration 0's write: reading it later is
    an uninitialized read. It was Proved equal to the same kernel with the buffer hoisted."""
    alloc = "%m = memref.alloca() : memref<f32>"
    hoisted, fresh = FRESH.format(outer=alloc, inner=""), FRESH.format(outer="", inner=alloc)
    res, _ = _sym(hoisted, fresh)
    assert isinstance(res, Unknown) and "inside a loop" in res.reason, res
    with ir.Context():
        r = check_equivalent_modules(ir.Module.parse(hoisted), ir.Module.parse(fresh))
    assert not isinstance(r.result, Proved), r.result
