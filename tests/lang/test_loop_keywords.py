"""Allo's loop keywords are honoured as checked schedule steps, and unknown ones refused.

Regression (issue 8): `grid(..., pipeline=True)` and any other keyword were silently
ignored. Now `name=` names the band's loops, `pipeline=` (True or an II) pipelines the
band's innermost loop and `unroll=` (True or a factor) unrolls its loops, each applied by
`customize` as a real `pipeline`/`unroll` step (in the step log and the certificate, with
its L1 obligation); anything else is a `FrontendError` naming the file and line.
"""

import textwrap
from pathlib import Path

import numpy as np
import pytest

import allo_verify as av
from allo_verify import grid, int32, reduction
from allo_verify.errors import FrontendError

N = 4
UF = 2


def matmul(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:  # noqa: N803
    C: int32[N, N] = 0
    for i, j in grid(N, N, name="out", pipeline=True):
        for k in reduction(N, unroll=UF):
            C[i, j] += A[i, k] * B[k, j]
    return C


def rows(X: int32[N, N]) -> int32[N]:  # noqa: N803
    s: int32[N] = 0
    for r in reduction(N, pipeline=3, name="red"):
        for c in range(N):
            s[r] += X[r, c]
    return s


def caller(X: int32[N, N]) -> int32[N]:  # noqa: N803
    Y: int32[N, N] = 0
    for p, q in grid(N, N, unroll=True, pipeline=False):
        Y[p, q] = X[p, q] * 2
    return rows(Y)


def _attrs(s: av.Schedule, loop: str) -> set[str]:
    op = s.loop(loop).op.operation
    return {str(a) for a in op.attributes if str(a).startswith("hls.")}


def test_pipeline_and_unroll_become_logged_steps() -> None:
    s = av.customize(matmul)
    assert s.log() == [
        {"primitive": "pipeline", "args": {"axis": "matmul:out.j", "initiation_interval": 1}},
        {"primitive": "unroll", "args": {"axis": "matmul:k", "factor": 2}}]
    assert _attrs(s, "out.j") == {"hls.pipeline_ii"} and _attrs(s, "out.i") == set()
    assert _attrs(s, "k") == {"hls.unroll"}
    assert "hls." not in str(s.original)  # the original kernel carries no annotation
    cert = s.verify(layers=("L1",)).to_dict()
    assert cert["status"] == "proved"
    assert [e["primitive"] for e in cert["schedule_log"]] == ["pipeline", "unroll"]


def test_named_band_can_be_scheduled_further() -> None:
    s = av.customize(matmul)
    s.split("out.i", 2)
    A = np.arange(16, dtype=np.int32).reshape(4, 4)
    assert np.array_equal(s.build()(A, A.T.copy()), A @ A.T)
    # as plain Python the keywords change nothing
    assert list(grid(2, 3, name="b", pipeline=2, unroll=True)) == list(np.ndindex(2, 3))
    assert list(reduction(3, unroll=4)) == [0, 1, 2]
    assert list(reduction(2, 2, name="r")) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_keywords_in_a_called_kernel_and_on_a_whole_band() -> None:
    s = av.customize(caller)
    steps = [(e["primitive"], e["args"]) for e in s.log()]
    assert ("unroll", {"axis": "caller:p", "factor": 0}) in steps
    assert ("unroll", {"axis": "caller:q", "factor": 0}) in steps
    assert ("pipeline", {"axis": "rows:red.r", "initiation_interval": 3}) in steps
    assert not any(p == "pipeline" and a["axis"].startswith("caller") for p, a in steps)


BAD = {
    "pipline=True": "unknown keyword 'pipline'",
    "name='x', factor=2": "unknown keyword 'factor'",
    "pipeline=0": "pipeline= must be True, False or an initiation interval",
    "unroll=-1": "unroll= must be True, False or a factor",
    "unroll='yes'": "unroll= must be",
    "name=3": "name= must be a non-empty string",
    "name='a:b'": "name= must be a non-empty string",
    "**{'pipeline': True}": "does not take **keywords",
    "pipeline=A[0, 0]": "pipeline= must be True, False or an initiation interval",
}


@pytest.mark.parametrize("kw", sorted(BAD))
def test_bad_keywords_are_frontend_errors_with_file_and_line(kw: str, tmp_path: Path) -> None:
    src = tmp_path / "kw_design.py"
    src.write_text(textwrap.dedent(f"""
        import allo_verify as av
        from allo_verify import int32

        def k(A: int32[4, 4]) -> int32[4, 4]:
            B: int32[4, 4] = 0
            for i, j in av.grid(4, 4, {kw}):
                B[i, j] = A[i, j]
            return B
        """))
    ns: dict = {}
    exec(compile(src.read_text(), str(src), "exec"), ns)  # noqa: S102 - the test's own file
    with pytest.raises(FrontendError) as e:
        av.customize(ns["k"])
    assert BAD[kw] in e.value.message
    assert e.value.filename == str(src) and e.value.lineno == 7


def test_range_takes_no_keyword(tmp_path: Path) -> None:
    src = tmp_path / "kw_range.py"
    src.write_text(textwrap.dedent("""
        from allo_verify import int32

        def k(A: int32[4]) -> int32[4]:
            B: int32[4] = 0
            for i in range(4, pipeline=True):
                B[i] = A[i]
            return B
        """))
    ns: dict = {}
    exec(compile(src.read_text(), str(src), "exec"), ns)  # noqa: S102
    with pytest.raises(FrontendError, match="unknown keyword 'pipeline' for range"):
        av.customize(ns["k"])
