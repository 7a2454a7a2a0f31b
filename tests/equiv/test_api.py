"""The public entry points on kernels written in the Python frontend."""

from __future__ import annotations

import json

from allo_verify.equiv import Certificate, check_equivalent, verify_modules
from allo_verify.lang.types import float32, int8, int16, int32

N = 6


def gemm_ijk(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:
    C: int32[N, N] = 0
    for i in range(N):
        for j in range(N):
            for k in range(N):
                C[i, j] += A[i, k] * B[k, j]
    return C


def gemm_ikj(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:
    C: int32[N, N] = 0
    for i in range(N):
        for k in range(N):
            for j in range(N):
                C[i, j] += A[i, k] * B[k, j]
    return C


def gemm_swapped(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:
    C: int32[N, N] = 0
    for i in range(N):
        for j in range(N):
            for k in range(N):
                C[i, j] += A[k, i] * B[k, j]
    return C


def fsum_seq(X: float32[4]) -> float32:
    return ((X[0] + X[1]) + X[2]) + X[3]


def fsum_pair(X: float32[4]) -> float32:
    return (X[0] + X[1]) + (X[2] + X[3])


def acc8(X: int8[4]) -> int16:
    s: int8 = 0
    for i in range(4):
        s += X[i]
    return s


def acc16(X: int8[4]) -> int16:
    s: int16 = 0
    for i in range(4):
        s += X[i]
    return s


def test_frontend_gemm_orders_proved_and_agree() -> None:
    cert = check_equivalent(gemm_ijk, gemm_ikj, trials=20, seed=3)
    assert cert.ok and cert.status == "proved" and cert.claim == "equivalent"
    layers = cert.layers()
    assert layers["L2"][0]["status"] == "proved" and layers["L3"][0]["status"] == "agreed"
    assert layers["L3"][0]["scope"]["trials"] == 20 and layers["L3"][0]["scope"]["seed"] == 3
    again = Certificate.from_json(cert.to_json())
    assert again.to_json(timings=False) == cert.to_json(timings=False)
    assert json.loads(cert.to_json())["status"] == "proved"


def test_frontend_refutations() -> None:
    cert = check_equivalent(gemm_ijk, gemm_swapped, trials=50)
    assert cert.status == "refuted" and not cert.ok
    l2 = cert.entries[0].result
    assert l2.status == "refuted" and l2.counterexample.confirmed == "llvm"  # type: ignore[union-attr]
    assert cert.entries[1].result.status == "refuted"
    cert = check_equivalent(acc8, acc16, trials=100)
    assert [e.result.status for e in cert.entries] == ["refuted", "refuted"]


def test_frontend_reassociation_only_when_allowed() -> None:
    cert = check_equivalent(fsum_seq, fsum_pair, layers=("L2",))
    assert cert.status == "refuted"
    cert = check_equivalent(fsum_seq, fsum_pair, layers=("L2",), allow_reassoc=True)
    assert cert.ok and cert.claim == "equivalent modulo reassociation"


def test_verify_modules_with_budgets() -> None:
    from allo_verify.lang.kernel import build_kernel

    k = build_kernel(gemm_ijk)
    cert = verify_modules(k.module, k.module, k.sig, layers=("L2", "L3"), l2_budget=100,
                          l3_cell_budget=10, schedule_log=[{"step": "none"}])
    # the L2 budget bounds the concrete tier only: the symbolic tier (size-independent)
    # proves this affine kernel first; L3 past its cell budget still runs the minimum
    # number of trials at the design's sizes
    assert [e.result.status for e in cert.entries] == ["proved", "agreed"]
    assert cert.entries[0].scope["tier"] == "symbolic"
    assert cert.entries[1].result.trials == 3 and cert.entries[1].scope["trials_allowed"] == 3
    assert cert.status == "proved" and cert.original_hash == cert.final_hash


def test_certificate_is_deterministic_except_timings() -> None:
    import mlir.ir as ir

    from allo_verify.lang.signature import Arg, Signature
    from tests.equiv.test_tv import SHIFT_A, SHIFT_B

    sig = Signature("k", (Arg("A", int32[6]), Arg("B", int32[6])), ())
    texts = []
    for _ in range(2):
        with ir.Context():
            a, b = ir.Module.parse(SHIFT_A), ir.Module.parse(SHIFT_B)
            cert = verify_modules(a, b, sig, trials=20, seed=5)
        assert cert.ok and cert.entries[0].cost.queries >= 1
        texts.append(cert.to_json(timings=False))
    assert texts[0] == texts[1]
