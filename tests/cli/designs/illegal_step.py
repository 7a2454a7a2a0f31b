"""A schedule that asks for an illegal interchange of a Gauss-Seidel sweep."""

import allo_verify as av
from allo_verify import float32

T = 8


def seidel(A: float32[T, T]):
    for i in range(1, T - 1):
        for j in range(1, T - 1):
            A[i, j] = (A[i - 1, j - 1] + A[i - 1, j] + A[i - 1, j + 1] + A[i, j - 1] + A[i, j]
                       + A[i, j + 1] + A[i + 1, j - 1] + A[i + 1, j] + A[i + 1, j + 1]) / 9.0


sweep = av.customize(seidel)
sweep.reorder("j", "i")
