"""Sub-arrays by partial indexing and slices (`A[i]`, `A[0:4, :]`, `A[i, 2 * k:2 * k + 2]`).

The laws are those of `allo_verify.lang.subarrays`: an element of a view is a base cell
(chains apply to the view's free dimensions, `A[0:2][1]` is `A[1]` as in NumPy); a copy
between views reads the whole right-hand side first when both share an array; a view passed
to a kernel is copied in and, when the callee writes it, copied back, and a call where that
would differ from passing by reference (the base reaches the callee twice and one side is
written) is refused. Each is checked against NumPy, through a checked schedule (L1/L2/L3),
by C simulation, by mutants refuted by the equivalence check, and by FrontendErrors.
"""

import textwrap
from pathlib import Path

import numpy as np
import pytest

import allo_verify as allo
from allo_verify import int32
from allo_verify.errors import FrontendError

R, C = 4, 6


def add_one(x: int32[C]):
    for j in range(C):
        x[j] = x[j] + 1


def row_sum(x: int32[C]) -> int32:
    s: int32 = 0
    for j in range(C):
        s += x[j]
    return s


def pair_dot(x: int32[2, 2], y: int32[2]) -> int32:
    return x[0, 0] * y[0] + x[1, 1] * y[1]


def rows(A: int32[R, C]) -> int32[R]:  # noqa: N803
    B: int32[R] = 0
    for i in range(R):
        add_one(A[i])  # written by the callee: copied back into row i
        B[i] = row_sum(A[i]) + A[i][0] + A[0:2][1][C - 1]
    return B


def windows(A: int32[R, C], W: int32[2]) -> int32[2, 3]:  # noqa: N803
    D: int32[2, 3] = 0
    for r in range(2):
        for k in range(3):
            D[r, k] = pair_dot(A[2 * r:2 * r + 2, 2 * k:2 * k + 2], W)
    return D


def slices(A: int32[R, C]) -> int32[R, C]:  # noqa: N803
    B: int32[R, C] = 0
    B[0:2, :] = A[2:4, :]
    B[2:4] = A[0:2, ::1]
    B[3, 1:5:2] = 7  # a scalar fills the view
    row: int32[C] = A[1]  # a local copy of a row
    for j in range(C):
        B[1, j] += row[j] * 2
    A[1:4, :] = A[0:3, :]  # overlapping: NumPy's meaning (right side read first)
    B[2, :] = A[2]
    return B


def _rows_ref(a: np.ndarray) -> np.ndarray:
    a = a.copy()
    out = np.zeros(R, dtype=np.int32)
    for i in range(R):
        a[i] += 1
        out[i] = a[i].sum() + a[i][0] + a[0:2][1][C - 1]
    return out


