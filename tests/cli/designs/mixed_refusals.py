"""Four designs in one file: one refused by its checker (a carried dependence), one refused
because its obligation cannot be decided (data-dependent subscripts), one naming a loop that
does not exist, and one correct. Each gets its own verdict; the exit code is the worst."""

import allo_verify as av
from allo_verify import int32

N = 8


def prefix(A: int32[N]) -> int32[N]:
    B: int32[N] = 0
    B[0] = A[0]
    for i in range(1, N):
        B[i] = B[i - 1] + A[i]
    return B


def scatter(A: int32[N], P: int32[N]) -> int32[N]:
    B: int32[N] = 0
    for i in range(N):
        B[P[i]] = A[i]
    return B


def scale(A: int32[N, N]) -> int32[N, N]:
    B: int32[N, N] = 0
    for i, j in grid(N, N):
        B[i, j] = A[i, j] * 3
    return B


from allo_verify import grid  # noqa: E402 - used by `scale` when it is parsed

carried = av.customize(prefix)
carried.parallel("i")            # refuted: B[i] depends on B[i - 1]
carried.unroll("i")              # skipped: the schedule already holds a refusal

undecided = av.customize(scatter)
undecided.parallel("i")          # unknown: the written cell depends on data

misnamed = av.customize(scale)
misnamed.split("q", 2)           # no loop named q: a usage error (exit 3)

good = av.customize(scale)
good.split("i", 4)
good.pipeline("j")
