"""Linear-algebra kernels of the library, written in the kernel language as templates.

Each template is an ordinary kernel: `av.customize(matmul, instantiate=[...])` schedules and
verifies it like a user kernel, and a kernel calling `A @ B` or `av.matmul(A, B)` calls one
instance of it. Law: every template computes, cell for cell, what its NumPy reference in
`references.py` computes, with the products and sums done in the result type `TC` (each
operand converted to `TC` first, as Allo's `C: int32[M, N] = matmul(A, B)` on int8 does).
The default schedules only apply checked steps that keep each cell's sequence of updates
(no reduction is reassociated), so they are proved for floats as for integers.
"""
# ruff: noqa: F821 - template parameters bind only when a template is instantiated

from typing import Any

from allo_verify.lang.dsl import grid, reduction
from allo_verify.lang.templates import template


@template("TA", "TB", "TC", "M", "K", "N")
def matmul(A: "TA[M, K]", B: "TB[K, N]") -> "TC[M, N]":
    C: TC[M, N] = 0
    for i, j in grid(M, N):
        for k in reduction(K):
            C[i, j] += TC(A[i, k]) * TC(B[k, j])
    return C


def schedule_matmul(s: Any) -> Any:
    """Allo's GEMM order: the reduction outside the columns, so the column loop pipelines
    at II 1 (each C[i, j] still sees k = 0, 1, ... in order: no reassociation)."""
    s.reorder("i", "k", "j")
    s.pipeline("j")
    return s


def schedule_matmul_blocked(s: Any, tile: tuple[int, int] = (4, 16), kblock: int = 16,
                            kunroll: int = 4) -> Any:
    """A register-blocked GEMM order for the LLVM simulation (loops i, j, reduction k):
    i and j split by `tile`; with `kblock`, k split by it and k.outer outermost (a kblock
    x N block of B stays in cache while every C tile takes its updates from it); with
    `kunroll` > 1, k.inner split once more (LLVM unrolls that short loop). k.inner stays
    outside the C tile, so each C[i, j] still takes its updates in k order: no reduction is
    reassociated, and every step is a checked split or reorder."""
    ti, tj = tile
    s.split("i", ti)
    s.split("j", tj)
    if not kblock:
        s.reorder("i.outer", "j.outer", "k", "i.inner", "j.inner")
        return s
    s.split("k", kblock)
    ks = ["k.inner"]
    if kunroll > 1:
        s.split("k.inner", kunroll)
        ks = ["k.inner.outer", "k.inner.inner"]
    s.reorder("k.outer", "i.outer", "j.outer", *ks, "i.inner", "j.inner")
    return s


@template("TA", "TB", "TC", "B", "M", "K", "N")
def bmm(A: "TA[B, M, K]", X: "TB[B, K, N]") -> "TC[B, M, N]":
    C: TC[B, M, N] = 0
    for b, i, j in grid(B, M, N):
        for k in reduction(K):
            C[b, i, j] += TC(A[b, i, k]) * TC(X[b, k, j])
    return C


def schedule_bmm(s: Any) -> Any:
    """As `schedule_matmul`, per batch."""
    s.reorder("b", "i", "k", "j")
    s.pipeline("j")
    return s


@template("T", "M", "N")
def transpose(A: "T[M, N]") -> "T[N, M]":
    Z: T[N, M] = 0
    for i, j in grid(M, N):
        Z[j, i] = A[i, j]
    return Z


def schedule_transpose(s: Any) -> Any:
    s.pipeline("j")
    return s


@template("T", "M", "N", "K")
def linear2d(X: "T[M, K]", W: "T[N, K]", b: "T[N]") -> "T[M, N]":
    """`X @ W^T + b` (torch.nn.Linear): the bias is added after the whole dot product."""
    Z: T[M, N] = 0
    for i, j in grid(M, N):
        acc: T = 0
        for k in reduction(K):
            acc += X[i, k] * W[j, k]
        Z[i, j] = acc + b[j]
    return Z


def schedule_linear2d(s: Any) -> Any:
    """The dot product of each output cell pipelined (its running sum stays a scalar)."""
    s.pipeline("k")
    return s
