"""The L2 symbolic tier: size-independent proofs for affine kernels, refutations confirmed on
both LLVM simulations, honest Unknown (and the concrete tier) for what it does not cover."""

from __future__ import annotations

from typing import Any

import pytest
from mlir import ir

from allo_verify.equiv import check_equivalent
from allo_verify.equiv.results import Proved, Refuted, Unknown
from allo_verify.equiv.symbolic_tier import symbolic_l2
from allo_verify.equiv.tv import check_equivalent_modules
from allo_verify.report.claims import entry_claim
from tests.equiv import symbolic_kernels as K


def l2(a: Any, b: Any, **kw: Any) -> Any:
    cert = check_equivalent(a, b, layers=("L2",), **kw)
    (e,) = cert.entries
    return e


def assert_symbolic_proof(e: Any) -> None:
    assert isinstance(e.result, Proved), e.result
    assert e.scope["tier"] == "symbolic", e.scope
    claim = entry_claim(e.to_dict())
    assert "all sizes satisfying C" in claim and "symbolic tier" in claim, claim


def assert_symbolic_refutation(e: Any) -> None:
    assert isinstance(e.result, Refuted), e.result
    assert e.scope["tier"] == "symbolic", e.scope
    cex = e.result.counterexample
    assert cex is not None and cex.confirmed == "llvm", cex
    assert cex.value_a != cex.value_b
    assert list(cex.cell) == e.scope["candidate"]["cell"]


# ----- proofs ----------------------------------------------------------------------------

@pytest.mark.parametrize("n", [64, 256, 1024])
def test_gemm_tiled_schedule_proved_at_any_size(n: int) -> None:
    s = K.gemm_tiled(n)
    assert_symbolic_proof(l2((s.original, s.sig), s))


@pytest.mark.parametrize("n", [64, 512])
def test_gemm_split_reduction_proved(n: int) -> None:
    s = K.gemm_split_k(n)
    assert_symbolic_proof(l2((s.original, s.sig), s))


@pytest.mark.parametrize("n", [64, 1024])
def test_hand_written_gemm_pair_proved(n: int) -> None:
    """Separate init nest + i,k,j order vs i,j,k with a scalar (0-d) accumulator."""
    assert_symbolic_proof(l2(K.gemm_ikj_init(n), K.gemm_acc(n)))


def test_jacobi_time_loop_interchanged_proved() -> None:
    """A time loop whose two statements ping-pong: the cycle is closed once by isl."""
    e = l2(K.jacobi(256, 8), K.jacobi_ji(256, 8))
    assert_symbolic_proof(e)


# ----- known-bad pairs at large sizes ------------------------------------------------------

def test_jacobi_vs_gauss_seidel_refuted() -> None:
    e = l2(K.jacobi(256, 4), K.gauss_seidel(256, 4))
    assert_symbolic_refutation(e)


def test_off_by_one_tile_guard_refuted() -> None:
    with ir.Context():
        a = ir.Module.parse(K.unsplit_mlir(1000))
        b = ir.Module.parse(K.split_guard_mlir(1000, 8, slack=1))
        r = check_equivalent_modules(a, b)
    assert isinstance(r.result, Refuted) and r.scope["tier"] == "symbolic", r.result
    cex = r.result.counterexample
    assert cex is not None and cex.confirmed == "llvm" and list(cex.cell) == [999]
    assert "written by (a) only" in r.scope["candidate"]["why"]


def test_correct_tile_guard_proved() -> None:
    with ir.Context():
        a = ir.Module.parse(K.unsplit_mlir(1000))
        b = ir.Module.parse(K.split_guard_mlir(1000, 8, slack=0))
        r = check_equivalent_modules(a, b)
    assert isinstance(r.result, Proved) and r.scope["tier"] == "symbolic", r.result


def test_int8_vs_int16_accumulation_refuted() -> None:
    e = l2(K.mac16(256), K.mac8(256))
    assert_symbolic_refutation(e)
    assert "i16" in e.scope["candidate"]["why"]


@pytest.mark.parametrize("bad", [K.dot_rev, K.dot_halves])
def test_unpermitted_float_reassociation_refuted(bad: Any) -> None:
    assert_symbolic_refutation(l2(K.dot_fwd(256), bad(256)))


def test_reassociation_allowed_falls_back_to_concrete_tier() -> None:
    e = l2(K.dot_fwd(16), K.dot_halves(16), allow_reassoc=True, tolerance=1e-3)
    assert e.scope.get("tier") != "symbolic"
    assert "reassociation" in e.scope["symbolic"]
    assert isinstance(e.result, Proved) and e.result.modulo_reassoc


def test_hand_written_pair_reading_the_wrong_cells_refuted() -> None:
    assert_symbolic_refutation(l2(K.gemm_ikj_init(256), K.gemm_acc_kswapped(256)))


