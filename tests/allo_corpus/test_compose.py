"""Corpus, compose: sub-kernel schedules replayed into a top design (Allo's `s.compose`)."""

import numpy as np
import pytest

import allo_verify as allo
from allo_verify.ir.types import int32

from .corpus_util import assert_proved, rng

M = 8


@allo.template("T", "N")
def gemm(A: "T[N, N]", B: "T[N, N]") -> "T[N, N]":  # noqa: F821
    C: T[N, N] = 0  # noqa: F821
    for i, j in allo.grid(N, N):  # noqa: F821
        for k in allo.reduction(N):  # noqa: F821
            C[i, j] += A[i, k] * B[k, j]
    return C


def add(A: int32[M, M], B: int32[M, M]) -> int32[M, M]:
    C: int32[M, M] = 0
    for i, j in allo.grid(M, M):
        C[i, j] = A[i, j] + B[i, j]
    return C


def _mats(n: int) -> list[np.ndarray]:
    return [rng(k).integers(-5, 5, (M, M)).astype(np.int32) for k in range(n)]


def test_compose_one_sub_kernel():
    def top(A: int32[M, M], B: int32[M, M], C: int32[M, M]) -> int32[M, M]:
        D = gemm[int32, M](A, B)
        return add(D, C)

    sg = allo.customize(gemm, instantiate=[int32, M])
    sg.split("i", 4)
    sg.pipeline("k")
    sa = allo.customize(add)
    sa.pipeline("j")
    s = allo.customize(top)
    s.compose(sg)
    s.compose(sa)
    a, b, c = _mats(3)
    np.testing.assert_array_equal(s.build()(a, b, c), a @ b + c)
    assert_proved(s, csim=True)


def test_compose_two_named_instances():
    def two_mm(A: int32[M, M], B: int32[M, M], C: int32[M, M]) -> int32[M, M]:
        T = gemm[int32, M, "mm1"](A, B)
        return gemm[int32, M, "mm2"](T, C)

    s1 = allo.customize(gemm, instantiate=[int32, M])
    s1.split("i", 2)
    s1.reorder("i.outer", "j", "i.inner")
    s2 = allo.customize(gemm, instantiate=[int32, M])
    s2.pipeline("j")
    s = allo.customize(two_mm)
    s.compose(s1, id="mm1")
    s.compose(s2, id="mm2")
    a, b, c = _mats(3)
    np.testing.assert_array_equal(s.build()(a, b, c), a @ b @ c)
    assert_proved(s)


@pytest.mark.parametrize("axis", ["j", "top:j"], ids=["allo_spelling", "qualified"])
def test_compose_then_schedule_top(axis: str):
    # "j" is also add's loop: a plain name means the top kernel's, as in Allo
    def top(A: int32[M, M], B: int32[M, M]) -> int32[M, M]:
        C = add(A, B)
        D: int32[M, M] = 0
        for i, j in allo.grid(M, M):
            D[i, j] = C[i, j] * 2
        return D

    sa = allo.customize(add)
    sa.split("i", 2)
    s = allo.customize(top)
    s.compose(sa)
    s.pipeline(axis)
    a, b = _mats(2)
    np.testing.assert_array_equal(s.build()(a, b), (a + b) * 2)
    assert_proved(s)


def test_compose_with_instantiate():
    def top(A: int32[M, M], B: int32[M, M]) -> int32[M, M]:
        return gemm[int32, M](A, B)

    sg = allo.customize(gemm, instantiate=[int32, M])
    sg.unroll("k", factor=2)
    s = allo.customize(top)
    s.compose(sg, instantiate=[int32, M])
    a, b = _mats(2)
    np.testing.assert_array_equal(s.build()(a, b), a @ b)
    assert_proved(s, csim=True)
