"""Multiple returns as Allo writes them: `def f(...) -> (int32[M], int32[M]): return B, C`,
`C, D = f(A)` at a call site, and tuples of scalars (`-> (int32, int32)`).

The law: a kernel with n declared results is a `func.func` with n results in order; the
LLVM simulation returns them as a Python tuple in the same order; a call binds them to the
names of the unpacking target left to right. L2/L3 and C simulation compare every result.
A count mismatch (declared vs returned, results vs names) is a `FrontendError` at its line.
"""

import textwrap
from pathlib import Path

import numpy as np
import pytest

import allo_verify as allo
from allo_verify import int8, int32
from allo_verify.errors import FrontendError

N = 4


def split_ops(A: int32[N]) -> (int32[N], int32[N]):  # noqa: N803
    B: int32[N] = 0
    C: int32[N] = 0
    for i in range(N):
        B[i] = A[i] + 1
        C[i] = A[i] * 2
    return B, C


def stats(A: int32[N]) -> (int32, int8):  # noqa: N803
    s: int32 = 0
    m: int32 = -100
    for i in range(N):
        s += A[i]
        m = max(m, A[i])
    return s, m


def mixed(A: int32[N]) -> (int32, int32[N]):  # noqa: N803
    D: int32[N] = 0
    t: int32 = 0
    for i in range(N):
        D[N - 1 - i] = A[i]
        t += A[i] * i
    return t, D


def top(A: int32[N]) -> (int32[N], int32):  # noqa: N803
    C, D = split_ops(A)
    s, m = stats(A)
    t, R = mixed(C)
    E: int32[N] = 0
    for i in range(N):
        E[i] = C[i] + D[i] * R[i] + s - m
    return E, t


def _top_ref(a: np.ndarray) -> tuple[np.ndarray, int]:
    c, d = a + 1, a * 2
    s, m = int(a.sum()), int(np.int8(max(-100, int(a.max()))))
    r = c[::-1]
    t = int((c * np.arange(N)).sum())
    return c + d * r + s - m, t


def test_tuples_of_arrays_and_scalars_match_numpy() -> None:
    a = np.array([3, -7, 12, 5], dtype=np.int32)
    b, c = allo.customize(split_ops).build()(a)
    np.testing.assert_array_equal(b, a + 1)
    np.testing.assert_array_equal(c, a * 2)
    assert tuple(int(x) for x in allo.customize(stats).build()(a)) == (13, 12)
    e, t = allo.customize(top).build()(a)
    want_e, want_t = _top_ref(a)
    np.testing.assert_array_equal(e, want_e)
    assert int(t) == want_t


def test_scheduled_caller_of_tuple_kernels_is_proved_and_csim_agrees() -> None:
    s = allo.customize(top)
    s.split("top:i", 2)
    s.pipeline("split_ops:i")
    cert = s.verify(trials=3, csim=True)
    status = {e.layer: e.result.status for e in cert.entries}
    assert cert.status == "proved"
    assert status == {"L1": "proved", "L2": "proved", "L3": "agreed", "CSIM": "agreed"}


def swapped(A: int32[N]) -> (int32[N], int32[N]):  # noqa: N803 - a mutant: results swapped
    B: int32[N] = 0
    C: int32[N] = 0
    for i in range(N):
        B[i] = A[i] + 1
        C[i] = A[i] * 2
    return C, B


def stats_swapped_order(A: int32[N]) -> (int32, int8):  # noqa: N803 - the same, other order
    m: int32 = -100
    s: int32 = 0
    for i in range(N):
        m = max(m, A[i])
        s += A[i]
    return s, m


def test_every_result_is_compared_and_a_swap_is_refuted() -> None:
    assert allo.check_equivalent(split_ops, swapped).status == "refuted"
    assert allo.check_equivalent(stats, stats_swapped_order).status == "proved"


@pytest.mark.parametrize(("body", "ann", "msg"), [
    ("return A, A", "(int32[4], int32[4])", "the same array is returned twice"),
    ("return A", "(int32[4], int32[4])", "declares 2 result(s) but returns 1"),
    ("return A, 1", "(int32[4], int32[4])", "returns a scalar where int32[4] is declared"),
    ("x = two(A)", "None", "cannot assign a tuple to 'x'"),
    ("x, y, z = two(A)", "None", "cannot unpack into 3 names"),
    ("x: int32 = two(A)", "None", "tuple"),
])
def test_bad_tuple_uses_are_frontend_errors(body: str, ann: str, msg: str,
                                           tmp_path: Path) -> None:
    src = textwrap.dedent(f"""\
        from allo_verify import int32

        def two(A: int32[4]) -> (int32, int32):
            return A[0], A[1]

        def bad(A: int32[4]) -> {ann}:
            {body}
        """)
    path = tmp_path / "bad_tuple.py"
    path.write_text(src)
    ns: dict = {}
    exec(compile(src, str(path), "exec"), ns)  # noqa: S102 - the kernel file under test
    with pytest.raises(FrontendError) as e:
        allo.customize(ns["bad"])
    text = str(e.value)
    assert msg in text and f"{path}:7" in text, text
