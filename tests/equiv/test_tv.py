"""L2 translation validation on hand-written MLIR pairs (the acceptance list)."""

from __future__ import annotations

import mlir.ir as ir
import pytest

from allo_verify.equiv.results import NotRun, Proved, Refuted, Unknown
from allo_verify.equiv.tv import L2Result, check_equivalent_modules
from allo_verify.lang.signature import Arg, Signature
from allo_verify.lang.types import float32, int8, int16, int32, uint32
from tests.equiv.kernels import gemm, split_by_hand, stencil, unsplit


def tv(a: str, b: str, sig: Signature | None = None, **kw: object) -> L2Result:
    """The concrete tier (these tests read its scope: cells, work, budgets)."""
    kw.setdefault("symbolic", False)
    with ir.Context():
        return check_equivalent_modules(ir.Module.parse(a), ir.Module.parse(b), sig, **kw)


def gemm_sig(n: int, t: object) -> Signature:
    return Signature("gemm", tuple(Arg(x, t[n, n]) for x in "ABC"), ())  # type: ignore[index]


def assert_refuted(r: L2Result, confirmed: tuple[str, ...] = ("llvm",)) -> None:
    assert isinstance(r.result, Refuted), r.result
    cex = r.result.counterexample
    assert cex is not None
    assert cex.value_a != cex.value_b
    assert cex.confirmed in confirmed, cex


# ----- equivalent pairs ------------------------------------------------------------------

@pytest.mark.parametrize("t,dt", [("i32", int32), ("f32", float32)])
def test_gemm_ijk_vs_ikj_proved(t: str, dt: object) -> None:
    r = tv(gemm(8, t, "ijk"), gemm(8, t, "ikj"), gemm_sig(8, dt))
    assert isinstance(r.result, Proved) and not r.result.modulo_reassoc
    assert r.scope["cells"] == 64 and r.scope["sizes"]["A"] == [8, 8]


def test_split_with_remainder_guard_proved() -> None:
    assert isinstance(tv(unsplit(10), split_by_hand(10, 4)).result, Proved)


def test_split_without_guard_refuted() -> None:
    sig = Signature("k", (Arg("A", int32[10]), Arg("B", int32[10])), ())
    r = tv(unsplit(10), split_by_hand(10, 4, guarded=False), sig)
    assert_refuted(r)
    assert r.result.counterexample.output == "B"  # type: ignore[union-attr]
    assert r.result.counterexample.cell[0] >= 8  # type: ignore[union-attr]


SHIFT_A = """
func.func @k(%A: memref<6xi32>, %B: memref<6xi32>) {
  %c16 = arith.constant 16 : i32
  %c8 = arith.constant 8 : i32
  affine.for %i = 0 to 6 {
    %x = affine.load %A[%i] : memref<6xi32>
    %m = arith.muli %x, %c16 : i32
    %r = arith.remui %x, %c16 : i32
    %s = arith.addi %m, %r : i32
    %d = arith.divui %x, %c8 : i32
    %y = arith.xori %s, %d : i32
    affine.store %y, %B[%i] : memref<6xi32>
  }
  return
}
"""
SHIFT_B = """
func.func @k(%A: memref<6xi32>, %B: memref<6xi32>) {
  %c4 = arith.constant 4 : i32
  %c15 = arith.constant 15 : i32
  %c3 = arith.constant 3 : i32
  affine.for %i = 0 to 6 {
    %x = affine.load %A[%i] : memref<6xi32>
    %m = arith.shli %x, %c4 : i32
    %r = arith.andi %x, %c15 : i32
    %s = arith.ori %m, %r : i32
    %d = arith.shrui %x, %c3 : i32
    %y = arith.xori %d, %s : i32
    affine.store %y, %B[%i] : memref<6xi32>
  }
  return
}
"""


def test_shifts_and_masks_rewrite_proved() -> None:
    r = tv(SHIFT_A, SHIFT_B)
    assert isinstance(r.result, Proved), r.result
    assert r.scope["differing_cells"] == 6 and r.cost.queries >= 1


