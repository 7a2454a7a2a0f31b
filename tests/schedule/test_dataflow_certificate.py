"""The certificate records the dataflow graph (stages, edges with buffer and kind, DOT) of a
design with a dataflow region or streams, round-trips it through JSON, and the HTML and
Markdown reports render it (escaped, no scripts); older certificates without it still load."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import allo_verify as av
from allo_verify.equiv.certificate import Certificate
from allo_verify.report.html import to_html
from allo_verify.report.markdown import to_markdown
from tests.schedule import dataflow_kernels as K

EXAMPLE = Path(__file__).parents[2] / "examples" / "three_mm_dataflow.py"


def _three_mm() -> Certificate:
    return runpy.run_path(str(EXAMPLE))["s"].verify(layers=("L1",))


def test_three_mm_certificate_records_the_graph_and_round_trips() -> None:
    cert = _three_mm()
    assert [r["region"] for r in cert.dataflow] == ["mm3"]
    rec = cert.dataflow[0]
    assert rec["stages"] == ["i", "i1", "i2"]
    by_buf = {e["buffer"]: e for e in rec["edges"]}
    assert by_buf["E"] == {"buffer": "E", "from": "i", "to": "i2", "kind": "stream",
                           "depth": 1, "layout": "stream(depth=1)", "shape": [8, 8]}
    assert (by_buf["F"]["from"], by_buf["F"]["to"], by_buf["F"]["kind"]) == ("i1", "i2",
                                                                              "memory")
    assert by_buf["A"]["from"] == "" and by_buf["A"]["to"] == "i"
    assert rec["dot"].startswith('digraph "mm3"') and "style=dashed" in rec["dot"]
    text = cert.to_json(timings=False)
    again = Certificate.from_json(text)
    assert again.dataflow == cert.dataflow
    assert again.to_json(timings=False) == text
    assert _three_mm().to_json(timings=False) == text  # deterministic across runs


def test_reports_render_the_edges_and_the_dot_source() -> None:
    d = _three_mm().to_dict()
    page = to_html(d, "mm3")
    assert "<h2>Dataflow graph</h2>" in page and "<script" not in page
    assert ("<tr><td>E</td><td>i</td><td>i2</td><td>stream</td><td>1</td>"
            "<td>[8, 8]</td></tr>") in page
    assert "<pre><code>digraph &quot;mm3&quot; {" in page
    md = to_markdown(d, "mm3")
    assert "## Dataflow graph" in md and "| E | i | i2 | stream | 1 | [8, 8] |" in md
    assert '```dot\ndigraph "mm3" {' in md


def test_a_stream_without_a_dataflow_step_records_its_function() -> None:
    s = av.customize(K.pc_ok)
    s.to("B", "i1", depth=30)
    cert = s.verify(layers=("L1",))
    assert [r["region"] for r in cert.dataflow] == ["pc_ok"]
    (edge,) = [e for e in cert.dataflow[0]["edges"] if e["buffer"] == "B"]
    assert (edge["kind"], edge["depth"]) == ("stream", 30)


def test_plain_designs_have_no_field_and_old_certificates_load() -> None:
    s = av.customize(K.pc_ok)
    s.split("i", 2)
    cert = s.verify(layers=("L1",))
    assert cert.dataflow == [] and "dataflow" not in cert.to_dict()
    assert "Dataflow graph" not in to_html(cert.to_dict())
    old = json.loads(_three_mm().to_json())
    del old["dataflow"]
    assert Certificate.from_dict(old).dataflow == []


def test_report_escapes_hostile_and_tolerates_malformed_records() -> None:
    d = _three_mm().to_dict()
    d["dataflow"][0]["edges"][0]["buffer"] = "<script>alert(1)</script>"
    d["dataflow"][0]["dot"] = "</pre><script>x</script>"
    page = to_html(d)
    assert "<script" not in page and "&lt;script&gt;alert(1)" in page
    for bad in ("nonsense", [1, None, {"edges": "x"}], {"region": "r"}):
        d["dataflow"] = bad
        to_html(d)
        to_markdown(d)
