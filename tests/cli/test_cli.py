"""The allo-verify command: exit codes, outputs, atomicity, the certificate diff."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from allo_verify import cli

DESIGNS = Path(__file__).parent / "designs"
EXAMPLES = Path(__file__).parents[2] / "examples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_example_verifies_with_every_report(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, text = run(capsys, "verify", str(EXAMPLES / "producer_consumer.py"), "--out",
                     str(tmp_path), "--trials", "10")
    assert code == 0, text
    assert "joined: PROVED (equivalent)" in text
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["joined.html", "joined.json", "joined.junit.xml", "joined.md"]
    cert = json.loads((tmp_path / "joined.json").read_text())
    assert cert["status"] == "proved"
    suite = ET.parse(tmp_path / "joined.junit.xml").getroot()
    cases = suite.iter("testcase")
    l1 = [e for e in cert["entries"] if e["layer"] == "L1"]
    assert len(list(cases)) == len(cert["entries"]) + 1 and l1  # + the verdict testcase


def test_wrong_implementation_exits_1_with_counterexample(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, text = run(capsys, "verify", str(DESIGNS / "wrong_impl.py"), "--out", str(tmp_path))
    assert code == 1, text
    assert "REFUTED" in text and "counterexample" in text
    assert "return[0][7]" in text or "[7]" in text


def test_illegal_step_exits_1_with_counterexample(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, text = run(capsys, "verify", str(DESIGNS / "illegal_step.py"), "--out", str(tmp_path))
    assert code == 1, text
    assert "REFUSED" in text and "originally" in text and "illegal_step.py:" in text
    # the refused design still gets its reports, which say so
    cert = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert cert["status"] == "refused" and cert["schedule_log"][-1]["refused"] is True


def test_unknown_proof_exits_2(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, text = run(capsys, "verify", str(DESIGNS / "data_dependent.py"), "--out",
                     str(tmp_path), "--trials", "5")
    assert code == 2, text
    assert "UNKNOWN" in text and "PROVED" not in text


def test_syntax_error_exits_3_with_file_and_line(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, text = run(capsys, "verify", str(DESIGNS / "syntax_error.py"), "--out", str(tmp_path))
    assert code == 3
    assert "syntax_error.py:4" in text


def test_unknown_loop_and_bad_usage_exit_3(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, text = run(capsys, "verify", str(DESIGNS / "unknown_loop.py"), "--out", str(tmp_path))
    assert code == 3 and "no loop named 'q'" in text
    code, text = run(capsys, "verify", str(DESIGNS / "two_designs.py"), "--schedule", "nope")
    assert code == 3 and "fused, by_hand" in text
    code, text = run(capsys, "verify", str(DESIGNS / "two_designs.py"), "--format", "pdf")
    assert code == 3 and "pdf" in text
    code, text = run(capsys, "frobnicate")
    assert code == 3


def test_two_designs_in_parallel_and_json_summary(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, text = run(capsys, "verify", str(DESIGNS / "two_designs.py"), "--out", str(tmp_path),
                     "-j", "2", "--trials", "5", "--json", "--format", "json")
    assert code == 0, text
    summary = json.loads(text)
    assert sorted(summary["designs"]) == ["by_hand", "fused"]
    assert {d["status"] for d in summary["designs"].values()} == {"proved"}


def test_build_writes_only_after_verification(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "build"
    code, text = run(capsys, "build", str(DESIGNS / "two_designs.py"), "--schedule", "fused",
                     "--out", str(out), "--trials", "5")
    assert code == 0, text
    assert sorted(p.name for p in out.iterdir()) == [
        "fused.cert.json", "fused.mlir", "fused.schedule.json"]
    assert "i_j_fused" in (out / "fused.mlir").read_text()
    bad = tmp_path / "bad"
    code, text = run(capsys, "build", str(DESIGNS / "wrong_impl.py"), "--out", str(bad))
    assert code == 1 and not bad.exists()
    code, text = run(capsys, "build", str(DESIGNS / "wrong_impl.py"), "--out", str(bad),
                     "--no-verify")
    assert code == 0 and "NOT VERIFIED" in text
    assert (bad / "doubled.UNVERIFIED.txt").exists()


def test_build_replaces_directory_atomically(tmp_path: Path) -> None:
    out = tmp_path / "o"
    cli.write_directory(out, {"a.txt": "1"})
    cli.write_directory(out, {"b.txt": "2"})
    assert sorted(p.name for p in out.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


def test_report_and_diff(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    old, new = tmp_path / "old", tmp_path / "new"
    assert run(capsys, "verify", str(DESIGNS / "two_designs.py"), "--schedule", "fused",
               "--out", str(old), "--format", "json", "--trials", "5")[0] == 0
    cert = json.loads((old / "fused.json").read_text())
    code, md = run(capsys, "report", str(old / "fused.json"), "--format", "md")
    assert code == 0 and "fuse" in md and "proved for this instance" in md
    html_file = tmp_path / "r.html"
    assert run(capsys, "report", str(old / "fused.json"), "--format", "html", "--out",
               str(html_file))[0] == 0
    assert html_file.read_text().lstrip().lower().startswith("<!doctype html")
    # the new schedule drops a proved obligation: diff flags it and exits 1
    weaker = dict(cert)
    weaker["entries"] = [e for e in cert["entries"] if not e["name"].endswith("/onto")]
    new.mkdir()
    (new / "fused.json").write_text(json.dumps(weaker))
    code, text = run(capsys, "diff", str(old / "fused.json"), str(new / "fused.json"))
    assert code == 1, text
    assert "onto" in text
    code, _ = run(capsys, "diff", str(old / "fused.json"), str(old / "fused.json"))
    assert code == 0


@pytest.mark.skipif(shutil.which("allo-verify") is None and not Path(sys.executable).with_name(
    "allo-verify").exists(), reason="the allo-verify console script is not installed")
def test_console_script(tmp_path: Path) -> None:
    exe = shutil.which("allo-verify") or str(Path(sys.executable).with_name("allo-verify"))
    p = subprocess.run([exe, "verify", str(DESIGNS / "syntax_error.py")], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 3 and "syntax_error.py:4" in p.stderr


def test_one_design_with_jobs_runs_l3_in_a_worker(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, text = run(capsys, "verify", str(DESIGNS / "two_designs.py"), "--schedule", "fused",
                     "--out", str(tmp_path), "-j", "2", "--trials", "5", "--format", "json")
    assert code == 0, text
    cert = json.loads((tmp_path / "fused.json").read_text())
    assert [e["layer"] for e in cert["entries"]][-2:] == ["L2", "L3"]
    assert cert["entries"][-1]["result"]["status"] == "agreed"


def test_usage_errors_never_read_as_refuted(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    design = str(DESIGNS / "two_designs.py")
    assert run(capsys, "verify", design, "--layers", "L4")[0] == 3
    assert run(capsys, "verify", design, "--trials", "-1")[0] == 3
    bogus = tmp_path / "list.json"
    bogus.write_text("[1, 2]")
    assert run(capsys, "report", str(bogus))[0] == 3
    assert run(capsys, "diff", str(bogus), str(bogus))[0] == 3
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("precious")
    code, text = run(capsys, "build", design, "--schedule", "fused", "--out", str(keep),
                     "--trials", "5")
    assert code == 3 and "holds other files" in text
    assert (keep / "notes.txt").read_text() == "precious"
