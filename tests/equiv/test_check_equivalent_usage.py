"""`check_equivalent` called directly checks its arguments as `Schedule.verify` does
(a `ScheduleUsageError` naming the argument, never a crash inside hypothesis or Z3), and
refuses kernels whose signatures differ with `SignatureMismatch` naming both kernels and
the first difference (the same words as `av.equivalence`)."""

from __future__ import annotations

from typing import Any

import pytest

import allo_verify as av
from allo_verify import float32, int8, int32
from allo_verify.design import SignatureMismatch
from allo_verify.errors import ScheduleUsageError


def ref(A: int32[6], b: int8) -> int32[6]:
    B: int32[6] = 0
    for i in range(6):
        B[i] = A[i] * b
    return B


def same(A: int32[6], c: int8) -> int32[6]:
    B: int32[6] = 0
    for i in range(6):
        B[i] = c * A[i]
    return B


def other_shape(A: int32[3, 2], b: int8) -> int32[6]:
    B: int32[6] = 0
    return B


def other_scalar(A: int32[6], b: int32) -> int32[6]:
    B: int32[6] = 0
    return B


def fewer_args(A: int32[6]) -> int32[6]:
    B: int32[6] = 0
    return B


def other_result(A: int32[6], b: int8) -> float32[6]:
    B: float32[6] = 0.0
    return B


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"trials": 0}, "trials"), ({"trials": -3}, "trials"), ({"trials": 2.0}, "trials"),
    ({"trials": True}, "trials"), ({"seed": -1}, "seed"), ({"seed": "7"}, "seed"),
    ({"layers": ("L2", "L4")}, "layers"), ({"layers": ()}, "layers"),
    ({"allow_reassoc": "yes"}, "allow_reassoc"), ({"rlimit": 0}, "rlimit"),
    ({"l2_budget": -5}, "l2_budget"), ({"tolerance": -1e-3}, "tolerance"),
    ({"tolerance": float("inf")}, "tolerance"), ({"tolerance": float("nan")}, "tolerance"),
    ({"tolerance": "0.1"}, "tolerance")])
def test_bad_arguments_are_usage_errors(kwargs: dict[str, Any], word: str) -> None:
    with pytest.raises(ScheduleUsageError, match=f"check_equivalent: {word}"):
        av.check_equivalent(ref, same, **kwargs)


def test_trials_zero_is_fine_without_l3() -> None:
    cert = av.check_equivalent(ref, same, layers=("L2",), trials=0)
    assert cert.status == "proved"


@pytest.mark.parametrize(("impl", "what"), [
    (other_shape, "argument 1"), (other_scalar, "argument 2"), (fewer_args, "takes 2"),
    (other_result, "result 1")])
def test_signature_mismatch_names_both_kernels(impl: Any, what: str) -> None:
    with pytest.raises(SignatureMismatch, match=what) as e:
        av.check_equivalent(ref, impl, layers=("L2",))
    assert "'ref'" in str(e.value) and f"'{impl.__name__}'" in str(e.value)
    assert isinstance(e.value, TypeError)  # callers catching TypeError keep working
    with pytest.raises(SignatureMismatch, match=what):  # the same rule as av.equivalence
        av.equivalence(ref, impl)


def test_verify_checks_tolerance_too() -> None:
    s = av.customize(ref)
    with pytest.raises(ScheduleUsageError, match="verify: tolerance"):
        s.verify(allow_reassoc=True, tolerance=-0.5)
