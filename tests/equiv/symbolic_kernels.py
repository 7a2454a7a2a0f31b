"""Kernel factories for the symbolic-tier tests and `bench/l2_scaling.py`: each takes the
size, so the same text is checked at n = 64 .. 1024."""

from __future__ import annotations

from typing import Any

import allo_verify as av
from allo_verify import float32, grid, int8, int16, int32, reduction


def gemm(n: int) -> Any:
    def gemm(A: int32[n, n], B: int32[n, n]) -> int32[n, n]:
        C: int32[n, n] = 0
        for i, j in grid(n, n):
            for k in reduction(n):
                C[i, j] += A[i, k] * B[k, j]
        return C
    return gemm


def gemm_tiled(n: int, t: int = 8) -> av.Schedule:
    """Allo's GEMM schedule: split i and j, reorder, pipeline k, unroll j.inner."""
    s = av.customize(gemm(n))
    s.split("i", t)
    s.split("j", t)
    s.reorder("i.outer", "j.outer", "k", "i.inner", "j.inner")
    s.pipeline("k")
    s.unroll("j.inner")
    return s


def gemm_split_k(n: int, t: int = 16) -> av.Schedule:
    """The reduction loop split (the chain of updates keeps its order) and k moved out."""
    s = av.customize(gemm(n))
    s.split("k", t)
    s.reorder("k.outer", "i", "j", "k.inner")
    return s


def gemm_ikj_init(n: int) -> Any:
    """Hand-written: a separate init nest, then loop order i, k, j."""
    def gemm(A: int32[n, n], B: int32[n, n]) -> int32[n, n]:
        C: int32[n, n] = 0
        for i in range(n):
            for j in range(n):
                C[i, j] = 0
        for i in range(n):
            for k in range(n):
                for j in range(n):
                    C[i, j] += A[i, k] * B[k, j]
        return C
    return gemm


def gemm_acc(n: int) -> Any:
    """Hand-written: loop order i, j, k with a scalar accumulator."""
    def gemm(A: int32[n, n], B: int32[n, n]) -> int32[n, n]:
        C: int32[n, n] = 0
        for i in range(n):
            for j in range(n):
                acc: int32 = 0
                for k in range(n):
                    acc += A[i, k] * B[k, j]
                C[i, j] = acc
        return C
    return gemm


def gemm_acc_kswapped(n: int) -> Any:
    """Hand-written: like `gemm_acc` but B read transposed (a different computation)."""
    def gemm(A: int32[n, n], B: int32[n, n]) -> int32[n, n]:
        C: int32[n, n] = 0
        for i in range(n):
            for j in range(n):
                acc: int32 = 0
                for k in range(n):
                    acc += A[i, k] * B[j, k]
                C[i, j] = acc
        return C
    return gemm


def dot_fwd(n: int) -> Any:
    def dot(A: float32[n], B: float32[n]) -> float32:
        s: float32 = 0.0
        for k in range(n):
            s += A[k] * B[k]
        return s
    return dot


def dot_rev(n: int) -> Any:
    """The same sum in reverse order: an unpermitted reassociation for floats."""
    def dot(A: float32[n], B: float32[n]) -> float32:
        s: float32 = 0.0
        for k in range(n):
            s += A[n - 1 - k] * B[n - 1 - k]
        return s
    return dot


def dot_halves(n: int) -> Any:
    """Split-k with two partial sums combined at the end."""
    def dot(A: float32[n], B: float32[n]) -> float32:
        lo: float32 = 0.0
        hi: float32 = 0.0
        for k in range(n // 2):
            lo += A[k] * B[k]
            hi += A[k + n // 2] * B[k + n // 2]
        return lo + hi
    return dot


def mac16(n: int) -> Any:
    """int8 products accumulated in int16."""
    def mac(A: int8[n, n], B: int8[n, n]) -> int16[n]:
        C: int16[n] = 0
        for i in range(n):
            acc: int16 = 0
            for k in range(n):
                acc += A[i, k] * B[i, k]
            C[i] = acc
        return C
    return mac


def mac8(n: int) -> Any:
    """The same, accumulated in int8 and widened at the end."""
    def mac(A: int8[n, n], B: int8[n, n]) -> int16[n]:
        C: int16[n] = 0
        for i in range(n):
            acc: int8 = 0
            for k in range(n):
                acc += A[i, k] * B[i, k]
            C[i] = acc
        return C
    return mac


def jacobi(n: int, steps: int) -> Any:
    """Time-stepped Jacobi: B from A, then A from B (two arrays ping-pong)."""
    def jacobi(A: float32[n, n], B: float32[n, n]):
        for t in range(steps):  # noqa: B007
            for i in range(1, n - 1):
                for j in range(1, n - 1):
                    B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j]
                                     + A[i - 1, j])
            for i in range(1, n - 1):
                for j in range(1, n - 1):
                    A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j]
                                     + B[i - 1, j])
    return jacobi


def jacobi_ji(n: int, steps: int) -> Any:
    """The same with the spatial loops interchanged (legal: each sweep reads the other
    array only)."""
    def jacobi(A: float32[n, n], B: float32[n, n]):
        for t in range(steps):  # noqa: B007
            for j in range(1, n - 1):
                for i in range(1, n - 1):
                    B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j]
                                     + A[i - 1, j])
            for j in range(1, n - 1):
                for i in range(1, n - 1):
                    A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j]
                                     + B[i - 1, j])
    return jacobi


def gauss_seidel(n: int, steps: int) -> Any:
    """The in-place update: the first sweep reads the cells it has already updated."""
    def jacobi(A: float32[n, n], B: float32[n, n]):
        for t in range(steps):  # noqa: B007
            for i in range(1, n - 1):
                for j in range(1, n - 1):
                    B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j]
                                     + A[i - 1, j])
            for i in range(1, n - 1):
                for j in range(1, n - 1):
                    A[i, j] = 0.2 * (B[i, j] + A[i, j - 1] + B[i, j + 1] + B[i + 1, j]
                                     + A[i - 1, j])
    return jacobi


def split_guard_mlir(n: int, f: int, slack: int = 0) -> str:
    """B[i] = A[i] * 3 by hand-split loops with the tail guard `i <= n - 1 - slack`
    (`slack=1`: the off-by-one guard that drops the last element)."""
    m = f"memref<{n}xi32>"
    return f"""
func.func @k(%A: {m}, %B: {m}) {{
  %c3 = arith.constant 3 : i32
  affine.for %o = 0 to {-(-n // f)} {{
    affine.for %ii = 0 to {f} {{
      affine.if affine_set<(d0, d1) : ({n - 1 - slack} - d0 * {f} - d1 >= 0)>(%o, %ii) {{
        %v = affine.load %A[%o * {f} + %ii] : {m}
        %w = arith.muli %v, %c3 : i32
        affine.store %w, %B[%o * {f} + %ii] : {m}
      }}
    }}
  }}
  return
}}
"""


def unsplit_mlir(n: int) -> str:
    m = f"memref<{n}xi32>"
    return f"""
func.func @k(%A: {m}, %B: {m}) {{
  %c3 = arith.constant 3 : i32
  affine.for %i = 0 to {n} {{
    %v = affine.load %A[%i] : {m}
    %w = arith.muli %v, %c3 : i32
    affine.store %w, %B[%i] : {m}
  }}
  return
}}
"""
