"""Corpus, streams: dataflow regions and FIFO channels between loop nests (`s.dataflow`,
`s.to(buffer, consumer, depth)`), each channel's order, counts and depth proved. Allo's
`@df.region` designs are in test_dataflow.py."""

import numpy as np

import allo_verify as allo
from allo_verify.ir.types import float32, int32

from .corpus_util import assert_proved, rng

N = 8


def test_producer_consumer_stream():
    def kernel(A: int32[N, N]) -> int32[N, N]:
        B: int32[N, N] = 0
        C: int32[N, N] = 0
        for i, j in allo.grid(N, N):
            B[i, j] = A[i, j] + 1
        for i1, j1 in allo.grid(N, N):
            C[i1, j1] = B[i1, j1] * 2
        return C

    s = allo.customize(kernel)
    s.dataflow("kernel")
    s.to("B", "i1", depth=1)
    s.pipeline("j")
    s.pipeline("j1")
    a = rng().integers(-8, 8, (N, N)).astype(np.int32)
    np.testing.assert_array_equal(s.build()(a), (a + 1) * 2)
    code = str(s.build(target="vhls"))
    assert "hls::stream" in code and "dataflow" in code
    assert_proved(s, csim=True)


def test_three_stage_pipeline():
    def kernel(A: float32[N]) -> float32[N]:
        B: float32[N] = 0.0
        C: float32[N] = 0.0
        D: float32[N] = 0.0
        for i in range(N):
            B[i] = A[i] * 2.0
        for i1 in range(N):
            C[i1] = B[i1] + 1.0
        for i2 in range(N):
            c: float32 = C[i2]  # a stream is read once per cell (README, Dataflow)
            D[i2] = c * c
        return D

    s = allo.customize(kernel)
    s.dataflow("kernel")
    s.to("B", "i1", depth=2)
    s.to("C", "i2", depth=2)
    a = rng().random(N).astype(np.float32)
    c = a * np.float32(2.0) + np.float32(1.0)
    np.testing.assert_array_equal(s.build()(a), c * c)
    assert_proved(s, csim=True)


def test_gemm_stream_into_relu():
    def kernel(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:
        C: int32[N, N] = 0
        D: int32[N, N] = 0
        for i, j in allo.grid(N, N):
            acc: int32 = 0
            for k in allo.reduction(N):
                acc += A[i, k] * B[k, j]
            C[i, j] = acc
        for i1, j1 in allo.grid(N, N):
            D[i1, j1] = max(C[i1, j1], 0)
        return D

    s = allo.customize(kernel)
    s.dataflow("kernel")
    s.to("C", "i1", depth=1)
    a = rng().integers(-8, 8, (N, N)).astype(np.int32)
    b = rng(1).integers(-8, 8, (N, N)).astype(np.int32)
    np.testing.assert_array_equal(s.build()(a, b), np.maximum(a @ b, 0))
    assert_proved(s)


def test_transposed_consumer_is_refused():
    def kernel(A: int32[N, N]) -> int32[N, N]:
        B: int32[N, N] = 0
        C: int32[N, N] = 0
        for i, j in allo.grid(N, N):
            B[i, j] = A[i, j] + 1
        for i1, j1 in allo.grid(N, N):
            C[i1, j1] = B[j1, i1]
        return C

    s = allo.customize(kernel)
    s.dataflow("kernel")
    try:
        s.to("B", "i1", depth=1)
    except allo.ScheduleError as e:
        assert "order" in str(e) or "refused" in str(e)
    else:
        raise AssertionError("a FIFO read in another order than written was accepted")
    a = rng().integers(-8, 8, (N, N)).astype(np.int32)
    np.testing.assert_array_equal(s.build()(a), (a + 1).T)
    assert_proved(s)
