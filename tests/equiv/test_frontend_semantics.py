"""The symbolic executor agrees with the LLVM simulation on frontend kernels.

For each kernel, the L2 output terms are evaluated concretely on generated inputs and
compared bit for bit with the built kernel (libm functions are left out: the exact tier
treats them as uninterpreted, and NumPy's exp may differ from LLVM's in the last ulp)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from allo_verify.codegen.llvm_runner import build_llvm
from allo_verify.equiv import check_equivalent
from allo_verify.equiv.cosim import args_strategy
from allo_verify.equiv.counterexample import bits_of, same_bits, value_of
from allo_verify.equiv.symexec import Buffer, execute
from allo_verify.equiv.terms import TermStore
from allo_verify.lang.kernel import build_kernel
from allo_verify.lang.types import float32, float64, int4, int8, int16, int32, uint8, uint16

N = 6


def ranges(A: int32[N], O: int32[4, N]):
    for i in range(2, N):
        O[0, i] = A[i] * 2
    for i in range(1, N, 3):
        O[1, i] = A[i] + 100
    for i in range(N - 1, -1, -1):
        O[2, N - 1 - i] = A[i]
    for i in range(N):
        for j in range(i + 1, N):
            O[3, i] += A[j] - A[i]


def branches(A: int32[N], O: int32[N], P: int32[N]):
    for i in range(N):
        if A[i] < -10:
            O[i] = -2
        elif A[i] < 0:
            O[i] = -1
        else:
            O[i] = 1
        P[i] = A[i] if A[i] > 0 else -A[i] * 2


def narrow(A: int8[N], B: uint8[N], C: int4[N], O: int16[N], P: uint16[N]):
    for i in range(N):
        O[i] = A[i] * B[i] + C[i] // 3 - A[i] % 5
        P[i] = (B[i] << 3) | (B[i] >> 2) ^ (A[i] & 7)


def floats(X: float32[N], Y: float64[N]) -> float64[N]:
    Z: float64[N] = 0.0
    for i in range(N):
        s: float32 = X[i] * 2.0 + X[i] / 3.0
        if s > 1.0:
            Z[i] = Y[i] - s
        else:
            Z[i] = Y[i] * s
    return Z


def mixed(A: int32[N], X: float32[N]) -> int32:
    acc: int32 = 0
    for i in range(N):
        acc += int32(X[i]) + A[i] * i
    return acc


def gcd(a: int32, b: int32) -> int32:
    while b != 0:
        t: int32 = a % b
        a = b
        b = t
    return a


def outputs(store: TermStore, run: Any, res: Any, args: list[Any]) -> list[tuple[int, Any]]:
    outs = list(res) if isinstance(res, tuple) else ([] if res is None else [res])
    pairs: list[tuple[int, Any]] = []
    for j, r in enumerate(run.results):
        if isinstance(r, Buffer):
            pairs += [(t, outs[j][r.unflatten(c)]) for c, t in enumerate(r.cells)]
        else:
            pairs.append((r, outs[j]))
    for b, v in zip(run.args, args, strict=True):
        if isinstance(b, Buffer) and b.written:
            pairs += [(t, v[b.unflatten(c)]) for c, t in enumerate(b.cells)]
    return pairs


@pytest.mark.parametrize("fn", [ranges, branches, narrow, floats, mixed])
def test_terms_evaluate_like_llvm(fn: Any) -> None:
    k = build_kernel(fn)
    store = TermStore()
    names = [a.name for a in k.sig.args]
    with k.module.context:
        run = execute(k.module, store, k.sig.name, names)
    kern = build_llvm(k.module, k.sig)

    @settings(max_examples=25, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(args_strategy(k.sig))
    def agree(vals: tuple[Any, ...]) -> None:
        args = [np.array(v, copy=True) if isinstance(v, np.ndarray) else v for v in vals]
        res = kern(*args)
        env = {}
        for lf, (name, cell) in store.leaf_info.items():
            v = vals[names.index(name)] if name in names else 0
            env[lf] = bits_of(v[cell] if cell else v, store.ty[lf])
        pairs = outputs(store, run, res, args)
        got = store.evaluate([t for t, _ in pairs], env)
        for t, want in pairs:
            ty = store.ty[t]
            assert same_bits(got[t], bits_of(want, ty), ty), (store.show(t), value_of(got[t], ty),
                                                              want)
    agree()


def test_data_dependent_while_is_unknown_through_the_api() -> None:
    cert = check_equivalent(gcd, gcd, layers=("L2",))
    assert cert.status == "unknown" and "scf.while" in cert.entries[0].result.reason  # type: ignore[union-attr]
