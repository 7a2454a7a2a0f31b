"""L3 claims what it did: within a stated tolerance when reassociation is allowed, the number
of distinct inputs actually run, and its NaN policy whenever outputs are floats."""

from __future__ import annotations

import numpy as np
import pytest

from allo_verify import bool as bool_
from allo_verify import float32, float64, int8, int32
from allo_verify.equiv import check_equivalent
from allo_verify.equiv.cosim import cosimulate, first_difference
from allo_verify.equiv.cosim_tolerance import derive_tolerance, reduction_length, within
from allo_verify.lang.signature import Arg, Signature
from allo_verify.report.claims import entry_claim

K = 16


def dot_seq(A: float32[K], B: float32[K]) -> float32:
    s: float32 = 0.0
    for k in range(K):
        s += A[k] * B[k]
    return s


def dot_halves(A: float32[K], B: float32[K]) -> float32:
    lo: float32 = 0.0
    hi: float32 = 0.0
    for k in range(K // 2):
        lo += A[k] * B[k]
        hi += A[k + K // 2] * B[k + K // 2]
    return lo + hi


def dot_dropped(A: float32[K], B: float32[K]) -> float32:
    lo: float32 = 0.0
    hi: float32 = 0.0
    for k in range(K // 2):
        lo += A[k] * B[k]
        hi += A[k + K // 2] * B[k + K // 2]
    return lo + hi - A[0] * B[0] * 0.5  # not a reassociation: a different value


def rowsum_seq(A: float64[4, 12]) -> float64[4]:
    R: float64[4] = 0.0
    for i in range(4):
        for j in range(12):
            R[i] += A[i, j]
    return R


def rowsum_rev(A: float64[4, 12]) -> float64[4]:
    R: float64[4] = 0.0
    for i in range(4):
        for j in range(12):
            R[i] += A[i, 11 - j]
    return R


def l3(cert):  # noqa: ANN001, ANN201
    return next(e for e in cert.to_dict()["entries"] if e["layer"] == "L3")


def test_reassociated_reductions_pass_only_when_allowed() -> None:
    for a, b in ((dot_seq, dot_halves), (rowsum_seq, rowsum_rev)):
        cert = check_equivalent(a, b, trials=40, seed=2, allow_reassoc=True)
        assert cert.status == "proved" and cert.claim == "equivalent modulo reassociation"
        e = l3(cert)
        assert e["result"]["status"] == "agreed"
        tol = e["scope"]["tolerance"]
        assert tol["t"] > 0 and "reduction length" in tol["source"]
        assert "within tolerance" in entry_claim(e) and "within tolerance" in e["statement"]
        strict = check_equivalent(a, b, trials=40, seed=2)
        assert strict.status in ("refuted", "unknown"), strict.summary()
        assert "tolerance" not in l3(strict)["scope"]


def test_the_tolerance_still_catches_real_differences() -> None:
    cert = check_equivalent(dot_seq, dot_dropped, trials=40, allow_reassoc=True)
    assert cert.status == "refuted"
    # and a tolerance of zero is an exact comparison: reassociation then shows
    zero = check_equivalent(dot_seq, dot_halves, layers=("L3",), trials=60, seed=1,
                            allow_reassoc=True, tolerance=0.0)
    e = l3(zero)
    assert e["result"]["status"] == "refuted", e
    assert "tolerance" in e["result"]["counterexample"]["note"]


def test_user_tolerance_is_recorded() -> None:
    cert = check_equivalent(dot_seq, dot_halves, layers=("L3",), trials=20,
                            allow_reassoc=True, tolerance=1e-3)
    e = l3(cert)
    assert e["scope"]["tolerance"]["t"] == 1e-3
    assert e["scope"]["tolerance"]["source"] == "given by the user"
    assert "within tolerance 0.001" in entry_claim(e)


def test_derived_tolerance_follows_length_and_type() -> None:
    sig32 = Signature("k", (Arg("A", float32[K]), Arg("B", float32[K])), (float32,))
    text = "\n".join([
        "func.func @k(%arg0: memref<16xf32>) {",
        "  affine.for %arg2 = 0 to 8 {",
        "    affine.for %arg3 = 0 to 16 {",
        "      %4 = arith.addf %3, %2 : f32",
        "      affine.store %4, %alloc[%arg2] : memref<8xf32>",
        "    }", "  }", "}"])
    assert reduction_length(text, 99) == 16 * 2  # k only: i indexes the cell
    t32 = derive_tolerance((text, text), sig32, None).t
    sig64 = Signature("k", (Arg("A", float64[K]), Arg("B", float64[K])), (float64,))
    assert derive_tolerance((text, text), sig64, None).t < t32
    longer = text.replace("0 to 16", "0 to 64")
    assert derive_tolerance((longer, longer), sig32, None).t > t32
    a = np.array([1.0, np.nan, np.inf, 1e30], dtype=np.float32)
    b = np.array([1.0 + 1e-6, -np.nan, np.inf, 1e30 * (1 + 1e-6)], dtype=np.float32)
    assert within(a, b, 1e-5).all() and not within(a, b, 1e-9).all()
    assert not within(np.array([np.inf]), np.array([-np.inf]), 1.0).all()
    assert first_difference(np.float32(1.0), np.float32(1.001), 1e-2) is None
    assert first_difference(np.float32(1.0), np.float32(1.1), 1e-2) is not None


BOOL_SIG = Signature("k", (Arg("a", bool_), Arg("b", bool_)), (bool_,))
AND = """func.func @k(%a: i1, %b: i1) -> i1 attributes {llvm.emit_c_interface} {
  %r = arith.andi %a, %b : i1
  return %r : i1
}"""
AND_SWAPPED = AND.replace("arith.andi %a, %b", "arith.andi %b, %a")


def test_claims_the_distinct_inputs_actually_run() -> None:
    r = cosimulate(AND, AND_SWAPPED, BOOL_SIG, trials=100, seed=0)
    assert r.result.status == "agreed" and r.result.trials == 4  # type: ignore[union-attr]
    e = {"layer": "L3", "result": {"status": "agreed", "trials": 4, "seed": 0},
         "scope": r.scope}
    assert entry_claim(e).startswith("agreed on 4 distinct random inputs (seed 0)")
    assert "(100 runs requested)" in entry_claim(e)
    sig8 = Signature("k", (Arg("a", int8),), (int8,))
    neg = """func.func @k(%a: i8) -> i8 attributes {llvm.emit_c_interface} {
  %z = arith.constant 0 : i8
  %r = arith.subi %z, %a : i8
  return %r : i8
}"""
    r = cosimulate(neg, neg, sig8, trials=300, seed=0)
    assert r.result.trials <= 256 and r.scope["distinct_inputs"] == r.result.trials  # type: ignore[union-attr]


F_SIG = Signature("k", (Arg("x", float32),), (float32,))
IDENT = """func.func @k(%x: f32) -> f32 attributes {llvm.emit_c_interface} {
  return %x : f32
}"""
# the same value, except that a NaN comes back with its sign flipped
FLIP_NAN = """func.func @k(%x: f32) -> f32 attributes {llvm.emit_c_interface} {
  %n = arith.cmpf uno, %x, %x : f32
  %m = arith.negf %x : f32
  %r = arith.select %n, %m, %x : f32
  return %r : f32
}"""


def test_nan_policy_is_stated_when_nans_are_not_compared() -> None:
    r = cosimulate(IDENT, FLIP_NAN, F_SIG, trials=50, seed=0)
    assert r.result.status == "agreed"  # NaN sign is not compared ...
    assert "NaN sign and payload are not compared" in r.scope["nan_policy"]  # ... and said
    e = {"layer": "L3", "result": {"status": "agreed", "trials": 3, "seed": 0},
         "scope": r.scope}
    assert "NaN sign and payload are not compared" in entry_claim(e)
    cert = check_equivalent(dot_seq, dot_seq, layers=("L3",), trials=5)
    assert "NaN" in l3(cert)["statement"] and "bit for bit" in l3(cert)["statement"]
    # integer outputs: bit for bit, no NaN clause
    sig = Signature("k", (Arg("a", int32),), (int32,))
    ident = IDENT.replace("f32", "i32")
    r = cosimulate(ident, ident, sig, trials=5)
    assert "nan_policy" not in r.scope


def test_tolerance_only_with_reassociation_and_only_for_floats() -> None:
    sig = Signature("k", (Arg("a", int32),), (int32,))
    ident = IDENT.replace("f32", "i32")
    with pytest.raises(ValueError, match="only with reassociation allowed"):
        cosimulate(ident, ident, sig, trials=3, tolerance=0.1)
    with pytest.raises(ValueError, match="finite number"):
        cosimulate(IDENT, IDENT, F_SIG, trials=3, allow_reassoc=True, tolerance=float("nan"))
    r = cosimulate(ident, ident, sig, trials=3, allow_reassoc=True)
    assert "tolerance" not in r.scope  # integers are compared exactly: no tolerance claimed
