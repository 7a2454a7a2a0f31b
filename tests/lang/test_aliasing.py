"""Kernels assume distinct arrays: aliasing and writes to constants are refused up front."""

from __future__ import annotations

import numpy as np
import pytest

import allo_verify as av
from allo_verify import grid, int32

N = 4
TABLE = np.arange(N, dtype=np.int32)


def transpose_into(X: int32[N, N], Y: int32[N, N]):
    for i, j in grid(N, N):
        Y[i, j] = X[j, i] + 1


def same_array_twice(A: int32[N, N]):
    transpose_into(A, A)


def identity(X: int32[N, N]) -> int32[N, N]:
    return X


def uses_identity(A: int32[N, N]) -> int32[N, N]:
    B = identity(A)
    return B


def writes_constant(A: int32[N]):
    TABLE[0] = A[0]


def write_one(X: int32[N]):
    X[0] = 1


def passes_constant_to_writer(A: int32[N]):
    write_one(TABLE)


def distinct(A: int32[N, N], B: int32[N, N]):
    transpose_into(A, B)


@pytest.mark.parametrize(("kernel", "text"), [
    (same_array_twice, "passed twice"),
    (uses_identity, "returns its argument array 'X'"),
    (writes_constant, "is a constant"),
    (passes_constant_to_writer, "is a constant"),
])
def test_aliasing_and_constant_writes_are_refused(kernel, text: str) -> None:  # noqa: ANN001
    with pytest.raises(av.FrontendError, match=text):
        av.customize(kernel)


def test_runner_refuses_arrays_sharing_memory() -> None:
    f = av.customize(distinct).build()
    a = np.zeros((N, N), dtype=np.int32)
    with pytest.raises(ValueError, match="share memory"):
        f(a, a)
    b = np.zeros((N, N), dtype=np.int32)
    f(a, b)
    np.testing.assert_array_equal(b, np.ones((N, N), dtype=np.int32))
