"""Narrowing `trunci(widened arithmetic)` before symbolic execution: the law, proved with Z3
over the L2 op semantics (`z3_table`) for each op kind narrowed, refuted for ops that must
not be narrowed, and the rewrite itself checked equal to the original by Z3."""

from __future__ import annotations

import mlir.ir as ir
import pytest
import z3

from allo_verify.equiv import narrow
from allo_verify.equiv.narrow import NARROWABLE, narrow_module
from allo_verify.equiv.symexec import execute
from allo_verify.equiv.terms import TermStore
from allo_verify.equiv.z3_table import lookup

RLIMIT = 100_000_000
WIDTHS = [(65, 32), (64, 32), (33, 8), (17, 1)]  # (wide w, narrow n)
MUST_NOT = ["arith.divsi", "arith.divui", "arith.remsi", "arith.remui", "arith.shrsi",
            "arith.shrui", "arith.maxsi", "arith.minui", "arith.floordivsi", "arith.ceildivsi"]


def _op(name: str, args: list[z3.BitVecRef], w: int) -> z3.BitVecRef:
    return lookup(name)(args, f"i{w}", tuple(f"i{a.size()}" for a in args), None)


def _trunc(x: z3.BitVecRef, n: int) -> z3.BitVecRef:
    return lookup("arith.trunci")([x], f"i{n}", (f"i{x.size()}",), None)


def _law_holds(name: str, w: int, n: int) -> z3.CheckSatResult:
    """unsat iff trunc_n(op_w(x, y)) == op_n(trunc_n(x), trunc_n(y)) for all x, y."""
    x, y = z3.BitVec("x", w), z3.BitVec("y", w)
    lhs = _trunc(_op(name, [x, y], w), n)
    rhs = _op(name, [_trunc(x, n), _trunc(y, n)], n)
    s = z3.Solver()
    s.set("rlimit", RLIMIT)
    s.add(lhs != rhs)
    return s.check()


@pytest.mark.parametrize("name", sorted(NARROWABLE))
@pytest.mark.parametrize("w,n", WIDTHS)
def test_narrowing_law_holds_for_each_op_narrowed(name: str, w: int, n: int) -> None:
    assert _law_holds(name, w, n) == z3.unsat


@pytest.mark.parametrize("name", MUST_NOT)
def test_narrowing_law_fails_for_ops_never_narrowed(name: str) -> None:
    """The check can fail: for division, remainder, right shifts, min/max the low bits
    depend on high bits, Z3 finds operands where narrowing changes the result."""
    assert name not in NARROWABLE
    assert _law_holds(name, 33, 8) == z3.sat


def test_comparisons_are_not_narrowable() -> None:
    x, y = z3.BitVec("x", 16), z3.BitVec("y", 16)
    s = z3.Solver()
    s.add(z3.ULT(x, y) != z3.ULT(z3.Extract(7, 0, x), z3.Extract(7, 0, y)))
    assert s.check() == z3.sat
    assert "arith.cmpi" not in NARROWABLE


@pytest.mark.parametrize("w,n", [(64, 32), (12, 5)])
def test_left_shift_narrows_by_a_constant_below_n_only(w: int, n: int) -> None:
    x = z3.BitVec("x", w)
    for c in range(n):
        lhs = _trunc(_op("arith.shli", [x, z3.BitVecVal(c, w)], w), n)
        rhs = _op("arith.shli", [_trunc(x, n), z3.BitVecVal(c, n)], n)
        s = z3.Solver()
        s.add(lhs != rhs)
        assert s.check() == z3.unsat
    # an amount in [n, w) gives 0 at width w but is out of range at width n: not narrowed
    lhs = _trunc(_op("arith.shli", [x, z3.BitVecVal(n, w)], w), n)
    s = z3.Solver()
    s.add(lhs != 0)
    assert s.check() == z3.unsat


@pytest.mark.parametrize("m,n,w", [(8, 32, 64), (32, 32, 64), (40, 32, 64)])
@pytest.mark.parametrize("ext", ["arith.extsi", "arith.extui"])
def test_truncated_extension_law(m: int, n: int, w: int, ext: str) -> None:
    z = z3.BitVec("z", m)
    lhs = _trunc(lookup(ext)([z], f"i{w}", (f"i{m}",), None), n)
    rhs = z if m == n else (_trunc(z, n) if m > n else lookup(ext)([z], f"i{n}", (f"i{m}",),
                                                                  None))
    s = z3.Solver()
    s.add(lhs != rhs)
    assert s.check() == z3.unsat


KERNEL = """
func.func @k(%A: memref<3xi8>, %B: memref<3xi8>, %s: i8) -> (memref<3xi8>, i8) {
  %C = memref.alloc() : memref<3xi8>
  %acc0 = arith.constant 0 : i8
  %r = affine.for %i = 0 to 3 iter_args(%acc = %acc0) -> i8 {
    %a = affine.load %A[%i] : memref<3xi8>
    %b = affine.load %B[%i] : memref<3xi8>
    %x = arith.extsi %a : i8 to i32
    %y = arith.extui %b : i8 to i32
    %z = arith.extsi %s : i8 to i32
    %p = arith.muli %x, %y : i32
    %q = arith.subi %p, %z : i32
    %c = arith.constant 1000007 : i32
    %o = arith.ori %q, %c : i32
    %sh = arith.constant 5 : i32
    %l = arith.shli %o, %sh : i32
    %d = arith.divsi %l, %c : i32
    %e = arith.xori %d, %l : i32
    %t = arith.trunci %e : i32 to i8
    affine.store %t, %C[%i] : memref<3xi8>
    %w = arith.extsi %acc : i8 to i33
    %v = arith.extsi %q : i32 to i33
    %n = arith.addi %w, %v : i33
    %u = arith.andi %n, %w : i33
    %t8 = arith.trunci %u : i33 to i8
    affine.yield %t8 : i8
  }
  return %C, %r : memref<3xi8>, i8
}
"""


