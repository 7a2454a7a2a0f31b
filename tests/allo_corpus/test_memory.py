"""Corpus, memory: Memory annotations, partition, reuse_at, buffer_at and reshape."""

import numpy as np

import allo_verify as allo
from allo_verify.ir.types import Memory, float32, int32

from .corpus_util import assert_proved, rng

N = 8


def gemm(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:
    C: int32[N, N] = 0
    for i, j in allo.grid(N, N):
        for k in allo.reduction(N):
            C[i, j] += A[i, k] * B[k, j]
    return C


def _ab() -> tuple[np.ndarray, np.ndarray]:
    return (rng().integers(-8, 8, (N, N)).astype(np.int32),
            rng(1).integers(-8, 8, (N, N)).astype(np.int32))


def test_memory_annotation_bind_storage():
    def kernel(A: int32[N, N] @ Memory(resource="URAM", storage_type="RAM_2P"),
               B: int32[N, N]) -> int32[N, N]:
        C: int32[N, N] @ Memory(resource="BRAM") = 0
        for i, j in allo.grid(N, N):
            C[i, j] = A[i, j] + B[i, j]
        return C

    s = allo.customize(kernel)
    a, b = _ab()
    np.testing.assert_array_equal(s.build()(a, b), a + b)
    assert "bind_storage" in str(s.build(target="vhls"))
    assert_proved(s, csim=True)


def test_partition_complete_block_cyclic():
    s = allo.customize(gemm)
    s.partition(s.A, partition_type=allo.Partition.Block, dim=1, factor=2)
    s.partition(s.B, partition_type=allo.Partition.Cyclic, dim=2, factor=4)
    s.partition(s.C, partition_type=allo.Partition.Complete, dim=2)
    s.pipeline("j")
    a, b = _ab()
    np.testing.assert_array_equal(s.build()(a, b), a @ b)
    assert "array_partition" in str(s.build(target="vhls"))
    assert_proved(s, csim=True)


def test_reuse_at_line_and_window_buffer():
    def conv3x3(A: int32[N, N], F: int32[3, 3]) -> int32[N - 2, N - 2]:
        B: int32[N - 2, N - 2] = 0
        for y, x in allo.grid(N - 2, N - 2):
            v: int32 = 0
            for r, c in allo.reduction(3, 3):
                v += A[y + r, x + c] * F[r, c]
            B[y, x] = v
        return B

    s = allo.customize(conv3x3)
    lb = s.reuse_at(s.A, "y")
    wb = s.reuse_at(lb, "x")
    s.partition(lb, allo.Partition.Complete, dim=1)
    s.partition(wb)
    s.pipeline("x")
    a = rng().integers(-8, 8, (N, N)).astype(np.int32)
    f = rng(1).integers(-3, 3, (3, 3)).astype(np.int32)
    want = np.array([[np.sum(a[y:y + 3, x:x + 3] * f) for x in range(N - 2)]
                     for y in range(N - 2)])
    np.testing.assert_array_equal(s.build()(a, f), want)
    assert_proved(s, csim=True)


def test_buffer_at_row_of_result():
    s = allo.customize(gemm)
    s.buffer_at(s.C, axis="i")
    a, b = _ab()
    np.testing.assert_array_equal(s.build()(a, b), a @ b)
    assert_proved(s)


def test_reshape_local_buffer():
    def kernel(A: float32[N, N]) -> float32[N]:
        T: float32[N, N] = 0.0
        out: float32[N] = 0.0
        for i, j in allo.grid(N, N):
            T[i, j] = A[i, j] * 2.0
        for i in range(N):
            for j in range(N):
                out[i] += T[i, j]
        return out

    s = allo.customize(kernel)
    s.reshape("T", (4, 16))
    a = rng().random((N, N)).astype(np.float32)
    want = np.zeros(N, dtype=np.float32)
    for j in range(N):  # the kernel's order of additions
        want += a[:, j] * np.float32(2.0)
    np.testing.assert_array_equal(s.build()(a), want)
    assert_proved(s)