def test_shift_rewrite_with_signed_shift_refuted() -> None:
    sig = Signature("k", (Arg("A", int32[6]), Arg("B", int32[6])), ())
    assert_refuted(tv(SHIFT_A, SHIFT_B.replace("arith.shrui", "arith.shrsi"), sig))


def test_stencil_interchange_proved() -> None:
    for t in ("i32", "f32"):
        assert isinstance(tv(stencil(8, "ij", t), stencil(8, "ji", t)).result, Proved)


# ----- refutations -----------------------------------------------------------------------

def test_off_by_one_bound_refuted() -> None:
    sig = Signature("k", (Arg("A", int32[8]), Arg("B", int32[8])), ())
    r = tv(unsplit(8), unsplit(8, ub=7), sig)
    assert_refuted(r)
    cex = r.result.counterexample  # type: ignore[union-attr]
    assert cex.output == "B" and cex.cell == (7,)
    assert set(cex.inputs) == {"A", "B"} and len(cex.inputs["A"]) == 8


def test_swapped_subscripts_refuted() -> None:
    swapped = gemm(4, "i32", "ijk").replace("%A[%i, %k]", "%A[%k, %i]")
    r = tv(gemm(4, "i32", "ijk"), swapped, gemm_sig(4, int32))
    assert_refuted(r)


SUM4 = """
func.func @k(%X: memref<4xf32>) -> f32 {{
  %x0 = affine.load %X[0] : memref<4xf32>
  %x1 = affine.load %X[1] : memref<4xf32>
  %x2 = affine.load %X[2] : memref<4xf32>
  %x3 = affine.load %X[3] : memref<4xf32>
  {body}
}}
"""
SEQ = SUM4.format(body="""%a = arith.addf %x0, %x1 : f32
  %b = arith.addf %a, %x2 : f32
  %c = arith.addf %b, %x3 : f32
  return %c : f32""")
PAIR = SUM4.format(body="""%a = arith.addf %x0, %x1 : f32
  %b = arith.addf %x2, %x3 : f32
  %c = arith.addf %a, %b : f32
  return %c : f32""")
SUM_SIG = Signature("k", (Arg("X", float32[4]),), (float32,))


def test_float_reassociation_refuted_without_permission() -> None:
    r = tv(SEQ, PAIR, SUM_SIG)
    assert_refuted(r)
    assert r.result.counterexample.output == "return[0]"  # type: ignore[union-attr]


def test_float_reassociation_accepted_when_allowed_and_labeled() -> None:
    r = tv(SEQ, PAIR, SUM_SIG, allow_reassoc=True)
    assert isinstance(r.result, Proved) and r.result.modulo_reassoc
    assert r.result.claim == "equivalent modulo reassociation"
    assert r.scope["tier"] == "reassoc"


def test_reassoc_does_not_hide_a_real_difference() -> None:
    other = PAIR.replace("%b = arith.addf %x2, %x3", "%b = arith.addf %x2, %x2")
    r = tv(SEQ, other, SUM_SIG, allow_reassoc=True)
    assert_refuted(r)


ACC = """
func.func @k(%X: memref<4xi8>) -> i16 {{
  %z = arith.constant 0 : {acc}
  %s = affine.for %i = 0 to 4 iter_args(%a = %z) -> ({acc}) {{
    %x = affine.load %X[%i] : memref<4xi8>
    {ext}
    %n = arith.addi %a, %v : {acc}
    affine.yield %n : {acc}
  }}
  {fin}
  return %r : i16
}}
"""
ACC8 = ACC.format(acc="i8", ext="%v = arith.addi %x, %z : i8",
                  fin="%r = arith.extsi %s : i8 to i16")
ACC16 = ACC.format(acc="i16", ext="%v = arith.extsi %x : i8 to i16",
                   fin="%r = arith.addi %s, %z : i16")


def test_int8_vs_int16_accumulation_refuted() -> None:
    sig = Signature("k", (Arg("X", int8[4]),), (int16,))
    r = tv(ACC8, ACC16, sig)
    assert_refuted(r)


