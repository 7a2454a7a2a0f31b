"""Two matrix multiplies (PolyBench's 2mm shape, D = (A @ B) @ C) built from one GEMM template.

The template is scheduled once per use, on its own, where its loops are small and easy to
reason about; `compose` then replays each schedule onto one instance of the template inside
the top kernel (`gemm_mm1`, `gemm_mm2`), re-proving every step there. The certificate of
`two_mm` files each replayed obligation under its instance (`mm1: split(...)/...`).

    allo-verify verify examples/two_mm.py        # three designs: the two GEMM schedules, 2mm
    python examples/two_mm.py                    # runs 2mm against NumPy

On Python 3.12 and later the template may also be written `def gemm[T, M, N, K](...)`.
"""
# ruff: noqa: F821 - the template parameter T binds only when the template is instantiated

import sys

import numpy as np

import allo_verify as av
from allo_verify import grid, int32, reduction

M, K, N, P = 16, 12, 8, 16


@av.template("T", "M", "N", "K")
def gemm(A: "T[M, K]", B: "T[K, N]") -> "T[M, N]":
    C: T[M, N] = 0
    for i, j in grid(M, N):
        for k in reduction(K):
            C[i, j] += A[i, k] * B[k, j]
    return C


def two_mm(A: int32[M, K], B: int32[K, N], C: int32[N, P]) -> int32[M, P]:
    tmp = gemm[int32, M, N, K, "mm1"](A, B)
    D = gemm[int32, M, P, N, "mm2"](tmp, C)
    return D


# the first product: row blocks of 4, the block rows innermost, the reduction pipelined
mm1_schedule = av.customize(gemm, instantiate=[int32, M, N, K])
mm1_schedule.split("i", 4)
mm1_schedule.reorder("i.outer", "j", "k", "i.inner")
mm1_schedule.pipeline("k")

# the second product: column blocks of 4, unrolled, under a pipelined reduction
mm2_schedule = av.customize(gemm, instantiate=[int32, M, P, N])
mm2_schedule.split("j", 4)
mm2_schedule.reorder("j.outer", "k", "j.inner")
mm2_schedule.pipeline("k")
mm2_schedule.unroll("j.inner")

top = av.customize(two_mm)
top.compose(mm1_schedule, id="mm1")
top.compose(mm2_schedule, id="mm2")


def main() -> int:
    f = top.build()
    rng = np.random.default_rng(0)
    a = rng.integers(-100, 100, (M, K), dtype=np.int32)
    b = rng.integers(-100, 100, (K, N), dtype=np.int32)
    c = rng.integers(-100, 100, (N, P), dtype=np.int32)
    ok = bool(np.array_equal(f(a, b, c), (a @ b) @ c))
    print(f"2mm int32: ({M}x{K} @ {K}x{N}) @ {N}x{P}; {len(top.steps)} replayed steps; "
          f"matches NumPy: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
