"""A schedule step naming a loop that does not exist."""

import allo_verify as av
from allo_verify import int32


def k(A: int32[4]):
    for i in range(4):
        A[i] = A[i] + 1


s = av.customize(k)
s.split("q", 2)
