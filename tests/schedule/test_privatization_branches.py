"""A store in one branch of a data-dependent `if` never covers a load in another branch of
the same `if`: the two never run in the same iteration, so the load reads the value of an
earlier iteration (a carried scalar), whatever order their positions in the IR have.
`parallel` on such a loop was accepted and proved (with every layer selection) before;
each variant here must be refused, and the iteration order must really matter (the LLVM
simulation of the loop run backwards differs)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import allo_verify as av
from allo_verify import int32


def then_store_else_load(A: int32[8]) -> int32[8]:
    C: int32[8] = 0
    t: int32 = 0
    for i in range(8):
        if A[i] > 0:
            t = A[i]
        else:
            C[i] = t
    return C


def then_store_else_load_backwards(A: int32[8]) -> int32[8]:
    C: int32[8] = 0
    t: int32 = 0
    for i in range(7, -1, -1):
        if A[i] > 0:
            t = A[i]
        else:
            C[i] = t
    return C


def elif_load(A: int32[8]) -> int32[8]:
    C: int32[8] = 0
    t: int32 = 0
    for i in range(8):
        if A[i] > 5:
            t = A[i]
        elif A[i] < -5:
            C[i] = t + 1
        else:
            t = 0
    return C


def nested_branch_load(A: int32[4, 4]) -> int32[4, 4]:
    C: int32[4, 4] = 0
    t: int32 = 0
    for i in range(4):
        for j in range(4):
            if A[i, j] > 0:
                if A[i, j] > 3:
                    t = A[i, j]
                else:
                    C[i, j] = t
            else:
                t = -A[i, j]
    return C


def load_in_condition_of_other_branch(A: int32[8]) -> int32[8]:
    C: int32[8] = 0
    t: int32 = 0
    for i in range(8):
        if A[i] > 0:
            t = A[i]
        else:
            if t > 2:
                C[i] = 1
    return C


def both_branches_store_then_load(A: int32[8]) -> int32[8]:
    C: int32[8] = 0
    t: int32 = 0
    for i in range(8):
        if A[i] > 0:
            t = A[i]
        else:
            t = 1 - A[i]
        C[i] = t
    return C


@pytest.mark.parametrize(("kernel", "axis"), [
    (then_store_else_load, "i"), (elif_load, "i"), (nested_branch_load, "j"),
    (nested_branch_load, "i"), (load_in_condition_of_other_branch, "i")])
def test_store_in_another_branch_does_not_privatize(kernel: Callable, axis: str) -> None:
    s = av.customize(kernel)
    with pytest.raises(av.ScheduleError) as e:
        s.parallel(axis)
    assert not s.steps and "t" in str(e.value)
    s = av.customize(kernel)
    s.pipeline(axis)  # legal (order kept), but t is not listed as private
    assert "hls.private" not in str(s.module) or '"t"' not in str(s.module)


def test_the_iteration_order_really_matters() -> None:
    cert = av.check_equivalent(then_store_else_load, then_store_else_load_backwards,
                               layers=("L3",), trials=50)
    assert cert.status == "refuted"
    A = np.array([3, -1, 5, -2, -7, 4, -1, 0], np.int32)
    fwd = av.customize(then_store_else_load).build()(A)
    assert fwd.tolist() == [0, 3, 0, 5, 5, 0, 4, 4]


def test_a_store_in_each_branch_still_privatizes() -> None:
    s = av.customize(both_branches_store_then_load)
    s.parallel("i")
    assert all(c.result.status == "proved" for c in s.steps[-1].checks)
    assert s.verify(layers=("L1", "L2")).status == "proved"
