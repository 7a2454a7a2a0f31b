"""Markdown report content on proved, refuted and unknown / not-run certificates."""

from __future__ import annotations

import re
from typing import Any

from allo_verify.report.markdown import md_block, md_cell, to_markdown


def test_proved_report(cert: Any) -> None:
    md = to_markdown(cert("proved"), "gemm tiled")
    assert md.startswith("# gemm tiled\n")
    assert "**Status: PROVED**: the scheduled design is equivalent to the original kernel." in md
    assert "| L1 per-primitive obligations | 37 | 37 proved | proved for this instance |" in md
    assert "proved for all input values at sizes A: 12x6, B: 6x8" in md
    assert "agreed on 10 distinct random inputs (seed 0)" in md
    assert "Proved by: L1, every step (and L1 for every hardware annotation)." in md
    assert "proved for all sizes" not in md  # no entry says parametric
    for label in ("split(axis='i', factor=4)", "split(axis='j', factor=4)",
                  "reorder(axes=('i.outer', 'j.outer', 'k', 'i.inner', 'j.inner'))",
                  "pipeline(axis='k', initiation_interval=1)"):
        assert f"`{label}`" in md
    assert md.count("### Step ") == 4
    # loops before and after as code blocks
    assert "```text\ngemm:C.init0  0 to 12\n  gemm:C.init1  0 to 8\ngemm:i  0 to 12\n" in md
    assert "gemm:i.outer  0 to 3\n  gemm:i.inner" in md
    assert "| S1/sound | every instance of S1 after split(axis='i', factor=4) maps to an " \
           "instance it had before | S1: C[i, j] += A[i, k] * B[k, j] (kernels.py:12) | " \
           "PROVED | proved for this instance |" in md
    assert "| S1 | `C[i, j] += A[i, k] * B[k, j]` | tests/schedule/kernels.py:12:13 |" in md
    c = cert("proved")
    assert c["original_hash"] in md and c["final_hash"] in md


def test_refuted_l1_shows_counterexample(cert: Any) -> None:
    c = cert("refuted_l1")
    note = next(e for e in c["entries"] if e["result"]["status"] == "refuted")[
        "result"]["counterexample"]["note"]
    md = to_markdown(c)
    assert md.startswith("# Equivalence certificate\n")
    assert "**Status: REFUSED**: a schedule step was refused by its checker: step 1 " in md
    assert f"> {note}" in md
    assert "- before the step: `holds before`" in md and "- after the step: `broken after`" in md
    assert "- confirmed by: `z3-model`" in md
    assert "- **REFUSED by its checker: reorder(axes=('j', 'i')) refused" in md
    assert "Loops after: none: the step was refused" in md
    assert "S0: A[i, j] = " in md  # the refused statement, as the user wrote it
    assert "equivalent to the original" not in md


def test_refuted_l2_shows_cell_values_and_inputs(cert: Any) -> None:
    md = to_markdown(cert("refuted_l2"))
    assert "- differing output cell: `return[0][0, 0]`" in md
    assert "- value in the original (a): `148327175`" in md
    assert "- value in the transformed design (b): `-2092762307`" in md
    assert "A = [\n    [0, 1, 1537810351, -1, -148327174, -2147483648]," in md
    assert "> shrunk by hypothesis (seed 0)" in md  # the L3 counterexample too
    assert "The schedule log is empty" in md
    assert "proved" not in md.lower().replace("not proved", "")


def test_unknown_and_not_run_are_never_proved(cert: Any) -> None:
    md = to_markdown(cert("unknown"))
    assert ("**Status: UNKNOWN**: not established: L2 did not prove the whole kernel, and step "
            "1 split(axis='i', factor=4) is not proved by L1: obligation split(axis='i', "
            "factor=4)/S1/sound is unknown") in md
    assert "| L1 per-primitive obligations | 37 | 36 proved, 1 unknown | " \
           "not established: 1 unknown of 37 |" in md
    assert "| S1/sound | every instance of S1 after split(axis='i', factor=4) maps to an " \
           "instance it had before | S1: C[i, j] += A[i, k] * B[k, j] (kernels.py:12) | " \
           "UNKNOWN | unknown: resource limit (rlimit 20000000) reached [fixture] |" in md
    assert "**NOT RUN**: not run: too large: more than 100 ops would execute [fixture]" in md
    assert "equivalent to the original" not in md
    nr = to_markdown(cert("not_run"))
    assert "**Status: UNKNOWN**" in nr and "PROVED" not in nr
    assert "not run: too large: 72 cells x 100 trials > 10" in nr
    assert "The final IR is identical to the original." in nr


def test_missing_obligation_and_foreign_log_entries(cert: Any) -> None:
    c = cert("proved")
    c["schedule_log"][3]["obligations"].append("pipeline(axis='k', initiation_interval=1)/x")
    c["schedule_log"].append({"step": "none"})
    md = to_markdown(c)
    assert "**Missing results**" in md and "`pipeline(axis='k', initiation_interval=1)/x`" in md
    assert "### Step 5: `step 5: ?`" in md and '"step": "none"' in md


def test_markdown_escaping() -> None:
    assert md_cell("a|b\nc") == "a\\|b<br>c"
    assert md_block(["x ``` y"])[0] == "````text"
    c = {"status": "refuted", "entries": [{"layer": "L2", "name": "n|m", "statement": "s",
                                          "location": "", "cost": {}, "scope": {},
                                          "result": {"status": "refuted",
                                                     "counterexample": None, "detail": "d"}}],
         "schedule_log": [], "original_hash": "", "final_hash": ""}
    md = to_markdown(c)
    assert re.search(r"refuted \(d\)", md) and "(not recorded)" in md
