"""The estimate in certificates and reports: recorded per step, labelled an estimate, kept
through JSON, and never able to break a report or a certificate."""

from __future__ import annotations

import allo_verify as av
from allo_verify.equiv.certificate import Certificate
from allo_verify.estimate import estimate
from allo_verify.report.estimate import estimate_html, estimate_line, estimate_markdown
from allo_verify.report.html import to_html
from allo_verify.report.markdown import to_markdown
from tests.estimate.test_latency import incr


def _cert() -> tuple[av.Schedule, Certificate]:
    s = av.customize(incr)
    s.split("i", 4)
    s.pipeline("i.inner")
    return s, s.verify(layers=("L1",))


def test_certificate_records_the_original_each_step_and_the_final_design() -> None:
    s, cert = _cert()
    rec = cert.estimate
    assert rec["label"] == "estimate"
    assert rec["original"]["cycles"] == av.customize(incr).estimate().cycles
    assert [f["cycles"] for f in rec["steps"]] == [
        estimate(st.after, "incr").cycles for st in s.steps]
    assert rec["final"]["cycles"] == s.estimate().cycles == rec["steps"][-1]["cycles"]
    back = Certificate.from_json(cert.to_json())
    assert back.estimate == rec
    assert back.to_json(timings=False) == cert.to_json(timings=False)


def test_reports_label_every_figure_an_estimate() -> None:
    _, cert = _cert()
    d = cert.to_dict()
    md = to_markdown(d)
    assert "## Latency estimate (an estimate from the schedule, not a synthesis result)" in md
    assert "pipeline(axis='i.inner'" in md and "faster" in md
    assert "Latency estimate" in to_html(d)
    assert "an estimate, not synthesis" in estimate_line(d)[0]


def test_a_malformed_or_absent_estimate_gives_no_section_and_no_exception() -> None:
    _, cert = _cert()
    d = cert.to_dict()
    for bad in ({}, None, 3, "x", {"steps": [1, None, {"cycles": "x"}], "final": []},
                {"original": {"cycles": True}, "final": {"loops": [None, {"name": "<b>"}]}}):
        d2 = {**d, "estimate": bad}
        to_markdown(d2)
        html = "".join(estimate_html(d2))
        assert "<b>" not in html
        estimate_line(d2)
    assert estimate_markdown({**d, "estimate": {}}) == []
    err = {**d, "estimate": {"label": "estimate", "error": "not estimated: X"}}
    assert "not estimated: X" in "".join(estimate_markdown(err))
