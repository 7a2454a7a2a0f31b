"""Claim words of DESIGN.md, per entry and per certificate; and the fixtures' format."""

from __future__ import annotations

import json
from typing import Any

import pytest

from allo_verify.report.claims import (
    entry_claim,
    layer_claim,
    overall_claim,
    overall_status,
    recomputed_status,
)
from allo_verify.report.structure import build_view, parse_label, step_label
from tests.report.conftest import DATA, load_cert


def entry(layer: str, result: dict[str, Any], scope: dict[str, Any] | None = None,
          name: str = "x") -> dict[str, Any]:
    return {"layer": layer, "name": name, "statement": "", "location": "", "result": result,
            "cost": {"queries": 0, "extra": {}}, "scope": scope or {}}


PROVED = {"status": "proved", "detail": "", "modulo_reassoc": False}


def test_l1_claims_instance_unless_parametric() -> None:
    assert entry_claim(entry("L1", PROVED, {"rlimit": 5})) == "proved for this instance"
    assert entry_claim(entry("L1", PROVED, {"parametric": True})) == "proved for all sizes"
    assert entry_claim(entry("L1", PROVED, {"parametric": "yes"})) == "proved for this instance"
    mixed = [entry("L1", PROVED, {"parametric": True}), entry("L1", PROVED)]
    assert layer_claim("L1", mixed) == "proved for this instance (1 of 2 proved for all sizes)"


def test_l2_l3_csim_claim_words() -> None:
    l2 = entry("L2", PROVED, {"sizes": {"A": [12, 6], "B": [6, 8]}})
    assert entry_claim(l2) == "proved for all input values at sizes A: 12x6, B: 6x8"
    l3 = entry("L3", {"status": "agreed", "trials": 10, "seed": 3}, {"trials": 10, "seed": 3})
    assert entry_claim(l3) == "agreed on 10 distinct random inputs (seed 3)"
    # the number claimed is the number of distinct inputs run, never the number requested
    few = entry("L3", {"status": "agreed", "trials": 4, "seed": 0}, {"trials": 100, "seed": 0})
    assert entry_claim(few) == "agreed on 4 distinct random inputs (seed 0) (100 runs requested)"
    tol = entry("L3", {"status": "agreed", "trials": 9, "seed": 0},
                {"trials": 9, "seed": 0, "tolerance": {"t": 1.5e-5, "source": "given"},
                 "nan_policy": "any two NaNs count as equal"})
    assert entry_claim(tol) == ("agreed on 9 distinct random inputs (seed 0) within tolerance "
                                "1.5e-05; any two NaNs count as equal")
    cs = entry("CSIM", {"status": "agreed", "trials": 7, "seed": 0}, {"trials": 7})
    assert entry_claim(cs) == "emitted C++ agreed with the LLVM simulation on 7 inputs"
    # simulation never proves, whatever the file says
    assert "proved" not in entry_claim(entry("L3", PROVED, {"trials": 4, "seed": 1}))
    assert "proved" not in entry_claim(entry("CSIM", PROVED, {"trials": 4}))
    reassoc = entry("L2", {**PROVED, "modulo_reassoc": True}, {"sizes": {"X": [4]}})
    assert entry_claim(reassoc) == ("proved for all input values at sizes X: 4 "
                                    "modulo reassociation")


def test_failed_claims_never_say_proved() -> None:
    unk = entry("L1", {"status": "unknown", "reason": "rlimit reached"})
    nr = entry("L2", {"status": "not_run", "reason": "too large"}, {"sizes": {"A": [2]}})
    assert entry_claim(unk) == "unknown: rlimit reached"
    assert entry_claim(nr) == "not run: too large"
    assert entry_claim(entry("L2", {"status": "refuted", "counterexample": None,
                                    "detail": "d"})) == "refuted (d)"
    assert entry_claim(entry("L1", {"status": "weird"})) == "no result (weird)"
    for e in (unk, nr, entry("L1", {})):
        assert "proved" not in entry_claim(e)
    assert layer_claim("L1", [entry("L1", PROVED), unk]) == "not established: 1 unknown of 2"


