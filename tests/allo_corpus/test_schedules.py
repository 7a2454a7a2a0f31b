"""Corpus, schedules: loop primitives as Allo's schedule tests and tutorials apply them."""

import numpy as np

import allo_verify as allo
from allo_verify.ir.types import float32, int32

from .corpus_util import assert_proved, rng

N = 16


def gemm(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:
    C: int32[N, N] = 0
    for i, j in allo.grid(N, N):
        for k in allo.reduction(N):
            C[i, j] += A[i, k] * B[k, j]
    return C


def _ab() -> tuple[np.ndarray, np.ndarray]:
    return (rng().integers(-8, 8, (N, N)).astype(np.int32),
            rng(1).integers(-8, 8, (N, N)).astype(np.int32))


def test_split_reorder_pipeline_unroll():
    s = allo.customize(gemm)
    s.split("i", 8)
    s.split("j", 8)
    s.reorder("i.outer", "j.outer", "k", "i.inner", "j.inner")
    s.pipeline("k")
    s.unroll("j.inner")
    a, b = _ab()
    np.testing.assert_array_equal(s.build()(a, b), a @ b)
    assert_proved(s, csim=True)


def test_get_loops_handles():
    s = allo.customize(gemm)
    loops = s.get_loops()
    s.split(loops.S_i_j_0.i, 4)
    loops = s.get_loops()
    s.pipeline(loops.S_i_j_0["i.inner"])
    assert list(loops.S_i_j_0.loops) == ["i.outer", "i.inner", "j", "k"]
    a, b = _ab()
    np.testing.assert_array_equal(s.build()(a, b), a @ b)
    assert_proved(s)


def test_inline_loop_directives():
    def kernel(A: int32[N, N]) -> int32[N, N]:
        B: int32[N, N] = 0
        for i, j in allo.grid(N, N, name="add", pipeline=True):
            B[i, j] = A[i, j] + 1
        return B

    s = allo.customize(kernel)
    a, _ = _ab()
    np.testing.assert_array_equal(s.build()(a), a + 1)
    assert "pipeline" in str(s.build(target="vhls"))
    assert_proved(s)


def test_fuse_outer_loops():
    def kernel(A: int32[N, N]) -> int32[N, N]:
        B: int32[N, N] = 0
        for i, j in allo.grid(N, N):
            B[i, j] = A[i, j] * 3
        return B

    s = allo.customize(kernel)
    s.fuse("i", "j")
    s.pipeline("i_j_fused")
    a, _ = _ab()
    np.testing.assert_array_equal(s.build()(a), a * 3)
    assert_proved(s, csim=True)


def test_compute_at_producer_consumer():
    def kernel(A: int32[N, N]) -> int32[N, N]:
        B: int32[N, N] = 0
        C: int32[N, N] = 0
        for i, j in allo.grid(N, N, name="B"):
            B[i, j] = A[i, j] + 1
        for i, j in allo.grid(N, N, name="C"):
            C[i, j] = B[i, j] * 2
        return C

    s = allo.customize(kernel)
    s.compute_at("B.j", "C.j")
    a, _ = _ab()
    np.testing.assert_array_equal(s.build()(a), (a + 1) * 2)
    assert_proved(s)


def test_parallel_rows():
    def kernel(A: float32[N, N]) -> float32[N, N]:
        B: float32[N, N] = 0.0
        for i, j in allo.grid(N, N):
            B[i, j] = A[i, j] * A[i, j] + 1.0
        return B

    s = allo.customize(kernel)
    s.parallel("i")
    a = rng().random((N, N)).astype(np.float32)
    np.testing.assert_array_equal(s.build()(a), a * a + np.float32(1.0))
    assert_proved(s)


def test_multi_dim_reduction_conv():
    def conv(A: int32[N, N], W: int32[3, 3]) -> int32[N - 2, N - 2]:
        B: int32[N - 2, N - 2] = 0
        for y, x in allo.grid(N - 2, N - 2):
            v: int32 = 0
            for r, c in allo.reduction(3, 3):
                v += A[y + r, x + c] * W[r, c]
            B[y, x] = v
        return B

    s = allo.customize(conv)
    s.split("y", 2)
    s.pipeline("x")
    a = rng().integers(-8, 8, (N, N)).astype(np.int32)
    w = rng(1).integers(-3, 3, (3, 3)).astype(np.int32)
    want = np.array([[np.sum(a[y:y + 3, x:x + 3] * w) for x in range(N - 2)]
                     for y in range(N - 2)])
    np.testing.assert_array_equal(s.build()(a, w), want)
    assert_proved(s)


def test_unfold_into_processing_elements():
    def systolic(A: int32[4, 4], B: int32[4, 4]) -> int32[4, 4]:
        C: int32[4, 4] = 0
        for i, j in allo.grid(4, 4, name="PE"):
            for k in allo.reduction(4):
                C[i, j] += A[i, k] * B[k, j]
        return C

    s = allo.customize(systolic)
    s.unfold("PE", [0, 1])
    a = rng().integers(-8, 8, (4, 4)).astype(np.int32)
    b = rng(1).integers(-8, 8, (4, 4)).astype(np.int32)
    np.testing.assert_array_equal(s.build()(a, b), a @ b)
    assert_proved(s, csim=True)


def test_allo_verify_two_schedules():
    s1 = allo.customize(gemm)
    s1.split("j", 4)
    s2 = allo.customize(gemm)
    s2.reorder("j", "i")
    res = allo.verify(s1, s2)
    assert res and res.status == "proved"
    assert_proved(s2)


def test_tile_and_pipeline_stencil():
    def jacobi(A: float32[N, N]) -> float32[N, N]:
        B: float32[N, N] = 0.0
        for i, j in allo.grid(N - 2, N - 2):
            B[i + 1, j + 1] = (A[i, j + 1] + A[i + 1, j] + A[i + 1, j + 1]
                               + A[i + 1, j + 2] + A[i + 2, j + 1]) * 0.2
        return B

    s = allo.customize(jacobi)
    s.split("j", 7)
    s.pipeline("j.inner")
    a = rng().random((N, N)).astype(np.float32)
    want = np.zeros_like(a)
    want[1:-1, 1:-1] = (a[:-2, 1:-1] + a[1:-1, :-2] + a[1:-1, 1:-1] + a[1:-1, 2:]
                        + a[2:, 1:-1]) * np.float32(0.2)
    np.testing.assert_array_equal(s.build()(a), want)
    assert_proved(s)
