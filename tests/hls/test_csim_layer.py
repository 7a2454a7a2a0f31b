"""C simulation as a verification layer: `s.verify(csim=True)` records a CSIM entry from
the emitted C++ of the FINAL design run on the L3 inputs, the reports show it, and a broken
emitter (mutation) makes the design refuted with the first differing cell."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import allo_verify as av
from allo_verify import grid, int32
from allo_verify.codegen.hls import expressions
from allo_verify.report.html import to_html
from allo_verify.report.junit import to_junit
from allo_verify.report.markdown import to_markdown

N = 8


def fdiv(A: int32[N], B: int32[N]) -> int32[N]:
    C: int32[N] = 0
    for i in range(N):
        C[i] = A[i] // B[i] + A[i] % 3
    return C


def scaled(A: int32[4, 6]) -> int32[4, 6]:
    B: int32[4, 6] = 0
    for i, j in grid(4, 6):
        B[i, j] = A[i, j] * 3 - 1
    return B


def _split_fdiv() -> av.Schedule:
    s = av.customize(fdiv)
    s.split("i", 2)
    return s


def _entry(cert: av.Certificate, layer: str):  # noqa: ANN202
    found = [e for e in cert.entries if e.layer == layer]
    assert len(found) == 1, [e.layer for e in cert.entries]
    return found[0]


def test_csim_agrees_on_exactly_the_l3_inputs() -> None:
    cert = _split_fdiv().verify(trials=12, csim=True)
    assert cert.status == "proved"
    l3, cs = _entry(cert, "L3"), _entry(cert, "CSIM")
    assert cs.result.status == "agreed"
    assert cs.result.trials == l3.result.trials == l3.scope["distinct_inputs"]
    assert cs.scope["inputs"] == "the L3 co-simulation's inputs"
    assert len(cs.scope["cxx_sha256"]) == 64
    d = cert.to_dict()
    claim = f"emitted C++ agreed with the LLVM simulation on {cs.result.trials} inputs"
    for text in (to_markdown(d, "fdiv"), to_html(d, "fdiv")):
        assert "C simulation of the emitted HLS C++" in text and claim in text
    cases = [c for c in ET.fromstring(to_junit(d, "fdiv")).iter("testcase")
             if c.get("classname", "").endswith(".CSIM")]
    assert len(cases) == 1 and cases[0].find("failure") is None


def test_without_l3_csim_draws_its_own_inputs() -> None:
    cert = _split_fdiv().verify(layers=("L1",), trials=7, csim=True)
    cs = _entry(cert, "CSIM")
    assert cs.result.status == "agreed" and cs.result.trials == 7
    assert "seed 0" in cs.scope["inputs"]
    assert cert.status == "proved"  # L1 proved every step; CSIM only adds evidence


def test_no_csim_entry_unless_asked() -> None:
    cert = _split_fdiv().verify(trials=3)
    assert all(e.layer != "CSIM" for e in cert.entries)


def test_broken_floor_division_in_the_emitter_refutes_the_design(monkeypatch) -> None:  # noqa: ANN001
    """Mutation: C's truncating `/` for MLIR's floor division. Every proof about the IR
    still holds, yet the design must read refuted, with the first differing cell."""
    monkeypatch.setitem(expressions.OPS, "arith.floordivsi", expressions._signed_div("/"))
    cert = _split_fdiv().verify(trials=30, csim=True)
    assert _entry(cert, "L2").result.status == "proved"
    assert _entry(cert, "L3").result.status == "agreed"
    cs = _entry(cert, "CSIM")
    assert cs.result.status == "refuted"
    assert cert.status == "refuted" and not cert.ok
    cex = cs.result.counterexample
    assert cex.confirmed == "csim" and cex.output == "result" and len(cex.cell) == 1
    a, b = cex.inputs["A"][cex.cell[0]], cex.inputs["B"][cex.cell[0]]
    a, b = int(a), int(b)
    assert b != 0 and (a < 0) != (b < 0) and a % b != 0  # exactly where / and // differ
    # the C++ rounds the quotient toward zero: one more than the floor, the rest is equal
    assert (int(cex.value_b) - int(cex.value_a)) % 2**32 == 1
    assert any("emitted HLS C++ differs" in r for r in cert.verdict().reasons)
    d = cert.to_dict()
    md = to_markdown(d, "fdiv")
    assert "value in the emitted C++ (b)" in md and f"result[{cex.cell[0]}]" in md
    assert "(b, emitted C++)" in to_html(d, "fdiv") or "emitted C++ (b)" in to_html(d, "fdiv")
    cases = [c for c in ET.fromstring(to_junit(d, "fdiv")).iter("testcase")
             if c.get("classname", "").endswith(".CSIM")]
    assert cases and cases[0].find("failure") is not None


def test_a_csim_that_cannot_run_is_unknown_and_never_a_pass(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("CXX", "no-such-gxx-for-allo-verify")
    monkeypatch.setenv("XDG_CACHE_HOME", "/nonexistent-allo-verify-cache")
    s = av.customize(scaled)
    s.split("j", 3)
    cert = s.verify(trials=3, csim=True)
    cs = _entry(cert, "CSIM")
    assert cs.result.status == "unknown", cs.result
    assert "C simulation could not run" in cs.result.reason
    assert "no-such-gxx-for-allo-verify" in cs.result.reason
    assert cert.status == "proved"  # the IR is proved; CSIM is evidence about the emitter


def test_equivalence_verify_csim_runs_the_implementation() -> None:
    def impl(A: int32[4, 6]) -> int32[4, 6]:
        B: int32[4, 6] = 0
        for j, i in grid(6, 4):
            B[i, j] = A[i, j] * 3 - 1
        return B

    cert = av.equivalence(scaled, impl).verify(trials=5, csim=True)
    assert _entry(cert, "CSIM").result.status == "agreed" and cert.status == "proved"


def test_csim_flag_is_checked() -> None:
    s = av.customize(scaled)
    with pytest.raises(av.ScheduleUsageError, match="csim must be True or False"):
        s.verify(csim="yes")
    with pytest.raises(av.ScheduleUsageError, match="trials"):
        s.verify(layers=("L1",), trials=0, csim=True)


def test_assert_verified_with_csim(monkeypatch) -> None:  # noqa: ANN001
    from allo_verify.testing import assert_verified

    cert = assert_verified(_split_fdiv(), trials=4, csim=True)
    assert _entry(cert, "CSIM").result.status == "agreed"
    monkeypatch.setenv("CXX", "no-such-gxx-for-allo-verify")
    monkeypatch.setenv("XDG_CACHE_HOME", "/nonexistent-allo-verify-cache")
    with pytest.raises(AssertionError, match="C simulation of the emitted C\\+\\+ is unknown"):
        assert_verified(_split_fdiv(), trials=4, csim=True)
    assert_verified(_split_fdiv(), trials=4)  # without csim, g++ is not needed
