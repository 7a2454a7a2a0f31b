"""Corpus, stateful: `x: T @ Stateful = init` variables kept across calls."""

import numpy as np

import allo_verify as allo
from allo_verify.ir.types import Stateful, int16, int32

from .corpus_util import assert_proved, rng

N = 8


def test_running_sum():
    def kernel(A: int32[N]) -> int32:
        acc: int32 @ Stateful = 0
        for i in range(N):
            acc += A[i]
        return acc

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(-10, 10, N).astype(np.int32)
    assert mod(a) == a.sum()
    assert mod(a) == 2 * a.sum()
    assert_proved(s, csim=True)


def test_call_counter():
    def kernel(x: int32) -> int32:
        count: int32 @ Stateful = 0
        count = count + 1
        return x * count

    s = allo.customize(kernel)
    mod = s.build()
    assert [mod(5), mod(5), mod(5)] == [5, 10, 15]
    assert_proved(s)


def test_fir_shift_register():
    def fir(x: int16) -> int16:
        taps: int16[4] @ Stateful = 0
        for k in range(3):
            taps[3 - k] = taps[2 - k]
        taps[0] = x
        y: int16 = 0
        for k in range(4):
            y += taps[k] * (k + 1)
        return y

    s = allo.customize(fir)
    mod = s.build()
    xs = [3, -1, 4, 1, -5, 9]
    hist = [0, 0, 0, 0]
    for x in xs:
        hist = [x] + hist[:3]
        assert mod(x) == sum(h * (k + 1) for k, h in enumerate(hist))
    assert_proved(s, csim=True)


def test_stateful_array_histogram():
    def kernel(A: int32[N]) -> int32[4]:
        hist: int32[4] @ Stateful = 0
        out: int32[4] = 0
        for i in range(N):
            hist[A[i] % 4] += 1
        for b in range(4):
            out[b] = hist[b]
        return out

    s = allo.customize(kernel)
    mod = s.build()
    a = rng().integers(0, 100, N).astype(np.int32)
    first = np.bincount(a % 4, minlength=4)
    np.testing.assert_array_equal(mod(a), first)
    np.testing.assert_array_equal(mod(a), 2 * first)
    # A genuine Unknown, not a bug: with no schedule step, only L2 can prove the design, and
    # L2 does not decide data-dependent subscripts (`hist[A[i] % 4]`; README Known limits).
    cert = s.verify(trials=4)
    assert cert.status == "unknown"
    [l2] = [e for e in cert.entries if e.layer == "L2"]
    assert "DataDependent" in l2.result.reason
    # a checked step on the affine copy loop is proved by L1, so the design is proved
    s.pipeline("b")
    np.testing.assert_array_equal(s.build()(a), first)
    assert_proved(s, csim=True)