def test_real_certificates_overall(cert: Any) -> None:
    p = cert("proved")
    assert overall_status(p) == "proved" == p["status"]
    assert overall_claim(p) == "the scheduled design is equivalent to the original kernel"
    assert overall_status(cert("refuted_l2")) == "refuted"
    assert overall_status(cert("unknown")) == "unknown"
    assert overall_status(cert("not_run")) == "unknown"
    assert "modulo reassociation" in overall_claim(cert("reassoc"))


def test_overall_status_never_stronger_than_entries(cert: Any) -> None:
    c = cert("unknown")
    c["status"] = "proved"  # a tampered file
    assert recomputed_status(c) == "unknown" and overall_status(c) == "unknown"
    c = cert("proved")
    c["entries"] = [e for e in c["entries"] if e["layer"] == "L3"]
    assert overall_status(c) == "unknown"  # co-simulation alone proves nothing


def test_step_labels_round_trip() -> None:
    args = {"axes": ["i.outer", "j.outer", "k"]}
    label = step_label("reorder", args)
    assert label == "reorder(axes=('i.outer', 'j.outer', 'k'))"
    assert parse_label(label + "/S0/order/C") == parse_label(
        "reorder(axes=('i.outer', 'j.outer', 'k'))/S0/sound")
    assert parse_label("no-label/S0") is None
    assert parse_label("split(axis='a/b', factor=2)/S0/sound") is not None


def test_old_logs_without_obligations_still_group(cert: Any) -> None:
    c = cert("proved")
    for st in c["schedule_log"]:
        del st["obligations"], st["loops_before"], st["loops_after"]
    c["schedule_log"][0]["args"] = {"factor": 4, "axis": "i"}  # key order must not matter
    view = build_view(c)
    assert [len(s.entries) for s in view.steps] == [12, 12, 12, 1]
    assert not view.unattributed and view.steps[0].loops_before is None


@pytest.mark.parametrize("name", ["proved", "refuted_l1", "refuted_l2", "reassoc", "not_run",
                                  "unknown"])
def test_fixtures_match_the_certificate_format(name: str) -> None:
    """Guard against format drift: each fixture round-trips through `Certificate`."""
    from allo_verify.equiv.certificate import Certificate

    d = json.loads((DATA / f"{name}.json").read_text())
    assert Certificate.from_dict(d).to_dict(timings=False) == d
    assert load_cert(name) == d


def test_reports_accept_certificate_to_dict_directly() -> None:
    """`Certificate.to_dict()` (tuples, not yet JSON) renders like its JSON form."""
    from allo_verify.equiv.certificate import Certificate, Entry
    from allo_verify.equiv.results import Counterexample, Proved, Refuted
    from allo_verify.report import to_html, to_junit, to_markdown

    cex = Counterexample("reorder(axes=('j', 'i'))/S0/order/A", (), "holds before",
                         "broken after", {}, "z3-model", "S0(i=2, j=1) first")
    c = Certificate(schedule_log=[{"primitive": "reorder", "args": {"axes": ("j", "i")}}])
    c.add(Entry("L1", "reorder(axes=('j', 'i'))/S0/sound", Proved("ok"), "s", "k.py:1"))
    c.add(Entry("L1", cex.output, Refuted(cex), "order", "k.py:1"))
    d = c.to_dict()
    view = build_view(d)
    assert [len(s.entries) for s in view.steps] == [2] and not view.unattributed
    as_json = json.loads(c.to_json())
    assert to_markdown(d) == to_markdown(as_json)
    assert to_html(d) == to_html(as_json) and to_junit(d, "s") == to_junit(as_json, "s")
    assert "S0(i=2, j=1) first" in to_markdown(d)
