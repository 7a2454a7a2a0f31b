"""The optimized LLVM simulation agrees with the unoptimized one bit for bit except for the
sign and payload of NaNs, which LLVM leaves unspecified (it may commute `fadd`, and x86
returns the first operand's NaN): results are compared with NaN == NaN everywhere."""

from __future__ import annotations

import numpy as np

from allo_verify import float32, grid, reduction
from allo_verify.codegen.llvm_runner import build_llvm
from allo_verify.equiv.api import module_and_sig

N = 8


def _gemm(A: float32[N, N], B: float32[N, N]) -> float32[N, N]:
    C: float32[N, N] = 0.0
    for i, j in grid(N, N):
        for k in reduction(N):
            C[i, j] += A[i, k] * B[k, j]
    return C


def test_nan_sign_may_differ_but_every_other_bit_agrees() -> None:
    m, sig = module_and_sig(_gemm)
    fast, slow = build_llvm(m, sig, 3, True), build_llvm(m, sig, 0, False)
    rng = np.random.default_rng(0)
    special = np.array([np.nan, -0.0, 0.0, 1e-45, -1e-45, 1e-38, np.inf, -np.inf, 3.4e38,
                        -3.4e38], dtype=np.float32)
    nan_bits_differ = False
    for _ in range(6):
        a = (rng.standard_normal((N, N)) * np.exp(rng.uniform(-90, 90, (N, N)))) \
            .astype(np.float32)
        b = rng.choice(special, (N, N)).astype(np.float32)
        rf, rs = fast(a.copy(), b.copy()), slow(a.copy(), b.copy())
        assert np.array_equal(np.isnan(rf), np.isnan(rs))
        ok = ~np.isnan(rf)
        assert np.array_equal(rf[ok].view(np.uint32), rs[ok].view(np.uint32))
        nan_bits_differ |= rf.tobytes() != rs.tobytes()
    # seen on x86 with LLVM 22: inf*0 (negative default NaN) + a propagated input NaN,
    # operands commuted by opt 3. If this stops happening the docstring may be tightened.
    assert nan_bits_differ
