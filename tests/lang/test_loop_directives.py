"""Inline loop directives (`grid(..., name=, pipeline=, unroll=)`, the same on `reduction`)
all the way down: the checked steps they become are emitted as HLS pragmas on the loops they
name, the scalars proved private to a pipelined loop are declared inside it while a scalar
carried across its iterations stays outside, and C simulation agrees with the LLVM
simulation. An unroll factor that does not divide the trip count (or exceeds it) is legal:
the pragma leaves the loop's meaning unchanged and HLS adds the exit check, which csim runs.
"""

import re

import numpy as np

import allo_verify as allo
from allo_verify import int32

N = 5


def weighted(A: int32[N, N]) -> int32[N]:  # noqa: N803
    S: int32[N] = 0
    for i in allo.grid(N, name="row", pipeline=2):
        acc: int32 = 0  # private to each row
        for r, c in allo.reduction(N, 2, unroll=3):  # 3 divides neither 5 nor 2
            acc += A[i, r] * (c + 1)
        S[i] = acc
    return S


def running(A: int32[N]) -> int32[N]:  # noqa: N803
    S: int32[N] = 0
    carry: int32 = 0  # carried from one iteration to the next: not private
    for i in allo.grid(N, pipeline=True, name="scan"):
        carry = carry * 3 + A[i]
        S[i] = carry
    for p, q in allo.reduction(2, 2, unroll=True, name="full"):
        S[p] += q
    return S


def _loop_body(code: str, label: str) -> str:
    start = code.index(f"{label}: for")
    return code[start:start + 400]


def test_directives_are_pragmas_on_the_loops_they_name() -> None:
    s = allo.customize(weighted)
    assert s.log() == [
        {"primitive": "pipeline", "args": {"axis": "weighted:row.i", "initiation_interval": 2}},
        {"primitive": "unroll", "args": {"axis": "weighted:r", "factor": 3}},
        {"primitive": "unroll", "args": {"axis": "weighted:c", "factor": 3}}]
    code = s.build("vhls").code
    row = _loop_body(code, "l_row_i")
    assert re.search(r"l_row_i: for \(.*\{\s*#pragma HLS pipeline II=2", row)
    assert re.search(r"#pragma HLS pipeline II=2\s*ap_int<32> acc", row)  # private: inside
    for lab in ("l_r", "l_c"):
        assert re.search(lab + r": for \(.*\{\s*#pragma HLS unroll factor=3",
                         _loop_body(code, lab))


def test_non_dividing_unroll_and_pipeline_are_proved_and_csim_agrees() -> None:
    s = allo.customize(weighted)
    a = np.arange(N * N, dtype=np.int32).reshape(N, N) - 7
    np.testing.assert_array_equal(s.build()(a), a @ np.ones(N, dtype=np.int32) * 3)
    cert = s.verify(trials=3, csim=True)
    assert cert.status == "proved"
    l1 = [e for e in cert.entries if e.layer == "L1"]
    assert l1 and all(e.result.status == "proved" for e in l1)
    assert any("private" in e.name for e in l1), [e.name for e in l1]
    assert {e.layer: e.result.status for e in cert.entries}["CSIM"] == "agreed"


def test_a_carried_scalar_stays_outside_the_pipelined_loop() -> None:
    s = allo.customize(running)
    op = s.loop("scan.i").op.operation
    private = str(op.attributes["hls.private"]) if "hls.private" in op.attributes else ""
    assert "carry" not in private
    code = s.build("vhls").code
    assert "ap_int<32> carry" not in _loop_body(code, "l_scan_i")
    full = _loop_body(code, "l_full_p")
    assert re.search(r"l_full_p: for \(.*\{\s*#pragma HLS unroll\s", full)
    a = np.array([1, -2, 3, 4, -5], dtype=np.int32)
    want = np.zeros(N, dtype=np.int64)
    carry = 0
    for i in range(N):
        carry = carry * 3 + int(a[i])
        want[i] = carry
    want[:2] += 1
    np.testing.assert_array_equal(s.build()(a), want.astype(np.int32))
    cert = s.verify(trials=3, csim=True)
    assert cert.status == "proved"
    assert {e.layer: e.result.status for e in cert.entries}["CSIM"] == "agreed"


def test_named_directive_loops_take_further_steps() -> None:
    s = allo.customize(running)
    s.split("full.q", 2)
    assert "full.q.inner" in [lp.name for lp in s.all_loops()]
    assert allo.customize(running).verify(layers=("L1",)).status == "proved"
    assert s.verify(trials=3).status == "proved"
