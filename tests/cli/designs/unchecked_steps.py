"""Steps accepted with unchecked=True: a loop step L2 can still vouch for, and a hardware
annotation nothing but L1 can vouch for."""

import allo_verify as av
from allo_verify import int32

N = 8


def gather(A: int32[N], P: int32[N]) -> int32[N]:
    B: int32[N] = 0
    C: int32[N] = 0
    for i in range(N):
        B[i] = A[i] + 1
    for j in range(N):
        C[j] = B[P[j] % N] * 2
    return C


def scatter(A: int32[N], P: int32[N]) -> int32[N]:
    B: int32[N] = 0
    for i in range(N):
        B[P[i]] = A[i]
    return B


split_gather = av.customize(gather)
split_gather.split("j", 4, unchecked=True)     # L1 unknown; L2 may still prove the kernel

parallel_scatter = av.customize(scatter)
parallel_scatter.parallel("i", unchecked=True)  # only L1 could vouch: never proved
