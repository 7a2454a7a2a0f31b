"""Every PolyBench port matches its NumPy reference at MINI on the LLVM simulation: bit for
bit (float32 references perform the kernel's operations in its order; integers exactly)."""

from __future__ import annotations

import numpy as np
import pytest

import allo_verify as av
from allo_verify import float32

from .ports import SCHEDULED, load, port_names

POLYBENCH_30 = {"2mm", "3mm", "adi", "atax", "bicg", "cholesky", "correlation", "covariance",
                "deriche", "doitgen", "durbin", "fdtd-2d", "floyd-warshall", "gemm", "gemver",
                "gesummv", "gramschmidt", "heat-3d", "jacobi-1d", "jacobi-2d", "lu", "ludcmp",
                "mvt", "nussinov", "seidel-2d", "symm", "syr2k", "syrk", "trisolv", "trmm"}


def test_all_thirty_kernels_are_ported_at_three_sizes() -> None:
    mods = [load(n) for n in port_names()]
    assert {m.POLYBENCH for m in mods} == POLYBENCH_30
    for m in mods:
        assert tuple(m.SIZES) == ("MINI", "SMALL", "MEDIUM"), m.POLYBENCH
        assert float32 in m.TYPES or m.POLYBENCH == "nussinov", m.POLYBENCH
        assert m.TOLERANCE is None, f"{m.POLYBENCH}: every reference is exact so far"
    assert set(SCHEDULED) == {n for n in port_names() if hasattr(load(n), "schedule")}


@pytest.mark.parametrize("name", port_names())
def test_port_matches_numpy_at_mini(name: str) -> None:
    from common import mismatch, run_port

    mod = load(name)
    for dtype in mod.TYPES:
        got, expected = run_port(mod, "MINI", dtype, seed=1)
        assert mismatch(mod, got, expected) is None, f"{name} {dtype}"
        # a kernel that leaves its outputs untouched must not pass for a match
        inputs = mod.inputs("MINI", dtype, seed=1)
        assert any(not np.array_equal(a, e, equal_nan=True) for a, e in zip(inputs, expected,
                                                                            strict=True))


def test_the_comparison_rejects_a_reassociated_kernel() -> None:
    """Bit-for-bit means something: gemm with alpha applied after the product (the same
    value over the reals) differs from the reference in some cell."""
    from common import mismatch

    gemm = load("gemm")
    ni, nj, nk = gemm.SIZES["MINI"].values()

    def gemm_late_alpha(C: float32[ni, nj], A: float32[ni, nk], B: float32[nk, nj]):
        for i in range(ni):
            for j in range(nj):
                C[i, j] *= 1.2
            for k in range(nk):
                for j in range(nj):
                    C[i, j] += A[i, k] * (B[k, j] * 1.5)

    args = gemm.inputs("MINI", float32, seed=1)
    got = [a.copy() for a in args]
    av.customize(gemm_late_alpha).build()(*got)
    expected = [a.copy() for a in args]
    gemm.reference(*expected)
    why = mismatch(gemm, got, expected)
    assert why is not None and why.startswith("argument 0 differs at")


def test_the_comparison_reports_a_changed_cell() -> None:
    from common import mismatch

    trmm = load("trmm")
    a = [np.zeros((3, 3), np.float32), np.arange(6, dtype=np.int32)]
    b = [x.copy() for x in a]
    assert mismatch(trmm, a, b) is None
    b[1][4] += 1
    assert mismatch(trmm, a, b) == "argument 1 differs at (4,): kernel 4, reference 5"
    b[1][4] -= 1
    a[0][2, 1] = b[0][2, 1] = np.nan
    assert mismatch(trmm, a, b) is None  # NaN matches NaN, as in the verification layers
