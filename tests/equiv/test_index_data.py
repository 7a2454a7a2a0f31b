"""Index-typed data is data (issue 8): L2 never reads an index cell as a term id, a subscript
through index data is data-dependent (Unknown), and index arithmetic on data is 64-bit, as
in the LLVM simulation. Every "not proved" case is also shown different by L3 (LLVM)."""

from __future__ import annotations

from typing import Any

import numpy as np

from allo_verify import check_equivalent
from allo_verify.equiv.results import Proved, Refuted, Unknown
from allo_verify.lang.types import bool as bool_t
from allo_verify.lang.types import index, int32


def l2(a: Any, b: Any, layers: tuple[str, ...] = ("L2",)) -> Any:
    return check_equivalent(a, b, layers=layers)


def result(cert: Any, layer: str) -> Any:
    return next(e.result for e in cert.entries if e.layer == layer)


def assert_not_proved_and_llvm_differs(a: Any, b: Any) -> None:
    cert = l2(a, b, ("L2", "L3"))
    r2 = result(cert, "L2")
    assert isinstance(r2, Unknown) and "depend" in r2.reason, r2
    assert isinstance(result(cert, "L3"), Refuted)
    assert cert.status != "proved"


# ----- a subscript through index data ----------------------------------------------------

def gather_arg(A: index[4], B: int32[4]) -> int32[4]:
    C: int32[4] = 0
    for i in range(4):
        C[i] = B[A[i]]
    return C


def identity_arg(A: index[4], B: int32[4]) -> int32[4]:
    C: int32[4] = 0
    for i in range(4):
        C[i] = B[i]
    return C


def test_subscript_through_index_argument_array_is_not_proved() -> None:
    assert_not_proved_and_llvm_differs(gather_arg, identity_arg)


def gather_local(A: index[4], B: int32[4]) -> int32[4]:
    K: index[4] = 0
    for i in range(4):
        K[i] = A[3 - i]
    C: int32[4] = 0
    for i in range(4):
        C[i] = B[K[i]]
    return C


def reversed_b(A: index[4], B: int32[4]) -> int32[4]:
    C: int32[4] = 0
    for i in range(4):
        C[i] = B[3 - i]
    return C


def test_subscript_through_local_index_array_filled_from_data_is_not_proved() -> None:
    assert_not_proved_and_llvm_differs(gather_local, reversed_b)


def from_int_data(P: int32[4], B: int32[4]) -> int32[4]:
    C: int32[4] = 0
    for i in range(4):
        k: index = P[i]
        C[i] = B[k]
    return C


def identity_int(P: int32[4], B: int32[4]) -> int32[4]:
    C: int32[4] = 0
    for i in range(4):
        C[i] = B[i]
    return C


def test_subscript_through_index_scalar_computed_from_data_is_not_proved() -> None:
    assert_not_proved_and_llvm_differs(from_int_data, identity_int)


# ----- index data computed exactly -------------------------------------------------------

def sum_ab(A: index[4]) -> index:
    return A[0] + A[1]


def sum_ba(A: index[4]) -> index:
    return A[1] + A[0]


def diff_ab(A: index[4]) -> index:
    return A[0] - A[1]


def test_index_result_from_data_is_proved_or_refuted() -> None:
    assert isinstance(result(l2(sum_ab, sum_ba), "L2"), Proved)
    r = result(l2(sum_ab, diff_ab), "L2")
    assert isinstance(r, Refuted) and r.counterexample.confirmed == "llvm"


def roundtrip(A: index[4], B: int32[4]) -> int32[4]:
    K: index[4] = 0
    for i in range(4):
        K[i] = A[i]
    C: int32[4] = 0
    for i in range(4):
        C[i] = B[i] + K[i]
    return C


def direct(A: index[4], B: int32[4]) -> int32[4]:
    C: int32[4] = 0
    for i in range(4):
        C[i] = B[i] + A[i]
    return C


def test_index_cells_stored_and_reloaded_are_the_same_data() -> None:
    assert isinstance(result(l2(roundtrip, direct), "L2"), Proved)


def pick_if(A: index[4]) -> index:
    k: index = 0
    if A[1] > 0:
        k = A[0]
    else:
        k = A[2]
    return k


def pick_expr(A: index[4]) -> index:
    return A[0] if A[1] > 0 else A[2]


def pick_wrong(A: index[4]) -> index:
    return A[2] if A[1] > 0 else A[0]


def test_index_values_merged_on_a_data_condition() -> None:
    assert isinstance(result(l2(pick_if, pick_expr), "L2"), Proved)
    assert isinstance(result(l2(pick_if, pick_wrong), "L2"), Refuted)


def next_is_bigger(A: index[1]) -> bool_t:
    k: index = A[0] + 1
    return k > A[0]


def always(A: index[1]) -> bool_t:
    return True


def test_index_data_wraps_at_64_bits_like_llvm() -> None:
    """Unbounded integers would prove k + 1 > k; LLVM's 64-bit index wraps at 2**63 - 1."""
    r = result(l2(next_is_bigger, always), "L2")
    assert isinstance(r, Refuted) and r.counterexample.confirmed == "llvm", r
    assert r.counterexample.inputs["A"] == [2**63 - 1]


def test_l3_agrees_index_arrays_hold_values() -> None:
    """The LLVM simulation reads index arrays as values (the premise of the tests above)."""
    from allo_verify.codegen.llvm_runner import build_llvm
    from allo_verify.lang.kernel import build_kernel

    k = build_kernel(gather_arg)
    out = build_llvm(k.module, k.sig)(np.array([3, 2, 1, 0]), np.array([10, 20, 30, 40],
                                                                         dtype=np.int32))
    assert list(out) == [40, 30, 20, 10]
