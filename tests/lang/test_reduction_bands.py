"""`for r, c in reduction(3, 3)`: a reduction over several dimensions (Allo's spelling).

The law: `reduction(E1, ..., En)` with n loop variables is the loop band of `grid(E1, ...,
En)` (outermost first) whose every loop carries the `reduction` mark; one extent with one
variable is `range(E)`. The mark is informational (it does not change the semantics), so the
LLVM simulation, L1/L2/L3 and the emitted C++ all see the plain nest: shown below against
NumPy, through a checked schedule, and by C simulation. A band whose variable count differs
from its extent count is a `FrontendError` at the loop's line.
"""

import textwrap
from pathlib import Path

import numpy as np
import pytest

import allo_verify as allo
from allo_verify import int32
from allo_verify.errors import FrontendError, ScheduleError

H = 6
K = 3
O = H - K + 1  # noqa: E741


def conv(A: int32[H, H], W: int32[K, K]) -> int32[O, O]:  # noqa: N803
    B: int32[O, O] = 0
    for y, x in allo.grid(O, O, name="out"):
        v: int32 = 0
        for r, c in allo.reduction(K, K):
            v += A[y + r, x + c] * W[r, c]
        B[y, x] = v
    return B


def sum3(A: int32[2, 3, 4]) -> int32:  # noqa: N803
    s: int32 = 0
    for i, j, k in allo.reduction(2, 3, 4, name="all"):
        s += A[i, j, k] * (i + 2 * j - k)
    return s


def _ref_conv(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    out = np.zeros((O, O), dtype=np.int64)
    for y in range(O):
        for x in range(O):
            out[y, x] = (a[y:y + K, x:x + K].astype(np.int64) * w).sum()
    return out.astype(np.int32)


def test_two_dimensional_reduction_matches_numpy_and_marks_both_loops() -> None:
    s = allo.customize(conv)
    rng = np.random.default_rng(7)
    a = rng.integers(-50, 50, (H, H), dtype=np.int32)
    w = rng.integers(-5, 5, (K, K), dtype=np.int32)
    np.testing.assert_array_equal(s.build()(a, w), _ref_conv(a, w))
    marked = {lp.name for lp in s.all_loops() if "reduction" in
              {str(n) for n in lp.op.operation.attributes}}
    assert marked == {"r", "c"}


def test_three_dimensional_reduction_into_a_scalar() -> None:
    s = allo.customize(sum3)
    a = np.arange(24, dtype=np.int32).reshape(2, 3, 4) - 11
    i, j, k = np.meshgrid(range(2), range(3), range(4), indexing="ij")
    assert int(s.build()(a)) == int((a * (i + 2 * j - k)).sum())
    assert [lp.name for lp in s.all_loops()] == ["all.i", "all.j", "all.k"]
    # as plain Python it is numpy.ndindex
    assert list(allo.reduction(2, 2)) == list(np.ndindex(2, 2))
    assert list(allo.reduction(3)) == [0, 1, 2]


def test_scheduled_reduction_band_is_proved_and_csim_agrees() -> None:
    s = allo.customize(conv)
    assert s.split("c", 2) == ("c.outer", "c.inner")  # 3 = 2 + 1: the split keeps a bound
    s.unroll("c.inner")
    s.pipeline("out.y")
    names = {lp.name: {str(n) for n in lp.op.operation.attributes} for lp in s.all_loops()}
    assert "reduction" in names["c.outer"] and "reduction" in names["c.inner"]
    cert = s.verify(trials=3, csim=True)
    layers = {e.layer: e.result.status for e in cert.entries}
    assert cert.status == "proved", cert.to_dict()["status"]
    assert layers["L2"] == "proved" and layers["L3"] == "agreed"
    assert layers["CSIM"] == "agreed"


def test_reordering_against_the_accumulation_is_refused() -> None:
    s = allo.customize(sum3)
    before = str(s.module)
    # the mark is not a licence to reassociate: swapping the band's loops reorders the
    # updates of the accumulator `s`, and the order obligation refutes it
    with pytest.raises(ScheduleError, match="order/s"):
        s.reorder("all.k", "all.i")
    assert str(s.module) == before


@pytest.mark.parametrize(("loop", "msg"), [
    ("for r in allo.reduction(3, 3):", "reduction has 2 dimension(s) but the loop binds 1"),
    ("for r, c in allo.reduction(3):", "reduction has 1 dimension(s) but the loop binds 2"),
    ("for r, c in allo.reduction():", "reduction(...) needs at least one extent"),
    ("for r, c in allo.reduction(3, 3, pipline=1):", "unknown keyword 'pipline'"),
])
def test_bad_reduction_bands_are_frontend_errors(loop: str, msg: str, tmp_path: Path) -> None:
    src = textwrap.dedent(f"""\
        import allo_verify as allo
        from allo_verify import int32

        def bad(A: int32[3, 3]) -> int32:
            s: int32 = 0
            {loop}
                s += A[0, 0]
            return s
        """)
    path = tmp_path / "bad_reduction.py"
    path.write_text(src)
    ns: dict = {}
    exec(compile(src, str(path), "exec"), ns)  # noqa: S102 - the kernel file under test
    with pytest.raises(FrontendError) as e:
        allo.customize(ns["bad"])
    text = str(e.value)
    assert msg in text and f"{path}:6" in text, text