# ----- mutations: every kind of mismatch is rejected ---------------------------------------

ELEM = """
func.func @k(%A: memref<300xi32>, %B: memref<300xi32>) {{
  %c = arith.constant {c} : {t}
  affine.for %i = {lo} to 300 {{
    %v = affine.load %A[{sub}] : memref<300xi32>
    {body}
    affine.store %w, %B[%i] : memref<300xi32>
  }}
  return
}}
"""
BASE = dict(c="3", t="i32", lo="0", sub="%i", body="%w = arith.muli %v, %c : i32")
MUTANTS = {
    "constant": dict(c="4"),
    "operation": dict(body="%w = arith.addi %v, %c : i32"),
    "operand order (integer, refuted only if it matters)": dict(
        body="%w = arith.subi %c, %v : i32"),
    "width": dict(c="3", t="i16", body="%x = arith.trunci %v : i32 to i16\n"
                  "    %y = arith.muli %x, %c : i16\n    %w = arith.extsi %y : i16 to i32"),
    "input cell": dict(sub="299 - %i"),
    "domain (a cell left unwritten)": dict(lo="1"),
    "index as data": dict(body="%x = arith.index_cast %i : index to i32\n"
                          "    %w = arith.muli %v, %x : i32"),
}


def _mlir(**kw: str) -> str:
    return ELEM.format(**(BASE | kw))


@pytest.mark.parametrize("kind", sorted(MUTANTS))
def test_every_mismatch_kind_is_refuted(kind: str) -> None:
    with ir.Context():
        a = ir.Module.parse(_mlir())
        b = ir.Module.parse(_mlir(**MUTANTS[kind]))
        res, scope = symbolic_l2(a, b, None, "k", "k", False, True, 0)
    assert isinstance(res, Refuted), (kind, res)
    assert res.counterexample is not None and res.counterexample.confirmed == "llvm"


def test_identical_elementwise_kernel_proved() -> None:
    with ir.Context():
        a = ir.Module.parse(_mlir())
        b = ir.Module.parse(_mlir())
        res, scope = symbolic_l2(a, b, None, "k", "k", False, True, 0)
    assert isinstance(res, Proved) and scope["tier"] == "symbolic"


# ----- what the tier does not cover: Unknown, then the concrete tier ------------------------

GATHER = """
func.func @k(%I: memref<4xindex>, %A: memref<4xi32>, %B: memref<4xi32>) {
  affine.for %i = 0 to 4 {
    %j = affine.load %I[%i] : memref<4xindex>
    %v = memref.load %A[%j] : memref<4xi32>
    affine.store %v, %B[%i] : memref<4xi32>
  }
  return
}
"""


def test_data_dependent_subscript_is_unknown_then_concrete() -> None:
    with ir.Context():
        a, b = ir.Module.parse(GATHER), ir.Module.parse(GATHER)
        res, _ = symbolic_l2(a, b, None, "k", "k", False, True, 0)
        r = check_equivalent_modules(a, b)
    assert isinstance(res, Unknown) and "not affine" in res.reason
    # the concrete tier ran (and answers for itself), recording why the symbolic one did not
    assert r.scope["tier"] == "exact" and "budget" in r.scope
    assert "not affine" in r.scope["symbolic"]


# ----- the examples ----------------------------------------------------------------------

def _example(name: str) -> Any:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"symbolic_example_{name}", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("example,schedule", [
    ("conv2d", "conv_tiled"), ("conv_reuse", "conv_schedule"), ("fir_fixed", "fir_schedule"),
    ("gemm", "gemm_schedule"), ("gemm_buffer", "gemm_schedule"),
    ("producer_consumer", "joined"), ("quantized_linear", "qlinear_schedule"),
    ("three_mm_dataflow", "s"), ("two_mm", "mm1_schedule"), ("two_mm", "mm2_schedule"),
    ("jacobi2d", "jacobi_2d_schedule"), ("two_mm", "top")])
def test_example_schedules_proved_symbolically(example: str, schedule: str) -> None:
    s = getattr(_example(example), schedule)
    res, scope = symbolic_l2(s.original, s.module, s.sig, s.sig.name, s.sig.name, False,
                             True, 0)
    assert isinstance(res, Proved) and scope["tier"] == "symbolic", res


def test_candidate_too_large_to_simulate_is_unknown_naming_it() -> None:
    """At 1024^3 both LLVM simulations are not run: the candidate is reported, unconfirmed."""
    from allo_verify.equiv.api import module_and_sig

    ma, sa = module_and_sig(K.gemm_ikj_init(1024))
    mb, _ = module_and_sig(K.gemm_acc_kswapped(1024))
    res, scope = symbolic_l2(ma, mb, sa, sa.name, sa.name, False, True, 0)
    assert isinstance(res, Unknown) and "not confirmed" in res.reason, res
    assert "too many" in res.reason and scope["candidate"]["output"] == "return[0]"
