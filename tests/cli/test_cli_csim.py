"""`allo-verify verify --csim` and `allo-verify build --target vhls`: the C simulation
layer on the command line, and the HLS project written only after everything passed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from allo_verify import cli
from allo_verify.codegen.hls import expressions

DESIGNS = Path(__file__).parent / "designs"
EXAMPLES = Path(__file__).parents[2] / "examples"
FDIV = str(DESIGNS / "floor_div.py")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture
def broken_emitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation: C's truncating `/` for MLIR's floor division."""
    monkeypatch.setitem(expressions.OPS, "arith.floordivsi", expressions._signed_div("/"))


def test_verify_csim_records_the_layer(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, text = run(capsys, "verify", FDIV, "--csim", "--trials", "10", "--out",
                     str(tmp_path), "--format", "json,md")
    assert code == 0, text
    assert "CSIM  emitted C++ agreed with the LLVM simulation on 10 inputs" in text
    cert = json.loads((tmp_path / "split_div.json").read_text())
    assert [e["result"]["status"] for e in cert["entries"] if e["layer"] == "CSIM"] == \
        ["agreed"]
    assert "C simulation of the emitted HLS C++" in (tmp_path / "split_div.md").read_text()


def test_verify_without_csim_has_no_csim_entry(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, _ = run(capsys, "verify", FDIV, "--trials", "3", "--out", str(tmp_path),
                  "--format", "json")
    cert = json.loads((tmp_path / "split_div.json").read_text())
    assert code == 0 and all(e["layer"] != "CSIM" for e in cert["entries"])


def test_verify_csim_with_jobs_runs_csim_beside_l3(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, text = run(capsys, "verify", FDIV, "--csim", "--trials", "6", "-j", "2", "--out",
                     str(tmp_path), "--format", "json")
    assert code == 0, text
    cert = json.loads((tmp_path / "split_div.json").read_text())
    layers = [e["layer"] for e in cert["entries"] if e["layer"] != "L1"]
    assert sorted(layers) == ["CSIM", "L2", "L3"]


def test_broken_emitter_makes_verify_exit_1(tmp_path: Path, capsys, broken_emitter) -> None:  # noqa: ANN001
    code, text = run(capsys, "verify", FDIV, "--csim", "--trials", "30", "--out",
                     str(tmp_path), "--format", "json")
    assert code == 1, text
    assert "split_div: REFUTED" in text and "emitted HLS C++ differs" in text
    assert "counterexample (CSIM c-simulation)" in text and "result[" in text
    assert "L2  proved" in text  # the IR itself is still proved


def test_build_vhls_writes_the_project_after_csim(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    code, text = run(capsys, "build", FDIV, "--target", "vhls", "--out", str(out),
                     "--trials", "8")
    assert code == 0, text
    hls = out / "split_div.hls"
    for f in ("kernel.cpp", "kernel.h", "testbench.cpp", "run.tcl", "hls_config.cfg"):
        assert (hls / f).is_file(), f
    assert sorted((hls / "data").iterdir())  # one testbench input
    cert = json.loads((out / "split_div.cert.json").read_text())
    from allo_verify.codegen.hls.hls_module import code_hash

    sha = [e["scope"]["cxx_sha256"] for e in cert["entries"] if e["layer"] == "CSIM"]
    assert sha == [code_hash((hls / "kernel.cpp").read_text())]  # the C++ that was simulated


def test_build_llvm_stays_the_default(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    code, text = run(capsys, "build", FDIV, "--out", str(out), "--trials", "4")
    assert code == 0, text
    assert sorted(p.name for p in out.iterdir()) == [
        "split_div.cert.json", "split_div.mlir", "split_div.schedule.json"]
    cert = json.loads((out / "split_div.cert.json").read_text())
    assert all(e["layer"] != "CSIM" for e in cert["entries"])


def test_broken_emitter_builds_nothing(tmp_path: Path, capsys, broken_emitter) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    code, text = run(capsys, "build", FDIV, "--target", "vhls", "--out", str(out),
                     "--trials", "30")
    assert code == 1, text
    assert "not built" in text and not out.exists()


def test_csim_that_cannot_run_builds_nothing(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("CXX", "no-such-gxx-for-allo-verify")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "out"
    code, text = run(capsys, "build", FDIV, "--target", "vhls", "--out", str(out),
                     "--trials", "3")
    assert code == 2, text
    assert "C simulation did not agree (unknown" in text and not out.exists()
    # the LLVM target does not need C simulation
    code, text = run(capsys, "build", FDIV, "--out", str(out), "--trials", "3")
    assert code == 0, text


def test_refused_and_unknown_designs_are_not_built(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    code, text = run(capsys, "build", str(DESIGNS / "illegal_step.py"), "--target", "vhls",
                     "--out", str(out))
    assert code == 1 and not out.exists(), text
    code, text = run(capsys, "build", str(DESIGNS / "data_dependent.py"), "--target", "vhls",
                     "--out", str(out), "--trials", "3")
    assert code == 2 and not out.exists(), text


@pytest.mark.parametrize("argv, expect", [
    (["--target", "vhls", "--no-verify"], "cannot be combined with --no-verify"),
    (["--target", "vhls", "--trials", "0"], "C simulation no input"),
    (["--target", "verilog"], "invalid choice"),
])
def test_build_usage_errors(tmp_path: Path, capsys, argv, expect) -> None:  # noqa: ANN001
    code, text = run(capsys, "build", FDIV, "--out", str(tmp_path / "o"), *argv)
    assert code == 3 and expect in text, text


def test_ci_installs_what_c_simulation_needs() -> None:
    """The `csim` extra exists and the `test` extra (what CI and the README install) holds
    all of it; CI installs g++ where it is missing."""
    import tomllib

    root = Path(__file__).parents[2]
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert extras["csim"] and set(extras["csim"]) <= set(extras["test"])
    assert "g++" in (root / ".ci" / "run").read_text()