def _same_function(text_a: str, text_b: str) -> z3.CheckSatResult:
    """unsat iff both modules (executed without narrowing) give equal outputs for all
    inputs."""
    store = TermStore()
    with ir.Context():
        ra = execute(ir.Module.parse(text_a), store, "k", ["A", "B", "s"], narrow=False)
        rb = execute(ir.Module.parse(text_b), store, "k", ["A", "B", "s"], narrow=False)
    outs = [(x, y) for p, q in zip(ra.results, rb.results, strict=True)
            for x, y in (zip(p.cells, q.cells, strict=True) if hasattr(p, "cells")
                         else [(p, q)])]
    memo: dict[int, object] = {}
    za = store.to_z3([x for x, _ in outs], memo)
    zb = store.to_z3([y for _, y in outs], memo)
    s = z3.Solver()
    s.set("rlimit", RLIMIT)
    s.add(z3.Or([p != q for p, q in zip(za, zb, strict=True)]))
    return s.check()


def _narrowed(text: str) -> tuple[str, int]:
    with ir.Context():
        m = ir.Module.parse(text)
        k = narrow_module(m)
        m.operation.verify()
        return str(m), k


def test_rewrite_is_the_same_function_with_fewer_ops() -> None:
    text, k = _narrowed(KERNEL)
    assert k == 2
    assert "i33" not in text and "arith.divsi" in text  # the divsi stays at 32 bits
    assert _same_function(KERNEL, text) == z3.unsat
    store = TermStore()
    with ir.Context():
        wide = execute(ir.Module.parse(KERNEL), store, "k", None, narrow=False).work
        slim = execute(ir.Module.parse(KERNEL), store, "k", None, narrow=True).work
    # here the wide chain feeding divsi stays, so execute keeps the cheaper (wide) form
    assert slim <= wide


GEMM = """
func.func @k(%A: memref<6x6xi32>, %B: memref<6x6xi32>, %C: memref<6x6xi32>) {
  affine.for %i = 0 to 6 {
    affine.for %j = 0 to 6 {
      affine.for %k = 0 to 6 {
        %a = affine.load %A[%i, %k] : memref<6x6xi32>
        %b = affine.load %B[%k, %j] : memref<6x6xi32>
        %x = arith.extsi %a : i32 to i64
        %y = arith.extsi %b : i32 to i64
        %p = arith.muli %x, %y : i64
        %c = affine.load %C[%i, %j] : memref<6x6xi32>
        %u = arith.extsi %c : i32 to i65
        %v = arith.extsi %p : i64 to i65
        %s = arith.addi %u, %v : i65
        %t = arith.trunci %s : i65 to i32
        affine.store %t, %C[%i, %j] : memref<6x6xi32>
      }
    }
  }
  return
}
"""


def test_frontend_style_gemm_runs_narrow_with_fewer_ops_and_terms() -> None:
    """The frontend's widened GEMM body (11 ops) runs as 6 narrow ops, same outputs."""
    text, k = _narrowed(GEMM)
    assert k == 1 and "i64" not in text and "i65" not in text
    wide_store, slim_store = TermStore(), TermStore()
    with ir.Context():
        wide = execute(ir.Module.parse(GEMM), wide_store, "k", ["A", "B", "C"], narrow=False)
        slim = execute(ir.Module.parse(GEMM), slim_store, "k", ["A", "B", "C"])
    assert slim.work < wide.work and len(slim_store) < len(wide_store)
    store = TermStore()
    with ir.Context():
        ra = execute(ir.Module.parse(GEMM), store, "k", ["A", "B", "C"], narrow=False)
        rb = execute(ir.Module.parse(text), store, "k", ["A", "B", "C"], narrow=False)
    za = store.to_z3(ra.args[2].cells, {})
    zb = store.to_z3(rb.args[2].cells, {})
    s = z3.Solver()
    s.set("rlimit", RLIMIT)
    s.add(z3.Or([p != q for p, q in zip(za, zb, strict=True)]))
    assert s.check() == z3.unsat


def test_a_wrong_narrowing_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation: narrowing divsi (against the law) gives a different function, which the
    same equivalence check refutes."""
    monkeypatch.setattr(narrow, "NARROWABLE", NARROWABLE | {"arith.divsi"})
    monkeypatch.setattr(narrow, "_PURE", narrow._PURE | {"arith.divsi"})
    text, _ = _narrowed(KERNEL)
    assert " : i8" in text.split("arith.divsi")[1].split("\n")[0]
    assert _same_function(KERNEL, text) == z3.sat


def test_flagged_ops_are_left_alone() -> None:
    src = """
    func.func @k(%a: i32, %b: i32) -> i32 {
      %x = arith.extsi %a : i32 to i64
      %y = arith.extsi %b : i32 to i64
      %p = arith.addi %x, %y overflow<nsw> : i64
      %t = arith.trunci %p : i64 to i32
      return %t : i32
    }"""
    text, k = _narrowed(src)
    assert k == 0 and "i64" in text
