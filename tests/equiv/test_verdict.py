"""The verdict rule as a table: layer selections x step kinds x results per layer.

Each row builds the certificate a run with those layers would record (hardware annotations
always carry their L1 results, whatever the layers) and checks `verdict` against the rule
as README states it. Literal rows pin down the cases the rule exists for.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from allo_verify.equiv.certificate import Certificate
from allo_verify.equiv.verdict import EXIT_CODES, verdict

LAYER_SELECTIONS = [("L1",), ("L2",), ("L3",), ("L1", "L2"), ("L1", "L3"), ("L2", "L3"),
                    ("L1", "L2", "L3")]
#: kind -> (primitive, hardware, unchecked)
KINDS = {"loop": ("split", False, False), "hardware": ("parallel", True, False),
         "unchecked loop": ("split", False, True),
         "unchecked hardware": ("parallel", True, True)}
L1_RESULTS = ["proved", "refuted", "unknown", "not_run"]
L2_RESULTS = ["proved", "refuted", "unknown", "not_run"]
L3_RESULTS = ["agreed", "refuted", "unknown", "not_run"]
#: the CSIM entry (C simulation of the emitted C++): absent when csim was not requested
CSIM_RESULTS = ["absent", "agreed", "refuted", "unknown", "not_run"]


def result(status: str) -> dict[str, Any]:
    return {"proved": {"status": "proved", "detail": "", "modulo_reassoc": False},
            "agreed": {"status": "agreed", "trials": 10, "seed": 0},
            "refuted": {"status": "refuted", "counterexample": None, "detail": "differs"},
            "unknown": {"status": "unknown", "reason": "rlimit"},
            "not_run": {"status": "not_run", "reason": "too large"}}[status]


def entry(layer: str, name: str, status: str) -> dict[str, Any]:
    return {"layer": layer, "name": name, "statement": "", "location": "", "scope": {},
            "cost": {"queries": 0, "extra": {}}, "result": result(status)}


def make_cert(layers: tuple[str, ...], kind: str, r1: str, r2: str, r3: str,
              steps: int = 1, rc: str = "absent") -> dict[str, Any]:
    """The certificate of `steps` steps of `kind`, each with two L1 obligations (one proved,
    one with result `r1`), the L2 / L3 entries of the selected layers, and a CSIM entry
    with result `rc` unless it is "absent"."""
    prim, hardware, unchecked = KINDS[kind]
    log, entries = [], []
    for k in range(steps):
        names = [f"{prim}(axis='i{k}')/others-unchanged", f"{prim}(axis='i{k}')/S0/x"]
        log.append({"primitive": prim, "args": {"axis": f"i{k}"}, "hardware": hardware,
                    "unchecked": unchecked, "obligations": names})
        if "L1" in layers or hardware:
            entries += [entry("L1", names[0], "proved"), entry("L1", names[1], r1)]
    if "L2" in layers:
        entries.append(entry("L2", "translation-validation", r2))
    if "L3" in layers:
        entries.append(entry("L3", "co-simulation", r3))
    if rc != "absent":
        entries.append(entry("CSIM", "c-simulation", rc))
    return {"status": "proved", "schedule_log": log, "entries": entries}  # status: a lie


def rule(layers: tuple[str, ...], kind: str, r1: str, r2: str, r3: str,
         rc: str = "absent") -> str:
    """README's verdict rule, restated for one step. CSIM (evidence about the emitter) can
    only refute: its refutation refutes the design, any other result changes nothing."""
    _, hardware, unchecked = KINDS[kind]
    has_l1 = "L1" in layers or hardware
    present = ([r1] if has_l1 else []) + ([r2] if "L2" in layers else []) + (
        [r3] if "L3" in layers else []) + [rc]
    if "refuted" in present:
        return "refuted"
    step_proved = has_l1 and r1 == "proved" and not unchecked
    if hardware and not step_proved:
        return "unknown"
    if step_proved or ("L2" in layers and r2 == "proved"):
        return "proved"
    return "unknown"


# an unchecked step with every obligation proved does not arise from the library (the flag
# is only set when one is not), but a certificate file may say so: it is still not proved
ROWS = [(layers, kind, r1, r2, r3, rc) for layers in LAYER_SELECTIONS for kind in KINDS
        for r1, r2, r3, rc in itertools.product(L1_RESULTS, L2_RESULTS, L3_RESULTS,
                                                CSIM_RESULTS)]


@pytest.mark.parametrize("layers", LAYER_SELECTIONS, ids=lambda t: "+".join(t))
@pytest.mark.parametrize("kind", list(KINDS))
def test_table(layers: tuple[str, ...], kind: str) -> None:
    rows = [r for r in ROWS if r[0] == layers and r[1] == kind]
    assert rows
    for row in rows:
        for steps in (1, 2):
            *args, rc = row
            cert = make_cert(*args, steps=steps, rc=rc)
            v = verdict(cert)
            assert v.status == rule(*row), (row, steps, v)
            assert v.exit_code == {"proved": 0, "refuted": 1, "unknown": 2}[v.status]
            # the library's Certificate and the dict form agree
            assert Certificate.from_dict({**cert, "original_hash": "", "final_hash": "",
                                          "allow_reassoc": False}).status == v.status


LITERAL = [
    # (layers, kind, L1, L2, L3) -> status: the cases the rule exists for
    (("L1", "L2", "L3"), "loop", "unknown", "proved", "agreed", "proved"),  # L2 vouches
    (("L1", "L2", "L3"), "loop", "proved", "unknown", "agreed", "proved"),  # L1 vouches
    (("L1", "L2", "L3"), "hardware", "unknown", "proved", "agreed", "unknown"),
    (("L2",), "hardware", "unknown", "proved", "agreed", "unknown"),  # L1 forced, not proved
    (("L2",), "hardware", "proved", "proved", "agreed", "proved"),
    (("L2", "L3"), "unchecked hardware", "unknown", "proved", "agreed", "unknown"),
    (("L1", "L2", "L3"), "unchecked loop", "unknown", "proved", "agreed", "proved"),
    (("L1", "L3"), "unchecked loop", "unknown", "proved", "agreed", "unknown"),
    (("L3",), "loop", "proved", "proved", "agreed", "unknown"),  # simulation proves nothing
    (("L3",), "hardware", "proved", "proved", "agreed", "proved"),  # L1 ran for it
    (("L1", "L2", "L3"), "loop", "proved", "proved", "refuted", "refuted"),
    (("L1",), "loop", "not_run", "proved", "agreed", "unknown"),
]


@pytest.mark.parametrize("row", LITERAL, ids=lambda r: f"{'+'.join(r[0])}-{r[1]}-{r[2]}")
def test_literal_rows(row: tuple[Any, ...]) -> None:
    *args, want = row
    assert verdict(make_cert(*args)).status == want


CSIM_LITERAL = [
    # (layers, kind, L1, L2, L3, CSIM) -> status
    (("L1", "L2", "L3"), "loop", "proved", "proved", "agreed", "agreed", "proved"),
    (("L1", "L2", "L3"), "loop", "proved", "proved", "agreed", "refuted", "refuted"),
    (("L1",), "hardware", "proved", "proved", "agreed", "refuted", "refuted"),
    (("L1", "L2", "L3"), "loop", "proved", "proved", "agreed", "unknown", "proved"),
    (("L1", "L2", "L3"), "loop", "proved", "proved", "agreed", "not_run", "proved"),
    (("L3",), "loop", "proved", "proved", "agreed", "agreed", "unknown"),  # never proves
    (("L1", "L3"), "loop", "unknown", "proved", "agreed", "agreed", "unknown"),
]


@pytest.mark.parametrize("row", CSIM_LITERAL, ids=lambda r: f"{'+'.join(r[0])}-{r[5]}")
def test_csim_rows(row: tuple[Any, ...]) -> None:
    """A proved design whose C++ differs is refuted (never proved); an agreed CSIM proves
    nothing; an unknown or not-run CSIM changes nothing."""
    *args, rc, want = row
    v = verdict(make_cert(*args, rc=rc))
    assert v.status == want
    if rc == "refuted":
        assert v.exit_code == 1
        assert any("emitted HLS C++ differs" in r for r in v.reasons), v.reasons


def test_refused_steps_and_stray_entries() -> None:
    cert = make_cert(("L1", "L2"), "loop", "proved", "proved", "agreed")
    cert["schedule_log"][0]["refused"] = True
    cert["schedule_log"][0]["reason"] = "split refused: obligation x could not be decided"
    v = verdict(cert)
    assert v.status == "refused" and v.exit_code == 1 and "could not be decided" in v.reasons[0]
    # a refuted obligation of the refused step is its reason, not a refutation of the design
    cert["entries"][1]["result"] = result("refuted")
    assert verdict(cert).status == "refused"
    # but a refutation elsewhere is
    cert["entries"][-1]["result"] = result("refuted")
    assert verdict(cert).status == "refuted"
    # an unproved L1 entry no step claims might belong to a hardware step: never proved
    cert = make_cert(("L1", "L2"), "loop", "proved", "proved", "agreed")
    cert["entries"].append(entry("L1", "parallel(axis='k')/S0/independent/B", "unknown"))
    assert verdict(cert).status == "unknown"
    # a step whose log lists an obligation without a result is not proved by L1
    cert = make_cert(("L1",), "loop", "proved", "proved", "agreed")
    cert["schedule_log"][0]["obligations"].append("split(axis='i0')/S9/x")
    assert verdict(cert).status == "unknown"
    # a hardware step known by name is hardware even when the log does not flag it
    cert = make_cert(("L1", "L2"), "hardware", "unknown", "proved", "agreed")
    del cert["schedule_log"][0]["hardware"]
    assert verdict(cert).status == "unknown"
    # no steps: only L2 proves (two kernels compared directly)
    assert verdict({"entries": [entry("L2", "tv", "proved")]}).status == "proved"
    assert verdict({"entries": [entry("L3", "co", "agreed")]}).status == "unknown"
    assert verdict({}).status == "unknown"
    assert EXIT_CODES == {"proved": 0, "refuted": 1, "refused": 1, "unknown": 2}
