"""A split loop over a floor division and a remainder: what a C++ emitter gets wrong when
it uses C's truncating `/` (the CLI's C simulation tests break the emitter that way)."""

import allo_verify as av
from allo_verify import int32

N = 8


def fdiv(A: int32[N], B: int32[N]) -> int32[N]:
    C: int32[N] = 0
    for i in range(N):
        C[i] = A[i] // B[i] + A[i] % 3
    return C


split_div = av.customize(fdiv)
split_div.split("i", 4)
