"""The symbolic tier on outputs one design writes only partly (a buffered row copied back
whole, PolyBench's triangular syrk/syr2k) and on value-yielding `scf.if` (correlation's
`1.0 if s <= eps else s`): proofs where the designs compute the same, confirmed refutations
where a mutant of the same shape does not; never Proved for a mutant."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

from allo_verify import float32, int32, sqrt
from allo_verify.equiv.api import module_and_sig
from allo_verify.equiv.results import Proved, Refuted, Unknown
from allo_verify.equiv.symbolic_tier import symbolic_l2

POLY = Path(__file__).resolve().parents[2] / "examples" / "polybench"


def sym(a: Any, b: Any) -> tuple[Any, dict[str, Any]]:
    ma, sa = module_and_sig(a)
    mb, sb = module_and_sig(b)
    return symbolic_l2(ma, mb, sa, sa.name, sb.name, False, True, 0)


def assert_refuted(res: Any) -> None:
    assert isinstance(res, Refuted), res
    cex = res.counterexample
    assert cex is not None and cex.confirmed == "llvm" and cex.value_a != cex.value_b, cex


N = 48


def tri(C: int32[N, N], A: int32[N, N]):
    for i in range(N):
        for j in range(i + 1):
            C[i, j] *= 3
        for k in range(N):
            for j in range(i + 1):
                C[i, j] += A[i, k] * A[j, k]


def tri_row_buffer(C: int32[N, N], A: int32[N, N]):
    """The whole row in a buffer, updated on the triangle, copied back whole."""
    for i in range(N):
        row: int32[N] = 0
        for j in range(N):
            row[j] = C[i, j]
        for j in range(i + 1):
            row[j] *= 3
        for k in range(N):
            for j in range(i + 1):
                row[j] += A[i, k] * A[j, k]
        for j in range(N):
            C[i, j] = row[j]


def tri_row_buffer_one_too_far(C: int32[N, N], A: int32[N, N]):
    """Mutant: the scaling also touches the cells right of the diagonal."""
    for i in range(N):
        row: int32[N] = 0
        for j in range(N):
            row[j] = C[i, j]
        for j in range(N):
            row[j] *= 3
        for k in range(N):
            for j in range(i + 1):
                row[j] += A[i, k] * A[j, k]
        for j in range(N):
            C[i, j] = row[j]


def tri_row_buffer_shifted_back(C: int32[N, N], A: int32[N, N]):
    """Mutant: the copy back writes the untouched cells from the wrong column."""
    for i in range(N):
        row: int32[N] = 0
        for j in range(N):
            row[j] = C[i, j]
        for j in range(i + 1):
            row[j] *= 3
        for k in range(N):
            for j in range(i + 1):
                row[j] += A[i, k] * A[j, k]
        for j in range(i + 1):
            C[i, j] = row[j]
        for j in range(i + 1, N):
            C[i, j] = row[j - 1]


def test_row_buffer_copied_back_whole_is_proved() -> None:
    res, scope = sym(tri, tri_row_buffer)
    assert isinstance(res, Proved) and scope["tier"] == "symbolic", res


def test_row_buffer_writing_past_the_triangle_is_refuted() -> None:
    res, _ = sym(tri, tri_row_buffer_one_too_far)
    assert_refuted(res)


def test_row_buffer_copying_back_the_wrong_cell_is_refuted() -> None:
    res, _ = sym(tri, tri_row_buffer_shifted_back)
    assert_refuted(res)
    res, _ = sym(tri_row_buffer_shifted_back, tri)  # the sides swapped
    assert_refuted(res)


M = 40


def clamp_sqrt(x: float32[M], y: float32[M]):
    for j in range(M):
        y[j] = sqrt(x[j])
        y[j] = 1.0 if y[j] <= 0.1 else y[j]


def clamp_sqrt_split(x: float32[M], y: float32[M]):
    for j in range(M):
        y[j] = sqrt(x[j])
    for j in range(M):
        y[j] = 1.0 if y[j] <= 0.1 else y[j]


def clamp_sqrt_swapped(x: float32[M], y: float32[M]):
    """Mutant: the branches swapped."""
    for j in range(M):
        y[j] = sqrt(x[j])
        y[j] = y[j] if y[j] <= 0.1 else 1.0


def clamp_sqrt_other_cell(x: float32[M], y: float32[M]):
    """Mutant: the else branch reads the input instead of the root."""
    for j in range(M):
        y[j] = sqrt(x[j])
        y[j] = 1.0 if y[j] <= 0.1 else x[j]


def test_value_if_proved() -> None:
    res, _ = sym(clamp_sqrt, clamp_sqrt_split)
    assert isinstance(res, Proved), res


@pytest.mark.parametrize("bad", [clamp_sqrt_swapped, clamp_sqrt_other_cell])
def test_value_if_mutants_refuted(bad: Any) -> None:
    res, _ = sym(clamp_sqrt, bad)
    assert_refuted(res)


@pytest.mark.parametrize("name", ["syrk", "syr2k", "correlation"])
def test_polybench_design_proved_at_medium(name: str) -> None:
    sys.path.insert(0, str(POLY))
    try:
        mod = importlib.import_module(name)
    finally:
        sys.path.remove(str(POLY))
    s = mod.schedule("MEDIUM")
    sig = s.kernel.sig
    res, scope = symbolic_l2(s.original, s.module, sig, sig.name, sig.name, False, True, 0)
    assert isinstance(res, Proved) and scope["tier"] == "symbolic", res
    assert not isinstance(res, Unknown)
