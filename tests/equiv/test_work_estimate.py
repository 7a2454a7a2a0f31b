"""The concrete tier's budgets: the static work estimate equals the work the executor does
where trip counts are static, "too large" answers before anything runs, and the term
budget bounds memory. Proofs stay at the design's own sizes."""

import mlir.ir as ir
import pytest

import allo_verify as av
from allo_verify import grid, int32, reduction
from allo_verify.equiv.results import NotRun, Proved
from allo_verify.equiv.symexec import TooLarge, execute
from allo_verify.equiv.terms import TermStore
from allo_verify.equiv.tv import check_equivalent_modules
from allo_verify.equiv.work_estimate import estimate
from tests.equiv.kernels import split_by_hand, unsplit


def _gemm(n: int):  # noqa: ANN202 - a frontend kernel factory
    def gemm(A: int32[n, n], B: int32[n, n]) -> int32[n, n]:
        C: int32[n, n] = 0
        for i, j in grid(n, n):
            for k in reduction(n):
                C[i, j] += A[i, k] * B[k, j]
        return C
    return gemm


def _tiled(n: int, f: int):  # noqa: ANN202
    s = av.customize(_gemm(n))
    s.split("i", f)
    s.split("j", f)
    s.reorder("i.outer", "j.outer", "k", "i.inner", "j.inner")
    return s


@pytest.mark.parametrize("n,f", [(8, None), (16, 4), (12, 4), (9, None)])
def test_estimate_equals_executed_work_for_static_trip_counts(n: int, f: int | None) -> None:
    s = av.customize(_gemm(n)) if f is None else _tiled(n, f)
    m = s.module
    with m.context:
        for narrow in (False, True):
            e = estimate(m, "gemm")
            r = execute(m, TermStore(), "gemm", narrow=narrow)
            if not narrow:
                assert e.exact and e.ops == r.work


def test_guarded_split_estimate_is_marked_inexact_and_bounds_the_work() -> None:
    with ir.Context():
        m = ir.Module.parse(split_by_hand(10, 4))
        e = estimate(m, "k")
        r = execute(m, TermStore(), "k", narrow=False)
    assert not e.exact and e.ops >= r.work


def test_too_large_answers_before_running() -> None:
    s = av.customize(_gemm(64))
    store = TermStore()
    with s.module.context:
        e = estimate(s.module, "gemm")
        with pytest.raises(TooLarge, match=r"estimated \d+ ops > budget 1000 .*nothing was run"):
            execute(s.module, store, "gemm", budget=1000)
    assert len(store) == 0  # not a single input leaf was built
    assert e.exact and e.ops > 64 ** 3


def test_l2_not_run_at_once_for_a_kernel_far_past_the_budget() -> None:
    """GEMM 512^3 (about 800 million ops): the concrete tier's estimate answers without
    executing (the symbolic tier, which would prove it first, is switched off here)."""
    a, b = av.customize(_gemm(512)), _tiled(512, 8)
    r = check_equivalent_modules(a.module, b.module, a.kernel.sig, replay=False,
                                 symbolic=False)
    assert isinstance(r.result, NotRun) and "estimated" in r.result.reason
    assert "nothing was run" in r.result.reason and "work_a" not in r.scope


def test_memory_budget_bounds_terms() -> None:
    with ir.Context():
        m = ir.Module.parse(unsplit(50))
        store = TermStore()
        with pytest.raises(TooLarge, match="memory budget"):
            execute(m, store, "k", max_terms=120)  # 100 input leaves, then 1 term a trip
        assert 120 < len(store) <= 122  # stopped within one loop iteration of the bound
        r = execute(m, TermStore(), "k", max_terms=10_000)
        assert r.work > 0


def test_l2_proves_narrowed_gemm_at_the_design_sizes_only() -> None:
    a, b = av.customize(_gemm(16)), _tiled(16, 4)
    r = check_equivalent_modules(a.module, b.module, a.kernel.sig, replay=False,
                                 symbolic=False)
    assert isinstance(r.result, Proved) and r.scope["tier"] == "exact"
    assert r.scope["sizes"] == {"A": [16, 16], "B": [16, 16]}
    small = check_equivalent_modules(a.module, b.module, a.kernel.sig, replay=False,
                                     max_terms=100, symbolic=False)
    assert isinstance(small.result, NotRun) and "memory budget" in small.result.reason


def _polybench(name: str) -> object:
    import importlib
    import sys
    from pathlib import Path

    path = str(Path(__file__).resolve().parents[2] / "examples" / "polybench")
    sys.path.insert(0, path)
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(path)


@pytest.mark.parametrize("name", ["syrk", "syr2k", "trmm", "symm"])
def test_triangular_nests_estimated_exactly(name: str) -> None:
    """Bounds that follow an outer loop (triangles): Simpson's rule over that loop gives the
    executed work exactly (costs of degree <= 3), so "too large" answers at once at MEDIUM
    instead of after running up to the budget."""
    mod = _polybench(name)
    for m in (mod.schedule("MINI").original, mod.schedule("MINI").module):
        with m.context:
            e = estimate(m, name)
            r = execute(m, TermStore(), name, narrow=False)
        assert e.exact and e.ops == r.work, (name, e, r.work)
    s = mod.schedule("MEDIUM")
    r2 = check_equivalent_modules(s.original, s.module, s.kernel.sig, symbolic=False)
    assert isinstance(r2.result, NotRun) and "nothing was run" in r2.result.reason