GS = """
func.func @k(%A: memref<8xi32>) {
  affine.for %i = 1 to 7 {
    %l = affine.load %A[%i - 1] : memref<8xi32>
    %r = affine.load %A[%i + 1] : memref<8xi32>
    %s = arith.addi %l, %r : i32
    affine.store %s, %A[%i] : memref<8xi32>
  }
  return
}
"""
JACOBI = """
func.func @k(%A: memref<8xi32>) {
  %T = memref.alloc() : memref<8xi32>
  affine.for %i = 1 to 7 {
    %l = affine.load %A[%i - 1] : memref<8xi32>
    %r = affine.load %A[%i + 1] : memref<8xi32>
    %s = arith.addi %l, %r : i32
    affine.store %s, %T[%i] : memref<8xi32>
  }
  affine.for %i = 1 to 7 {
    %v = affine.load %T[%i] : memref<8xi32>
    affine.store %v, %A[%i] : memref<8xi32>
  }
  memref.dealloc %T : memref<8xi32>
  return
}
"""


def test_gauss_seidel_vs_jacobi_refuted() -> None:
    r = tv(GS, JACOBI, Signature("k", (Arg("A", int32[8]),), ()))
    assert_refuted(r)
    assert r.result.counterexample.output == "A"  # type: ignore[union-attr]


CMP = """
func.func @k(%A: memref<4xi32>, %B: memref<4xi32>) {{
  %c0 = arith.constant 7 : i32
  affine.for %i = 0 to 4 {{
    %x = affine.load %A[%i] : memref<4xi32>
    %c = arith.cmpi {pred}, %x, %c0 : i32
    %y = arith.select %c, %x, %c0 : i32
    affine.store %y, %B[%i] : memref<4xi32>
  }}
  return
}}
"""


def test_signed_vs_unsigned_comparison_refuted() -> None:
    sig = Signature("k", (Arg("A", int32[4]), Arg("B", int32[4])), ())
    assert_refuted(tv(CMP.format(pred="slt"), CMP.format(pred="ult"), sig))
    usig = Signature("k", (Arg("A", uint32[4]), Arg("B", uint32[4])), ())
    assert isinstance(tv(CMP.format(pred="ult"), CMP.format(pred="ult"), usig).result, Proved)


# ----- control flow, budget, unsupported -------------------------------------------------

RELU_SELECT = """
func.func @k(%A: memref<4xi32>) {
  %z = arith.constant 0 : i32
  affine.for %i = 0 to 4 {
    %x = affine.load %A[%i] : memref<4xi32>
    %c = arith.cmpi sgt, %x, %z : i32
    %y = arith.select %c, %x, %z : i32
    affine.store %y, %A[%i] : memref<4xi32>
  }
  return
}
"""
RELU_IF = """
func.func @k(%A: memref<4xi32>) {
  %z = arith.constant 0 : i32
  affine.for %i = 0 to 4 {
    %x = affine.load %A[%i] : memref<4xi32>
    %c = arith.cmpi sle, %x, %z : i32
    scf.if %c {
      affine.store %z, %A[%i] : memref<4xi32>
    }
  }
  return
}
"""


def test_data_dependent_if_is_merged_into_selects() -> None:
    assert isinstance(tv(RELU_SELECT, RELU_IF).result, Proved)
    wrong = RELU_IF.replace("sle", "sge")
    r = tv(RELU_SELECT, wrong, Signature("k", (Arg("A", int32[4]),), ()))
    assert isinstance(r.result, Refuted)


WHILE = """
func.func @k(%A: memref<4xi32>) {
  %z = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  %x = affine.load %A[0] : memref<4xi32>
  %r = scf.while (%v = %x) : (i32) -> i32 {
    %c = arith.cmpi sgt, %v, %z : i32
    scf.condition(%c) %v : i32
  } do {
  ^bb0(%v: i32):
    %n = arith.subi %v, %one : i32
    scf.yield %n : i32
  }
  affine.store %r, %A[1] : memref<4xi32>
  return
}
"""


