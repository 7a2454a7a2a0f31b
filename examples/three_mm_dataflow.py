"""3mm as a dataflow design: G = (A @ B) @ (C @ D) in three stages that run concurrently,
with the first product streamed into the third stage through a FIFO.

    stage i  : E = A @ B, each E[i, j] written once, row by row
    stage i1 : F = C @ D (a plain buffer: the third stage reads each F[k, j] P times)
    stage i2 : G += E[i, k] * F[k, :], reading each E[i, k] once, row by row

`to(E, "i2")` is proved: the producer writes E in the order the consumer reads it, each
cell once, and depth 1 cannot deadlock (E is the only path from stage i to stage i2).

    allo-verify verify examples/three_mm_dataflow.py
"""

import allo_verify as av
from allo_verify import grid, int32

P, Q, R, S, T = 8, 6, 8, 6, 8


def mm3(A: int32[P, Q], B: int32[Q, R], C: int32[R, S], D: int32[S, T]) -> int32[P, T]:
    E: int32[P, R] = 0
    F: int32[R, T] = 0
    G: int32[P, T] = 0
    for i, j in grid(P, R):
        acc: int32 = 0
        for k in range(Q):
            acc += A[i, k] * B[k, j]
        E[i, j] = acc
    for i1, j1 in grid(R, T):
        acc1: int32 = 0
        for k1 in range(S):
            acc1 += C[i1, k1] * D[k1, j1]
        F[i1, j1] = acc1
    for i2, k2 in grid(P, R):
        e: int32 = E[i2, k2]
        for j2 in range(T):
            G[i2, j2] += e * F[k2, j2]
    return G


s = av.customize(mm3)
s.dataflow("mm3")
s.to("E", "i2", depth=1)
s.pipeline("j2")
