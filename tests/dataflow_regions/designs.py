# ruff: noqa: F821, B007 - streams are declared by annotation, as Allo writes them
"""Dataflow regions written the way Allo's docs write them (with `import allo_verify as
allo`), used by the tests of this folder."""

import allo_verify as allo
import allo_verify.dataflow as df
from allo_verify.ir.types import Stream, float32, int32

M, N = 4, 4


@df.region()
def pc_top(A: float32[M, N], B: float32[M, N]):
    pipe: Stream[float32, 4]

    @df.kernel(mapping=[1], args=[A])
    def producer(local_A: float32[M, N]):
        for i, j in allo.grid(M, N):
            out: float32 = local_A[i, j]
            pipe.put(out)

    @df.kernel(mapping=[1], args=[B])
    def consumer(local_B: float32[M, N]):
        for i, j in allo.grid(M, N):
            data = pipe.get()
            local_B[i, j] = data + 1.0


TM, TN, TK = 4, 4, 4
P0, P1 = 2, 2


@df.region()
def tiled_gemm(A: int32[TM, TK], B: int32[TK, TN], C: int32[TM, TN]):
    @df.kernel(mapping=[P0, P1], args=[A, B, C])
    def gemm(local_A: int32[TM, TK], local_B: int32[TK, TN], local_C: int32[TM, TN]):
        pi, pj = df.get_pid()
        for i in range(pi * (TM // P0), (pi + 1) * (TM // P0)):
            for j in range(pj * (TN // P1), (pj + 1) * (TN // P1)):
                acc: int32 = 0
                for k in range(TK):
                    acc += local_A[i, k] * local_B[k, j]
                local_C[i, j] = acc


SM, SN, SK = 2, 2, 3


@df.region()
def systolic(A: int32[SM, SK], B: int32[SK, SN], C: int32[SM, SN]):
    fifo_A: Stream[int32, 4][SM + 1, SN + 1]
    fifo_B: Stream[int32, 4][SM + 1, SN + 1]

    @df.kernel(mapping=[SM + 1, SN + 1], args=[A, B, C])
    def pe(local_A: int32[SM, SK], local_B: int32[SK, SN], local_C: int32[SM, SN]):
        i, j = df.get_pid()
        with allo.meta_if(i == 0 and j == 0):
            pass
        with allo.meta_elif(j == 0):
            for k in range(SK):
                fifo_A[i, j + 1].put(local_A[i - 1, k])
        with allo.meta_elif(i == 0):
            for k in range(SK):
                fifo_B[i + 1, j].put(local_B[k, j - 1])
        with allo.meta_else():
            c: int32 = 0
            for k in range(SK):
                a: int32 = fifo_A[i, j].get()
                b: int32 = fifo_B[i, j].get()
                c += a * b
                with allo.meta_if(j < SN):
                    fifo_A[i, j + 1].put(a)
                with allo.meta_if(i < SM):
                    fifo_B[i + 1, j].put(b)
            local_C[i - 1, j - 1] = c


L = 6


def reconvergent(depth: int):
    """The producer puts all of s1 then all of s2; the consumer alternates: deadlocks unless
    s1 holds every token (depth >= L)."""

    @df.region()
    def reconv(A: int32[L], B: int32[L]):
        s1: Stream[int32, depth]
        s2: Stream[int32, 2]

        @df.kernel(mapping=[1], args=[A])
        def prod(a: int32[L]):
            for i in range(L):
                s1.put(a[i])
            for i in range(L):
                s2.put(a[i] * 2)

        @df.kernel(mapping=[1], args=[B])
        def cons(b: int32[L]):
            for i in range(L):
                x: int32 = s1.get()
                y: int32 = s2.get()
                b[i] = x + y

    return reconv