def test_data_dependent_while_is_unknown_with_reason() -> None:
    r = tv(WHILE, WHILE)
    assert isinstance(r.result, Unknown)
    assert "scf.while condition depends on data" in r.result.reason


def test_data_dependent_subscript_is_unknown() -> None:
    src = """
func.func @k(%A: memref<4xi32>, %B: memref<4xi32>) {
  %x = affine.load %A[0] : memref<4xi32>
  %i = arith.index_cast %x : i32 to index
  %v = memref.load %B[%i] : memref<4xi32>
  affine.store %v, %A[1] : memref<4xi32>
  return
}
"""
    r = tv(src, src)
    assert isinstance(r.result, Unknown) and "depends on data" in r.result.reason


def test_budget_reports_not_run_too_large() -> None:
    r = tv(gemm(16, "i32", "ijk"), gemm(16, "i32", "ikj"), budget=1000)
    assert isinstance(r.result, NotRun) and "too large" in r.result.reason


CALLS = """
memref.global "private" constant @w : memref<4xi32> = dense<[1, 2, 3, 4]>
func.func @scale(%x: i32, %y: i32) -> i32 {
  %p = arith.muli %x, %y : i32
  return %p : i32
}
func.func @k(%A: memref<4xi32>) -> i32 {
  %W = memref.get_global @w : memref<4xi32>
  %acc = memref.alloca() : memref<i32>
  %z = arith.constant 0 : i32
  affine.store %z, %acc[] : memref<i32>
  affine.for %i = 0 to 4 {
    %a = affine.load %A[%i] : memref<4xi32>
    %w = affine.load %W[%i] : memref<4xi32>
    %p = func.call @scale(%a, %w) : (i32, i32) -> i32
    %s = affine.load %acc[] : memref<i32>
    %t = arith.addi %s, %p : i32
    affine.store %t, %acc[] : memref<i32>
  }
  %r = affine.load %acc[] : memref<i32>
  return %r : i32
}
"""
INLINE = """
func.func @k(%A: memref<4xi32>) -> i32 {
  %z = arith.constant 0 : i32
  %s = scf.for %i = %c0 to %c4 step %c1 iter_args(%a = %z) -> (i32) {
    %x = memref.load %A[%i] : memref<4xi32>
    %ii = arith.index_cast %i : index to i32
    %one = arith.constant 1 : i32
    %w = arith.addi %ii, %one : i32
    %p = arith.muli %w, %x : i32
    %n = arith.addi %a, %p : i32
    scf.yield %n : i32
  }
  return %s : i32
}
""".replace("func.func @k(%A: memref<4xi32>) -> i32 {", """func.func @k(%A: memref<4xi32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index""")


def test_calls_globals_scalars_and_scf_for() -> None:
    sig = Signature("k", (Arg("A", int32[4]),), (int32,))
    r = tv(CALLS, INLINE, sig)
    assert isinstance(r.result, Proved), r.result
    r = tv(CALLS, INLINE.replace("%one = arith.constant 1", "%one = arith.constant 2"), sig)
    assert_refuted(r)


def test_unsupported_op_is_unknown_naming_it() -> None:
    src = """
func.func @k(%A: memref<4xi32>) {
  %v = memref.cast %A : memref<4xi32> to memref<?xi32>
  return
}
"""
    r = tv(src, src)
    assert isinstance(r.result, Unknown) and "memref.cast" in r.result.reason


def test_off_by_one_past_the_end_is_unknown_unless_llvm_differs() -> None:
    """B[8] = 3 * A[8] past the end: undefined in LLVM, whose outputs B[0..7] agree, so not
    a refutation (tests/equiv/test_oob_refutation.py has one whose outputs differ)."""
    sig = Signature("k", (Arg("A", int32[8]), Arg("B", int32[8])), ())
    r = tv(unsplit(8), unsplit(8, ub=9), sig)
    assert isinstance(r.result, Unknown), r.result
    assert "A[8] outside its shape [8]" in r.result.reason and "agreed" in r.result.reason
    r = tv(unsplit(8, ub=9), unsplit(8), sig)
    assert isinstance(r.result, Unknown) and "outside shape" in r.result.reason


