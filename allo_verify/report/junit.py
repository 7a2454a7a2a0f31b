"""JUnit XML of a certificate dict, in the layout pytest's `--junitxml` writes
(`<testsuites><testsuite name errors failures skipped tests time><testcase classname name
time>` with `<failure message>` / `<skipped type message>` / `<error message>` children).

Laws:
- One `<testcase>` per L1 obligation and one per other layer entry, in certificate order,
  then one `verdict` testcase: the verdict rule's status (failure when refuted or a step was
  refused, skipped when unknown, passing only when proved), so the suite is green exactly
  when the design is proved.
- refuted -> `<failure>` carrying the counterexample text; unknown / not_run (or any
  unrecognised status) -> `<skipped>`; only proved and agreed pass. An obligation a step
  lists without a result -> `<error>`. A certificate with no entries gives one skipped
  testcase, and one whose stored status disagrees with its entries gives one failing
  testcase, so neither can read as an all-green run.
- The testsuite's `tests`, `failures`, `errors`, `skipped` count exactly those children.
- The text is valid XML 1.0 (built with ElementTree; characters XML cannot carry are written
  as `#xNN`, as pytest does) and a pure function of the certificate (no timestamps).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from allo_verify.report.claims import (
    CertDict,
    EntryDict,
    cert_verdict,
    counterexample_of,
    counterexample_text,
    entry_claim,
    overall_claim,
    overall_status,
    result_of,
    statement_refs,
    status_inconsistency,
    status_of,
)
from allo_verify.report.structure import build_view

#: characters XML 1.0 cannot contain (pytest's `bin_xml_escape` set)
_ILLEGAL = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: a message attribute longer than this is shortened (the element text keeps everything)
MESSAGE_BUDGET = 1000


def xml_text(v: object) -> str:
    """`str(v)` with characters XML 1.0 cannot carry replaced by `#xNN`."""
    return _ILLEGAL.sub(lambda m: f"#x{ord(m.group()):02X}", str(v))


def _message(text: str) -> str:
    """A message attribute: XML-safe, at most MESSAGE_BUDGET characters."""
    text = xml_text(text)
    return text if len(text) <= MESSAGE_BUDGET else text[:MESSAGE_BUDGET - 3] + "..."


def _seconds(e: EntryDict) -> str:
    """The entry's recorded seconds as pytest writes times ("0.000" when absent)."""
    s = (e.get("cost") or {}).get("seconds", 0.0)
    return f"{float(s):.3f}" if isinstance(s, (int, float)) else "0.000"


def entry_testcase(e: EntryDict, suite: str, stmts: object = None) -> tuple[ET.Element, str]:
    """The testcase of one entry and its outcome: "passed", "failure" or "skipped"."""
    layer = str(e.get("layer", "?"))
    tc = ET.Element("testcase", {"classname": xml_text(f"{suite}.{layer}"),
                                 "name": xml_text(e.get("name", "?")),
                                 "time": _seconds(e)})
    status, claim = status_of(e), entry_claim(e)
    if status == "refuted":
        cex = counterexample_of(e)
        text = (counterexample_text(cex) if cex is not None
                else str(result_of(e).get("detail") or "no counterexample recorded"))
        f = ET.SubElement(tc, "failure", {"message": _message(claim), "type": "refuted"})
        f.text = xml_text(text)
        outcome = "failure"
    elif status in ("proved", "agreed"):
        outcome = "passed"
    else:
        kind = status if status in ("unknown", "not_run") else "missing"
        s = ET.SubElement(tc, "skipped", {"type": kind, "message": _message(claim)})
        s.text = xml_text(f"{claim} (never a pass)")
        outcome = "skipped"
    out = ET.SubElement(tc, "system-out")
    sources = "".join(f"\nsource: {x}" for x in statement_refs(stmts, e.get("name")))
    out.text = xml_text(f"{claim}\nstatement: {e.get('statement', '')}\n"
                        f"location: {e.get('location', '')}{sources}")
    return tc, outcome


def to_junit(cert: CertDict, suite: str) -> str:
    """JUnit XML text (UTF-8 declaration included) for `cert` as testsuite `suite`."""
    root = ET.Element("testsuites", {"name": xml_text(suite)})
    ts = ET.SubElement(root, "testsuite", {"name": xml_text(suite)})
    props = ET.SubElement(ts, "properties")
    for k, v in (("status", overall_status(cert)), ("claim", overall_claim(cert)),
                 ("original_hash", cert.get("original_hash", "")),
                 ("final_hash", cert.get("final_hash", ""))):
        ET.SubElement(props, "property", {"name": k, "value": xml_text(v)})
    counts = {"passed": 0, "failure": 0, "skipped": 0, "error": 0}
    total = 0.0
    entries = list(cert.get("entries") or [])
    for e in entries:
        tc, outcome = entry_testcase(e, suite, cert.get("statements"))
        ts.append(tc)
        counts[outcome] += 1
        total += float(tc.get("time", "0"))
    for st in build_view(cert).steps:
        for name in st.missing:
            tc = ET.SubElement(ts, "testcase", {"classname": xml_text(f"{suite}.L1"),
                                               "name": xml_text(name), "time": "0.000"})
            err = ET.SubElement(tc, "error", {"message": "no result recorded", "type": "missing"})
            err.text = xml_text(f"step {st.label} lists obligation {name} but the certificate "
                                "has no result for it: not proved")
            counts["error"] += 1
    if not entries:
        tc = ET.SubElement(ts, "testcase", {"classname": xml_text(f"{suite}.certificate"),
                                            "name": "certificate", "time": "0.000"})
        ET.SubElement(tc, "skipped", {"type": "unknown",
                                      "message": "no checks recorded: status unknown"})
        counts["skipped"] += 1
    v = cert_verdict(cert)
    tc = ET.SubElement(ts, "testcase", {"classname": xml_text(f"{suite}.certificate"),
                                        "name": "verdict", "time": "0.000"})
    why = "; ".join(v.reasons) or f"proved by {v.proved_by}"
    if v.status in ("refuted", "refused"):
        f = ET.SubElement(tc, "failure", {"message": _message(f"{v.status}: {why}"),
                                          "type": v.status})
        f.text = xml_text(f"{v.status}: {why}")
        counts["failure"] += 1
    elif v.status != "proved":
        sk = ET.SubElement(tc, "skipped", {"type": "unknown", "message": _message(why)})
        sk.text = xml_text(f"not proved: {why} (never a pass)")
        counts["skipped"] += 1
    else:
        counts["passed"] += 1
    warn = status_inconsistency(cert)
    if warn:
        tc = ET.SubElement(ts, "testcase", {"classname": xml_text(f"{suite}.certificate"),
                                            "name": "status", "time": "0.000"})
        f = ET.SubElement(tc, "failure", {"message": _message(warn), "type": "inconsistent"})
        f.text = xml_text(warn)
        counts["failure"] += 1
    ts.set("errors", str(counts["error"]))
    ts.set("failures", str(counts["failure"]))
    ts.set("skipped", str(counts["skipped"]))
    ts.set("tests", str(sum(counts.values())))
    ts.set("time", f"{total:.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=False).join(
        ['<?xml version="1.0" encoding="utf-8"?>\n', "\n"])
