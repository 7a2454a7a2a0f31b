"""A hand-written implementation that differs from its reference (off by one at the end)."""

import allo_verify as av
from allo_verify import int32

N = 8


def ref(A: int32[N]) -> int32[N]:
    B: int32[N] = 0
    for i in range(N):
        B[i] = A[i] * 2
    return B


def impl(A: int32[N]) -> int32[N]:
    B: int32[N] = 0
    for i in range(N - 1):
        B[i] = A[i] + A[i]
    return B


doubled = av.equivalence(ref, impl)
