"""Two equivalent kernels whose loops depend on data: the proof is out of reach (unknown)."""

import allo_verify as av
from allo_verify import int32


def count_a(x: int32) -> int32:
    n: int32 = 0
    while n * n < x:
        n += 1
    return n


def count_b(x: int32) -> int32:
    n: int32 = 0
    while n * n < x:
        n = n + 1
    return n


isqrt = av.equivalence(count_a, count_b)
