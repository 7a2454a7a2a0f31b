"""A hand-written dot product that sums two halves separately: equal to the reference only
modulo reassociation of the float sum."""

import allo_verify as av
from allo_verify import float32

K = 16


def dot(A: float32[K], B: float32[K]) -> float32:
    s: float32 = 0.0
    for k in range(K):
        s += A[k] * B[k]
    return s


def dot_halves(A: float32[K], B: float32[K]) -> float32:
    lo: float32 = 0.0
    hi: float32 = 0.0
    for k in range(K // 2):
        lo += A[k] * B[k]
        hi += A[k + K // 2] * B[k + K // 2]
    return lo + hi


halves = av.equivalence(dot, dot_halves)
