# ruff: noqa: F821 - streams are declared by annotation, as Allo writes them
"""A design file holding a df.region's schedule, for `allo-verify verify`."""

import allo_verify as allo
import allo_verify.dataflow as df
from allo_verify.ir.types import Stream, int32

N = 8


@df.region()
def scale(A: int32[N], B: int32[N]):
    q: Stream[int32, 2]

    @df.kernel(mapping=[1], args=[A])
    def load(a: int32[N]):
        for i in allo.grid(N):
            q.put(a[i] * 3)

    @df.kernel(mapping=[1], args=[B])
    def store(b: int32[N]):
        for i in allo.grid(N):
            b[i] = q.get() - 1


s = df.customize(scale)
s.partition("scale:A", dim=1, factor=2)
