# ruff: noqa: F821, B007 - streams are declared by annotation, as Allo writes them
"""Corpus, dataflow regions: Allo's `@df.region()` with `@df.kernel(mapping=...)` kernels
connected by typed `Stream`s, run on the CPU (`df.build`), checked channel by channel
(`df.customize(...).verify()`: order, counts, depth) and C-simulated."""

import numpy as np

import allo_verify as allo
import allo_verify.dataflow as df
from allo_verify.ir.types import Stream, float32, int32

from .corpus_util import assert_proved, rng

M, N = 4, 8


@df.region()
def scale_add(A: int32[M, N], B: int32[M, N]):
    q: Stream[int32, 2]

    @df.kernel(mapping=[1], args=[A])
    def load(src: int32[M, N]):
        for i, j in allo.grid(M, N):
            q.put(src[i, j] * 3)

    @df.kernel(mapping=[1], args=[B])
    def store(dst: int32[M, N]):
        for i, j in allo.grid(M, N):
            v: int32 = q.get()
            dst[i, j] = v + 1


@df.region()
def three_stages(X: float32[N], Y: float32[N]):
    s1: Stream[float32, 2]
    s2: Stream[float32, 2]

    @df.kernel(mapping=[1], args=[X])
    def read(x: float32[N]):
        for i in range(N):
            s1.put(x[i])

    @df.kernel(mapping=[1])
    def square():
        for i in range(N):
            v: float32 = s1.get()
            s2.put(v * v)

    @df.kernel(mapping=[1], args=[Y])
    def write(y: float32[N]):
        for i in range(N):
            y[i] = s2.get() + 0.5


P = 2


@df.region()
def row_blocks(A: int32[M, N], B: int32[M, N]):
    @df.kernel(mapping=[P], args=[A, B])
    def pe(a: int32[M, N], b: int32[M, N]):
        pi = df.get_pid()
        for i in range(pi * (M // P), (pi + 1) * (M // P)):
            for j in range(N):
                b[i, j] = a[i, j] - j


def test_producer_consumer_region():
    a = rng().integers(-50, 50, (M, N)).astype(np.int32)
    b = np.zeros((M, N), np.int32)
    df.build(scale_add)(a, b)
    np.testing.assert_array_equal(b, a * 3 + 1)
    assert_proved(df.customize(scale_add), csim=True)


def test_three_stage_float_region():
    x = rng().random(N).astype(np.float32)
    y = np.zeros(N, np.float32)
    df.build(three_stages, target="simulator")(x, y)
    np.testing.assert_array_equal(y, x * x + np.float32(0.5))
    assert_proved(df.customize(three_stages), csim=True)


def test_mapping_two_processing_elements():
    a = rng().integers(-50, 50, (M, N)).astype(np.int32)
    b = np.zeros((M, N), np.int32)
    df.build(row_blocks)(a, b)
    np.testing.assert_array_equal(b, a - np.arange(N, dtype=np.int32))
    assert_proved(df.customize(row_blocks), csim=True)


K = 3


@df.region()
def add_chain(A: int32[N], B: int32[N]):
    link: Stream[int32, 2][K + 1]

    @df.kernel(mapping=[K + 1], args=[A, B])
    def stage(a: int32[N], b: int32[N]):
        k = df.get_pid()
        with allo.meta_if(k == 0):
            for i in range(N):
                link[1].put(a[i])
        with allo.meta_elif(k < K):
            for i in range(N):
                link[k + 1].put(link[k].get() + k)
        with allo.meta_else():
            for i in range(N):
                b[i] = link[k].get() * 2


def test_chain_of_stages_with_a_stream_array():
    a = rng().integers(-50, 50, N).astype(np.int32)
    b = np.zeros(N, np.int32)
    df.build(add_chain, target="simulator")(a, b)
    np.testing.assert_array_equal(b, (a + sum(range(1, K))) * 2)
    assert_proved(df.customize(add_chain), csim=True)
