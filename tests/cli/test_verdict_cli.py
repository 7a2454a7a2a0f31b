"""The CLI uses the verdict rule: one refused step fails its own design only, exit codes are
the worst over the designs, `report` and `diff` recompute the status from the entries, and
`--allow-reassoc` passes with a stated tolerance."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from allo_verify import cli

DESIGNS = Path(__file__).parent / "designs"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def verdict_case(path: Path) -> ET.Element:
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    return next(c for c in suite.findall("testcase") if c.get("name") == "verdict")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_each_design_gets_its_verdict_and_the_worst_exit_code(tmp_path: Path, capsys,  # noqa: ANN001
                                                               jobs: str) -> None:
    code, text = run(capsys, "verify", str(DESIGNS / "mixed_refusals.py"), "--out",
                     str(tmp_path), "--trials", "5", "-j", jobs)
    assert code == 3, text  # the misnamed loop is a usage error: the worst code
    assert "carried: REFUSED" in text
    # any two neighbouring iterations are a counterexample; which pair Z3 picks depends on
    # what the process asked Z3 before, so the pair is checked, not one particular model
    pair = re.search(r"S2\(i=(\d+)\) and S2\(i=(\d+)\) touch the same cell of B", text)
    assert pair and abs(int(pair[1]) - int(pair[2])) == 1, text
    assert "undecided: REFUSED" in text and "could not be decided" in text
    assert "no loop named 'q'" in text and "good: PROVED" in text
    assert "mixed_refusals.py:36" in text  # where the refused step was requested
    assert "mixed_refusals.py:43" in text  # and the misnamed one
    for name, status in (("carried", "refused"), ("undecided", "refused"), ("good", "proved")):
        cert = json.loads((tmp_path / f"{name}.json").read_text())
        assert cert["status"] == status
        case = verdict_case(tmp_path / f"{name}.junit.xml")
        assert (case.find("failure") is not None) == (status == "refused")
    md = (tmp_path / "carried.md").read_text()
    assert "REFUSED by its checker" in md and "B[i] = B[i - 1] + A[i]" in md
    assert not list(tmp_path.glob("misnamed.*"))


@pytest.mark.parametrize(("name", "want"), [("good", 0), ("carried", 1), ("undecided", 1),
                                             ("misnamed", 3)])
def test_one_design_picked_from_a_file_with_refusals(tmp_path: Path, capsys, name: str,  # noqa: ANN001
                                                     want: int) -> None:
    code, text = run(capsys, "verify", str(DESIGNS / "mixed_refusals.py"), "--schedule", name,
                     "--out", str(tmp_path), "--trials", "5", "--format", "json")
    assert code == want, text


@pytest.mark.parametrize("layers", ["L1", "L2", "L3", "L1,L2", "L2,L3", "L1,L2,L3"])
def test_unchecked_steps_never_pass_where_l1_alone_must_vouch(tmp_path: Path, capsys,  # noqa: ANN001
                                                               layers: str) -> None:
    code, text = run(capsys, "verify", str(DESIGNS / "unchecked_steps.py"), "--out",
                     str(tmp_path), "--trials", "5", "--layers", layers)
    assert code == 2, text
    assert "parallel_scatter: UNKNOWN" in text and "PROVED" not in text
    assert "unchecked step (the user opted in): parallel(axis='i')" in text
    md = (tmp_path / "parallel_scatter.md").read_text()
    assert "UNCHECKED: accepted only because the user opted in" in md
    assert "hardware annotation" in md


def test_report_and_diff_recompute_the_status(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "o"
    assert run(capsys, "verify", str(DESIGNS / "unchecked_steps.py"), "--out", str(out),
               "--trials", "5", "--format", "json", "--layers", "L1")[0] == 2
    path = out / "parallel_scatter.json"
    cert = json.loads(path.read_text())
    lying = tmp_path / "lying.json"
    lying.write_text(json.dumps({**cert, "status": "proved", "claim": "equivalent"}))
    code, md = run(capsys, "report", str(lying))
    assert code == 2 and "**Status: UNKNOWN**" in md and "does not match" in md
    # diff: the stored statuses are ignored, the entries decide
    code, text = run(capsys, "diff", str(lying), str(path))
    assert code == 0 and "overall: unknown" in text
    other = out / "split_gather.json"
    code, text = run(capsys, "diff", str(path), str(other))
    assert code == 3 and "different kernels" in text


def test_allow_reassoc_passes_within_a_stated_tolerance(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    design = str(DESIGNS / "reassociated.py")
    code, text = run(capsys, "verify", design, "--out", str(tmp_path), "--trials", "30")
    assert code in (1, 2) and "PROVED" not in text, text
    code, text = run(capsys, "verify", design, "--out", str(tmp_path), "--trials", "30",
                     "--allow-reassoc")
    assert code == 0, text
    assert "equivalent modulo reassociation" in text and "within tolerance" in text
    cert = json.loads((tmp_path / "halves.json").read_text())
    l3 = next(e for e in cert["entries"] if e["layer"] == "L3")
    assert l3["scope"]["tolerance"]["t"] > 0
    code, text = run(capsys, "verify", design, "--out", str(tmp_path), "--trials", "30",
                     "--allow-reassoc", "--tolerance", "0.01")
    assert code == 0 and "within tolerance 0.01" in text, text
    assert run(capsys, "verify", design, "--tolerance", "0.01")[0] == 3  # needs reassoc
    assert run(capsys, "verify", design, "--allow-reassoc", "--tolerance", "-1")[0] == 3


def test_build_never_writes_a_design_with_a_refused_step(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    design = str(DESIGNS / "mixed_refusals.py")
    for name, want in (("carried", 1), ("misnamed", 3)):
        for extra in ([], ["--no-verify"]):
            out = tmp_path / f"{name}{len(extra)}"
            code, text = run(capsys, "build", design, "--schedule", name, "--out", str(out),
                             "--trials", "5", *extra)
            assert code == want and "refused" in text and not out.exists(), text
    out = tmp_path / "good"
    assert run(capsys, "build", design, "--schedule", "good", "--out", str(out),
               "--trials", "5")[0] == 0
    assert (out / "good.cert.json").exists()
