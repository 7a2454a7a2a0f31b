"""Deliberately wrong kernels: the tests show the reference comparison rejects them."""
# ruff: noqa: F821

import allo_verify as av
from allo_verify import grid


@av.template("T", "M", "K", "N")
def matmul_skip_first(A: "T[M, K]", B: "T[K, N]") -> "T[M, N]":
    C: T[M, N] = 0
    for i, j in grid(M, N):
        for k in range(1, K):
            C[i, j] += A[i, k] * B[k, j]
    return C
