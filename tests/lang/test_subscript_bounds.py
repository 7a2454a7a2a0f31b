"""Affine subscripts whose range leaves the array are refused at build time, with the line;
subscripts under a condition are left to the condition (and to L2's bounds check)."""

from __future__ import annotations

import numpy as np
import pytest

import allo_verify as av
from allo_verify import int32


def past_the_end(A: int32[4]):
    for i in range(5):
        A[i] = 0


def shifted_read(A: int32[4], B: int32[4]):
    for i in range(4):
        B[i] = A[i - 1]


def guarded_read(A: int32[4], B: int32[4]):
    for i in range(4):
        if i > 0:
            B[i] = A[i - 1]


def triangular(A: int32[4, 4]):
    for i in range(4):
        for j in range(i + 1, 4):
            A[i, j] = A[j - 1, i]


@pytest.mark.parametrize(("kernel", "text"), [(past_the_end, "ranges over [0, 4]"),
                                              (shifted_read, "ranges over [-1, 2]")])
def test_out_of_range_subscript_is_refused(kernel, text: str) -> None:  # noqa: ANN001
    with pytest.raises(av.FrontendError) as info:
        av.customize(kernel)
    assert text in str(info.value)
    assert info.value.lineno == kernel.__code__.co_firstlineno + 2


def test_guarded_and_triangular_subscripts_are_accepted() -> None:
    f = av.customize(guarded_read).build()
    a, b = np.arange(4, dtype=np.int32), np.zeros(4, dtype=np.int32)
    f(a, b)
    np.testing.assert_array_equal(b, [0, 0, 1, 2])
    av.customize(triangular)
