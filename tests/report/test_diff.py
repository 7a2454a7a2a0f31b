"""Certificate diffs: what changed, and `weaker` exactly when evidence was lost."""

from __future__ import annotations

import copy
from typing import Any

from allo_verify.report.diff import diff_certificates

SOUND = "L1:split(axis='i', factor=4)/S1/sound"


def test_identical_is_unchanged_and_not_weaker(cert: Any) -> None:
    d = diff_certificates(cert("proved"), cert("proved"))
    assert d.unchanged and not d.weaker
    assert d.to_text() == "overall: proved\nnot weaker\nno changes\n"


def test_dropping_a_proved_obligation_is_weaker(cert: Any) -> None:
    old, new = cert("proved"), cert("proved")
    new["entries"] = [e for e in new["entries"]
                      if e["name"] != "split(axis='i', factor=4)/S1/sound"]
    d = diff_certificates(old, new)
    assert d.weaker and d.obligations_removed == [SOUND]
    assert d.weakenings == [f"{SOUND} was proved, now missing"]
    assert f"obligation removed: {SOUND}" in d.to_text()
    assert d.overall_old == d.overall_new == "proved"  # weaker although still "proved"


def test_only_adding_is_not_weaker(cert: Any) -> None:
    old = cert("proved")
    new = copy.deepcopy(old)
    extra = copy.deepcopy(new["entries"][0])
    extra["name"] = "split(axis='i', factor=4)/S2/sound"
    new["entries"].insert(11, extra)
    new["schedule_log"][0]["obligations"].append(extra["name"])
    step = copy.deepcopy(new["schedule_log"][-1])
    step["args"]["initiation_interval"] = 2
    attrs = copy.deepcopy(next(e for e in new["entries"] if e["name"] in step["obligations"]))
    attrs["name"] = "pipeline(axis='k', initiation_interval=2)/attributes-only"
    step["obligations"] = [attrs["name"]]  # a hardware step: L1 must prove it
    new["schedule_log"].append(step)
    new["entries"].insert(len(new["entries"]) - 2, attrs)
    new["entries"].append({**copy.deepcopy(new["entries"][-1]), "layer": "CSIM",
                           "name": "csim"})
    d = diff_certificates(old, new)
    assert not d.weaker, d.weakenings
    assert d.obligations_added == ["L1:split(axis='i', factor=4)/S2/sound",
                                   f"L1:{attrs['name']}"]
    assert d.steps_added == ["pipeline(axis='k', initiation_interval=2)"]
    assert d.steps_changed == ["split(axis='i', factor=4)"]  # its obligation list grew
    assert d.layers_added == ["CSIM:csim"] and not d.steps_removed


def test_status_changes_per_obligation_and_layer(cert: Any) -> None:
    d = diff_certificates(cert("proved"), cert("unknown"))
    assert d.weaker and d.overall_old == "proved" and d.overall_new == "unknown"
    changes = {c.key: (c.old_status, c.new_status) for c in d.status_changes}
    assert changes == {SOUND: ("proved", "unknown"),
                       "L2:translation-validation": ("proved", "not_run")}
    text = d.to_text()
    assert text.startswith("overall: proved -> unknown\n")
    assert "overall status dropped from proved to unknown" in text
    assert f"status changed: {SOUND}: proved -> unknown (proved for this instance -> " in text
    # the other direction only strengthens
    back = diff_certificates(cert("unknown"), cert("proved"))
    assert not back.weaker and len(back.status_changes) == 2


def test_refuted_new_and_weaker_scope(cert: Any) -> None:
    refuted = cert("reassoc")
    refuted["entries"][0]["result"] = {"status": "refuted", "counterexample": None,
                                       "detail": "differs"}
    assert diff_certificates(cert("reassoc"), refuted).weaker
    assert not diff_certificates(refuted, cert("reassoc")).weaker
    old, new = cert("proved"), cert("proved")
    new["entries"][-1]["scope"]["trials"] = 3
    new["entries"][-1]["result"]["trials"] = 3
    d = diff_certificates(old, new)
    assert d.weaker and "agreed on 10 inputs, now only on 3" in d.weakenings[0]
    assert d.scope_changes == ["L3:co-simulation: trials 10 -> 3"]
    old["entries"][0]["scope"]["parametric"] = True
    d = diff_certificates(old, cert("proved"))
    assert d.weaker and "now only for this instance" in d.weakenings[0]
    d = diff_certificates(cert("proved"), old)  # gaining parametric is not weaker
    assert not d.weaker and d.status_changes[0].new_claim == "proved for all sizes"


def test_steps_removed_and_reordered(cert: Any) -> None:
    old, new = cert("proved"), cert("proved")
    new["schedule_log"] = [new["schedule_log"][1], new["schedule_log"][0]]
    d = diff_certificates(old, new)
    assert d.steps_reordered and d.steps_removed == [
        "reorder(axes=('i.outer', 'j.outer', 'k', 'i.inner', 'j.inner'))",
        "pipeline(axis='k', initiation_interval=1)"]
    new["final_hash"] = "0" * 64
    assert diff_certificates(old, new).hashes_changed[0].startswith("final_hash: ")


def test_certificates_of_different_kernels_are_not_compared(cert: Any) -> None:
    d = diff_certificates(cert("reassoc"), cert("refuted_l2"))
    assert d.different_kernels and "fsum_seq" in d.different_kernels
    assert "different kernels" in d.to_text() and not d.weaker


def test_overall_status_is_recomputed_never_read(cert: Any) -> None:
    old, new = cert("proved"), cert("unknown")
    new["status"] = "proved"  # a stored field claiming more than the entries give
    d = diff_certificates(old, new)
    assert d.overall_new == "unknown" and d.weaker
    tampered = cert("proved")
    tampered["status"] = "refuted"  # and one claiming less changes nothing either
    assert diff_certificates(cert("proved"), tampered).overall_new == "proved"


def test_a_step_now_unchecked_is_weaker(cert: Any) -> None:
    old, new = cert("proved"), cert("proved")
    new["schedule_log"][0]["unchecked"] = True
    d = diff_certificates(old, new)
    assert d.weaker and any("now accepted unchecked" in w for w in d.weakenings)