def _slices_ref(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = a.copy()
    b = np.zeros((R, C), dtype=np.int32)
    b[0:2, :] = a[2:4, :]
    b[2:4] = a[0:2, ::1]
    b[3, 1:5:2] = 7
    b[1, :] += a[1] * 2
    a[1:4, :] = a[0:3, :]
    b[2, :] = a[2]
    return b, a


def _a() -> np.ndarray:
    return np.random.default_rng(3).integers(-100, 100, (R, C), dtype=np.int32)


def test_rows_passed_to_kernels_match_numpy_and_are_copied_back() -> None:
    a = _a()
    arg = a.copy()
    got = allo.customize(rows).build()(arg)
    np.testing.assert_array_equal(got, _rows_ref(a))
    np.testing.assert_array_equal(arg, a + 1)  # the callee's writes reached the caller's A


def test_two_dimensional_windows_with_loop_offsets_match_numpy() -> None:
    a, w = _a(), np.array([3, -2], dtype=np.int32)
    got = allo.customize(windows).build()(a, w)
    want = np.array([[a[2 * r, 2 * k] * 3 - 2 * a[2 * r + 1, 2 * k + 1] for k in range(3)]
                     for r in range(2)], dtype=np.int32)
    np.testing.assert_array_equal(got, want)


def test_slice_assignments_match_numpy_including_overlap() -> None:
    a = _a()
    arg = a.copy()
    got = allo.customize(slices).build()(arg)
    want_b, want_a = _slices_ref(a)
    np.testing.assert_array_equal(got, want_b)
    np.testing.assert_array_equal(arg, want_a)


@pytest.mark.parametrize("kernel", [rows, windows, slices])
def test_scheduled_kernels_with_sub_arrays_are_proved_and_csim_agrees(kernel) -> None:  # noqa: ANN001
    s = allo.customize(kernel)
    outer = s.all_loops()[0].name if kernel is slices else ("i" if kernel is rows else "r")
    if kernel is windows:
        s.split("windows:k", 2)
        s.pipeline("windows:k.inner")
    elif kernel is rows:
        s.pipeline(f"rows:{outer}")
    else:
        s.split(f"slices:{outer}", 2)
    cert = s.verify(trials=3, csim=True)
    status = {e.layer: e.result.status for e in cert.entries}
    assert cert.status == "proved", cert.to_dict()["status"]
    assert status["L1"] == "proved" and status["L2"] == "proved"
    assert status["L3"] == "agreed" and status["CSIM"] == "agreed"


def rows_by_hand(A: int32[R, C]) -> int32[R]:  # noqa: N803
    B: int32[R] = 0
    for i in range(R):
        for j in range(C):
            A[i, j] = A[i, j] + 1
        s: int32 = 0
        for j in range(C):
            s += A[i, j]
        B[i] = s + A[i, 0] + A[1, C - 1]
    return B


def rows_wrong_row(A: int32[R, C]) -> int32[R]:  # noqa: N803 - a mutant: the next row read
    B: int32[R] = 0
    for i in range(R):
        add_one(A[i])
        B[i] = row_sum(A[(i + 1) % R]) + A[i][0] + A[0:2][1][C - 1]
    return B


def slices_no_overlap_copy(A: int32[R, C]) -> int32[R, C]:  # noqa: N803 - a mutant
    B: int32[R, C] = 0
    B[0:2, :] = A[2:4, :]
    B[2:4] = A[0:2, ::1]
    B[3, 1:5:2] = 7
    row: int32[C] = A[1]
    for j in range(C):
        B[1, j] += row[j] * 2
    for i in range(3):  # copies row by row in place: later rows see earlier writes
        for j in range(C):
            A[i + 1, j] = A[i, j]
    B[2, :] = A[2]
    return B


def test_views_mean_what_the_hand_written_kernel_means_and_mutants_are_refuted() -> None:
    assert allo.check_equivalent(rows_by_hand, rows).status == "proved"
    bad = allo.check_equivalent(rows, rows_wrong_row)
    assert bad.status == "refuted"
    assert allo.check_equivalent(slices, slices_no_overlap_copy).status == "refuted"


BAD = [
    ("add_two(A[0], A[0:1, :][0])", "share one array"),
    ("add_two(A[0], A)", "arguments 'x' and 'y' of 'add_two' share one array"),
    ("add_two(A[1], A[1:3][0])", "'x' is written: the sub-array would alias"),
    ("add_two(A[k], A[2])", "'x' is written: the sub-array would alias"),
    ("r = A[0]", "cannot be bound to the name 'r'"),
    ("s = A[0] + 1", "sub-array 'A[0]' int32[6] is used where a scalar"),
    ("A[0:5, :] = 0", "outside dimension 0"),
    ("A[0, 1:7] = 0", "outside dimension 1"),
    ("A[k:k + 2, 0] = 0", "slice bounds must be integer constants or loop index"),
    ("for i in range(2): A[i:2 * i + 1, 0] = 0", "does not have a constant length"),
    ("A[0, ::-1] = 0", "slice step must be a positive integer"),
    ("A[0:2][2, 0] = 0", "subscript 2 is out of bounds for dimension 0"),
    ("A[0] += 1", "is a sub-array int32[6], not an element"),
    ("A[0:2, :] = A[0:3, :]", "shapes differ"),
    ("add_one(A[0:2, 0])", "must be int32[6], got the sub-array"),
    ("for i in range(4): A[0:2][i, 0] = 0", "ranges over [0, 3], outside dimension 0"),
    ("for i in range(3): A[1:3][i:i + 1, 0] = 0", "is not provably inside dimension 0"),
]


@pytest.mark.parametrize(("line", "msg"), BAD)
def test_bad_uses_of_sub_arrays_are_frontend_errors(line: str, msg: str,
                                                    tmp_path: Path) -> None:
    src = textwrap.dedent(f"""\
        from allo_verify import int32

        def add_two(x: int32[6], y: int32[6]):
            for j in range(6):
                x[j] = y[j] + 1

        def add_one(x: int32[6]):
            for j in range(6):
                x[j] = x[j] + 1

        def bad(A: int32[4, 6], k: int32):
            {line}
        """)
    path = tmp_path / "bad_subarray.py"
    path.write_text(src)
    ns: dict = {}
    exec(compile(src, str(path), "exec"), ns)  # noqa: S102 - the kernel file under test
    with pytest.raises(FrontendError) as e:
        allo.customize(ns["bad"])
    text = str(e.value)
    assert msg in text and f"{path}:12" in text, text


def ret_row(A: int32[4, 6]) -> int32[6]:  # noqa: N803
    return A[1]


def ret_slices(A: int32[4, 6], B: int32[4, 6]) -> (int32[2, 3], int32[4]):  # noqa: N803
    for i, j in allo.grid(4, 6):
        B[i, j] = A[i, j] + 1
    return B[1:3, 0:6:2], A[:, 5]


def test_returning_a_sub_array_returns_a_copy() -> None:
    """Allo writes `return A[1]` (its test_subview): the result is a fresh array holding the
    view's cells (the Copy law), proved equal in every layer and never aliasing the base.
    (This used to be refused; the refusal was stricter than Allo.)"""
    a = np.arange(24, dtype=np.int32).reshape(4, 6)
    s = allo.customize(ret_row)
    out = s.build()(a)
    np.testing.assert_array_equal(out, a[1])
    out[0] = -7
    assert a[1, 0] == 6
    s2 = allo.customize(ret_slices)
    b = np.zeros((4, 6), dtype=np.int32)
    r1, r2 = s2.build()(a, b)
    np.testing.assert_array_equal(r1, (a + 1)[1:3, 0:6:2])
    np.testing.assert_array_equal(r2, a[:, 5])
    assert s2.verify(trials=3, csim=True).status == "proved"


def read_only_twice(A: int32[R, C]) -> int32:  # noqa: N803
    t: int32 = 0
    for i in range(R - 1):
        t += pair_dot(A[i:i + 2, 0:2], A[i, 2:4])  # one base, two read-only views: allowed
    return t


def shift_rows(A: int32[R, C]):  # noqa: N803
    add_two(A[1], A[0])  # different constant rows: no shared cell, allowed
    add_two(A[3], A[1])


def add_two(x: int32[C], y: int32[C]):
    for j in range(C):
        x[j] = y[j] + 1


def test_disjoint_rows_may_be_written_through_two_views() -> None:
    a = _a()
    arg = a.copy()
    allo.customize(shift_rows).build()(arg)
    want = a.copy()
    want[1] = a[0] + 1
    want[3] = want[1] + 1
    np.testing.assert_array_equal(arg, want)
    assert allo.customize(shift_rows).verify(trials=3, csim=True).status == "proved"


def test_reads_of_one_array_through_two_views_are_allowed() -> None:
    a = _a()
    got = int(allo.customize(read_only_twice).build()(a))
    want = sum(int(a[i, 0]) * int(a[i, 2]) + int(a[i + 1, 1]) * int(a[i, 3])
               for i in range(R - 1))
    assert got == want


def dynamic_row(A: int32[R, C], k: int32) -> int32:  # noqa: N803
    add_one(A[k])
    return row_sum(A[k, :]) + A[1:3][k - 1][2]


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4, -1])
def test_data_dependent_rows_follow_the_outside_rule(k: int) -> None:
    """Inside the array the row is NumPy's; a data-dependent index outside a view (negative
    ones too: no wrap-around) reads 0 and writes nothing, like an outside subscript."""
    a = _a()
    arg = a.copy()
    got = int(allo.customize(dynamic_row).build()(arg, np.int32(k)))
    b = a.copy()
    if 0 <= k < R:
        b[k] += 1
    want = int(b[k].sum()) if 0 <= k < R else 0
    want += int(b[1:3][k - 1][2]) if 0 <= k - 1 < 2 else 0
    assert got == want
    np.testing.assert_array_equal(arg, b)


def test_data_dependent_rows_agree_in_llvm_and_csim() -> None:
    cert = allo.customize(dynamic_row).verify(trials=4, csim=True)
    status = {e.layer: e.result.status for e in cert.entries}
    assert status["L3"] == "agreed" and status["CSIM"] == "agreed"
    assert status["L2"] == "unknown"  # a data-dependent row is beyond the symbolic tier