MAX_IF = """
func.func @k(%A: memref<4xi32>, %B: memref<4xi32>) {
  affine.for %i = 0 to 4 {
    %x = affine.load %A[%i] : memref<4xi32>
    %y = affine.load %B[%i] : memref<4xi32>
    %c = arith.cmpi sgt, %x, %y : i32
    %m = scf.if %c -> (i32) {
      %d = arith.cmpi eq, %x, %y : i32
      scf.if %d {
        affine.store %x, %A[%i] : memref<4xi32>
      }
      scf.yield %x : i32
    } else {
      scf.yield %y : i32
    }
    affine.store %m, %B[%i] : memref<4xi32>
  }
  return
}
"""
MAX_OP = """
func.func @k(%A: memref<4xi32>, %B: memref<4xi32>) {
  affine.for %i = 0 to 4 {
    %x = affine.load %A[%i] : memref<4xi32>
    %y = affine.load %B[%i] : memref<4xi32>
    %m = arith.maxsi %y, %x : i32
    affine.store %m, %B[%i] : memref<4xi32>
  }
  return
}
"""


def test_nested_data_dependent_if_with_results() -> None:
    assert isinstance(tv(MAX_IF, MAX_OP).result, Proved)
    sig = Signature("k", (Arg("A", int32[4]), Arg("B", int32[4])), ())
    assert_refuted(tv(MAX_IF, MAX_OP.replace("maxsi", "maxui"), sig))


def test_z3_node_budget_reports_not_run() -> None:
    r = tv(SHIFT_A, SHIFT_B, z3_nodes=5)
    assert isinstance(r.result, NotRun) and "term nodes" in r.result.reason


def test_reading_uninitialized_local_is_unknown() -> None:
    src = """
func.func @k(%A: memref<4xi32>) {
  %T = memref.alloc() : memref<4xi32>
  %v = affine.load %T[2] : memref<4xi32>
  affine.store %v, %A[0] : memref<4xi32>
  return
}
"""
    r = tv(src, src)
    assert isinstance(r.result, Unknown) and "uninitialized" in r.result.reason


SPLIT_K_SEQ = """
func.func @k(%X: memref<8xf32>) -> f32 {
  %z = arith.constant 0.0 : f32
  %s = affine.for %i = 0 to 8 iter_args(%a = %z) -> (f32) {
    %x = affine.load %X[%i] : memref<8xf32>
    %n = arith.addf %a, %x : f32
    affine.yield %n : f32
  }
  return %s : f32
}
"""
SPLIT_K_PAR = """
func.func @k(%X: memref<8xf32>) -> f32 {
  %z = arith.constant 0.0 : f32
  %P = memref.alloc() : memref<2xf32>
  affine.for %p = 0 to 2 {
    affine.store %z, %P[%p] : memref<2xf32>
    affine.for %i = 0 to 4 {
      %x = affine.load %X[%p * 4 + %i] : memref<8xf32>
      %a = affine.load %P[%p] : memref<2xf32>
      %n = arith.addf %a, %x : f32
      affine.store %n, %P[%p] : memref<2xf32>
    }
  }
  %p0 = affine.load %P[0] : memref<2xf32>
  %p1 = affine.load %P[1] : memref<2xf32>
  %r = arith.addf %p0, %p1 : f32
  return %r : f32
}
"""


def test_split_reduction_only_modulo_reassociation() -> None:
    sig = Signature("k", (Arg("X", float32[8]),), (float32,))
    assert_refuted(tv(SPLIT_K_SEQ, SPLIT_K_PAR, sig))
    r = tv(SPLIT_K_SEQ, SPLIT_K_PAR, sig, allow_reassoc=True)
    assert isinstance(r.result, Proved) and r.result.modulo_reassoc
