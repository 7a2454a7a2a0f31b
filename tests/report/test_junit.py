"""JUnit XML: parsed back with ElementTree; same layout as pytest's own --junitxml."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from allo_verify.report.junit import to_junit


def suite_of(text: str) -> ET.Element:
    root = ET.fromstring(text.encode())
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    return suites[0]


def counts(ts: ET.Element) -> dict[str, int]:
    cases = ts.findall("testcase")
    return {"tests": len(cases),
            "failures": sum(c.find("failure") is not None for c in cases),
            "skipped": sum(c.find("skipped") is not None for c in cases),
            "errors": sum(c.find("error") is not None for c in cases)}


def check_counts(ts: ET.Element) -> dict[str, int]:
    got = counts(ts)
    assert {k: int(ts.get(k, "-1")) for k in got} == got
    return got


def test_proved_all_pass(cert: Any) -> None:
    ts = suite_of(to_junit(cert("proved"), "gemm"))
    assert check_counts(ts) == {"tests": 40, "failures": 0, "skipped": 0, "errors": 0}
    cases = ts.findall("testcase")
    assert cases[1].get("name") == "split(axis='i', factor=4)/S0/sound"
    assert cases[1].get("classname") == "gemm.L1"
    assert "source: S0: C: int32[M, N] = 0 (kernels.py:9)" in cases[1].findtext("system-out", "")
    assert [c.get("classname") for c in cases[-3:]] == ["gemm.L2", "gemm.L3",
                                                        "gemm.certificate"]
    assert cases[-1].get("name") == "verdict"
    assert cases[-2].findtext("system-out", "").startswith(
        "agreed on 10 distinct random inputs (seed 0)")
    props = {p.get("name"): p.get("value") for p in ts.iter("property")}
    assert props["status"] == "proved"


def test_refuted_has_failures_with_counterexample(cert: Any) -> None:
    ts = suite_of(to_junit(cert("refuted_l2"), "gemm swapped"))
    assert check_counts(ts) == {"tests": 3, "failures": 3, "skipped": 0, "errors": 0}
    f = ts.find("testcase/failure")
    assert f is not None
    assert f.get("message") == ("refuted: return[0][0, 0]: 148327175 (a, original) != "
                                "-2092762307 (b, transformed)")
    assert "note: found by search" in (f.text or "")
    assert "input A = [\n  [0, 1, 1537810351, -1, -148327174, -2147483648]," in (f.text or "")
    c = cert("refuted_l1")
    ts = suite_of(to_junit(c, "seidel"))
    f = ts.find("testcase/failure")
    refuted = next(e for e in c["entries"] if e["result"]["status"] == "refuted")
    assert f is not None and refuted["result"]["counterexample"]["note"] in (f.text or "")
    verdict = [t for t in ts.findall("testcase") if t.get("name") == "verdict"]
    assert verdict[0].find("failure").get("type") == "refused"  # type: ignore[union-attr]


def test_unknown_and_not_run_are_skipped_never_passed(cert: Any) -> None:
    ts = suite_of(to_junit(cert("unknown"), "gemm"))
    assert check_counts(ts) == {"tests": 40, "failures": 0, "skipped": 3, "errors": 0}
    skipped = {c.get("name"): c.find("skipped") for c in ts.findall("testcase")
               if c.find("skipped") is not None}
    s1 = skipped["split(axis='i', factor=4)/S1/sound"]
    assert s1 is not None and s1.get("type") == "unknown"
    assert s1.get("message") == "unknown: resource limit (rlimit 20000000) reached [fixture]"
    l2 = skipped["translation-validation"]
    assert l2 is not None and l2.get("message", "").startswith("not run: too large")
    ts = suite_of(to_junit(cert("not_run"), "x"))
    assert check_counts(ts) == {"tests": 3, "failures": 0, "skipped": 3, "errors": 0}


def test_empty_missing_and_inconsistent_certificates_do_not_pass(cert: Any) -> None:
    empty = {"status": "unknown", "entries": [], "schedule_log": []}
    assert check_counts(suite_of(to_junit(empty, "e")))["skipped"] == 2  # and the verdict
    c = cert("proved")
    c["schedule_log"][0]["obligations"].append("split(axis='i', factor=4)/S9/sound")
    assert check_counts(suite_of(to_junit(c, "m")))["errors"] == 1
    c = cert("proved")
    c["status"] = "refuted"  # the stored status disagrees with the entries
    assert check_counts(suite_of(to_junit(c, "i")))["failures"] == 1
    c = cert("proved")
    c["schedule_log"][3]["unchecked"] = True  # an unchecked hardware annotation
    ts = suite_of(to_junit(c, "u"))
    check_counts(ts)
    verdict = [t for t in ts.findall("testcase") if t.get("name") == "verdict"][0]
    assert verdict.find("skipped") is not None  # the verdict: unknown, never a pass


def test_control_characters_stay_valid_xml(cert: Any) -> None:
    c = cert("refuted_l2")
    c["entries"][0]["result"]["counterexample"]["note"] = "bad \x00\x1b byte"
    text = to_junit(c, "s\x07")
    f = suite_of(text).find("testcase/failure")
    assert f is not None and "bad #x00#x1B byte" in (f.text or "")


def test_same_layout_as_pytest_junitxml(cert: Any, tmp_path: Path) -> None:
    """Run pytest itself on a pass / fail / skip file and compare the element layout."""
    (tmp_path / "test_x.py").write_text(
        "import pytest\n"
        "def test_ok(): pass\n"
        "def test_fail(): assert 0, 'boom'\n"
        "def test_skip(): pytest.skip('why')\n")
    ref = tmp_path / "ref.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "-o", "addopts=", "--rootdir", str(tmp_path), f"--junitxml={ref}",
                    str(tmp_path / "test_x.py")], cwd=tmp_path, capture_output=True,
                   timeout=120, check=False)
    pyt = suite_of(ref.read_text())
    mine = suite_of(to_junit(cert("unknown") | {"entries": cert("unknown")["entries"] +
                                                 cert("refuted_l2")["entries"]}, "mix"))
    # the testsuite carries pytest's counting attributes
    for attr in ("name", "errors", "failures", "skipped", "tests", "time"):
        assert pyt.get(attr) is not None and mine.get(attr) is not None, attr
    # each testcase has pytest's attributes; outcome children use pytest's tags/attributes
    ref_case_attrs = set(pyt.find("testcase").attrib)  # type: ignore[union-attr]
    assert ref_case_attrs == {"classname", "name", "time"}
    for case in mine.findall("testcase"):
        assert ref_case_attrs <= set(case.attrib)
        float(case.get("time", "x"))
    for tag in ("failure", "skipped"):
        ref_el, my_el = pyt.find(f"testcase/{tag}"), mine.find(f"testcase/{tag}")
        assert ref_el is not None and my_el is not None
        assert set(ref_el.attrib) <= set(my_el.attrib) | {"type"}
        assert "message" in my_el.attrib
    assert counts(pyt) == {"tests": 3, "failures": 1, "skipped": 1, "errors": 0}
    assert check_counts(pyt) == counts(pyt)  # pytest's own counting rule is ours
    allowed = {c.tag for c in pyt.iter() if c.tag not in ("testsuites", "testsuite",
                                                          "testcase")}
    allowed |= {"properties", "property", "system-out", "error"}
    assert {c.tag for c in mine.iter()} - {"testsuite", "testcase"} <= allowed
