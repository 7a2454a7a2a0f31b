"""The command's handling of its inputs and outputs (issue 8, item "bad input").

Variants of each regression: a design importing a helper module (and a package) beside it;
`--out` naming a file, or a path under a file, refused before any verification runs (for
`verify` and `build`); `--trials 0` with co-simulation refused with a message; the output
cut by its reader (`| head`) leaves the exit code to the verdict, with no traceback; the
directory `build` writes has the umask's permissions; and kernels with different signatures
in `av.equivalence` give one message naming both kernels and the argument that differs.
"""

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import allo_verify as av
from allo_verify import cli, int32
from allo_verify.design import SignatureMismatch

ROOT = Path(__file__).parents[2]

HELPER = '''
from allo_verify import int32

SIZE = 4

def double(A: int32[SIZE]) -> int32[SIZE]:
    B: int32[SIZE] = 0
    for i in range(SIZE):
        B[i] = A[i] * 2
    return B
'''

DESIGN = '''
import allo_verify as av
from {module} import double

pipeline = av.customize(double)
pipeline.pipeline("i")
'''


def write_design(tmp_path: Path, package: bool = False) -> Path:
    d = tmp_path / "proj"
    d.mkdir()
    if package:
        (d / "kernels_pkg").mkdir()
        (d / "kernels_pkg" / "__init__.py").write_text("")
        (d / "kernels_pkg" / "vec.py").write_text(HELPER)
        module = "kernels_pkg.vec"
    else:
        (d / "vec_helpers_beside.py").write_text(HELPER)
        module = "vec_helpers_beside"
    path = d / "design.py"
    path.write_text(DESIGN.format(module=module))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("package", [False, True])
def test_design_imports_modules_beside_it(tmp_path: Path, capsys, package: bool) -> None:  # noqa: ANN001
    design = write_design(tmp_path, package)
    before = list(sys.path)
    code, text = run(capsys, "verify", str(design), "--out", str(tmp_path / "o"),
                     "--trials", "3", "--format", "json")
    assert code == 0, text
    assert sys.path == before  # the design's folder was on the path only while loading


def _no_work(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record whether a design was loaded (any work before the check would load it)."""
    loaded: list[str] = []
    import allo_verify.design as design_mod

    real = design_mod.load_designs
    monkeypatch.setattr(design_mod, "load_designs", lambda p: loaded.append(str(p)) or real(p))
    return loaded


@pytest.mark.parametrize("command", ["verify", "build"])
@pytest.mark.parametrize("under", [False, True])
def test_out_naming_a_file_fails_before_any_work(command: str, under: bool, tmp_path: Path,
                                                 capsys, monkeypatch) -> None:  # noqa: ANN001
    design = write_design(tmp_path)
    blocker = tmp_path / "report.txt"
    blocker.write_text("keep me")
    out = blocker / "sub" if under else blocker
    loaded = _no_work(monkeypatch)
    code, text = run(capsys, command, str(design), "--out", str(out), "--trials", "3")
    assert code == 3, text
    assert "file" in text and str(blocker) in text
    assert blocker.read_text() == "keep me"
    assert loaded == [] and "PROVED" not in text  # refused before loading the design


@pytest.mark.parametrize("argv", [["--trials", "0"], ["--trials", "0", "--layers", "L3"],
                                  ["--trials", "0", "--layers", "L2,L3"]])
def test_zero_trials_with_cosimulation_is_a_usage_error(argv: list[str], tmp_path: Path,
                                                        capsys) -> None:  # noqa: ANN001
    design = write_design(tmp_path)
    code, text = run(capsys, "verify", str(design), "--out", str(tmp_path / "o"), *argv)
    assert code == 3 and "--trials" in text and "Traceback" not in text


def test_zero_trials_without_cosimulation_is_fine(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    design = write_design(tmp_path)
    code, text = run(capsys, "verify", str(design), "--out", str(tmp_path / "o"),
                     "--trials", "0", "--layers", "L1,L2", "--format", "json")
    assert code == 0, text


def _closed_reader_run(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run the command with standard output a pipe whose reader is already gone: every
    write fails with EPIPE, as when `| head` has exited."""
    r, w = os.pipe()
    os.close(r)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "allo_verify.cli", *args], stdout=w,
                          stderr=subprocess.PIPE, cwd=cwd, env=env, text=True, timeout=600,
                          check=False)
    os.close(w)
    return proc.returncode, proc.stderr


def test_output_cut_by_its_reader_keeps_the_verdict(tmp_path: Path) -> None:
    design = write_design(tmp_path)
    code, err = _closed_reader_run(["verify", str(design), "--out", str(tmp_path / "o"),
                                    "--trials", "3", "--format", "json"], tmp_path)
    assert code == 0, err
    assert "BrokenPipe" not in err and "Traceback" not in err and "Exception" not in err
    cert = next((tmp_path / "o").glob("*.json"))
    code, err = _closed_reader_run(["report", str(cert)], tmp_path)
    assert code == 0 and "BrokenPipe" not in err and "Traceback" not in err


def test_build_directory_respects_the_umask(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    design = write_design(tmp_path)
    old = os.umask(0o022)
    try:
        code, text = run(capsys, "build", str(design), "--out", str(tmp_path / "b"),
                         "--trials", "3")
    finally:
        os.umask(old)
    assert code == 0, text
    assert stat.S_IMODE((tmp_path / "b").stat().st_mode) == 0o755
    old = os.umask(0o027)
    try:
        code, _ = run(capsys, "build", str(design), "--out", str(tmp_path / "c"), "--no-verify")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "c").stat().st_mode) == 0o750


def ref4(A: int32[4], B: int32[4]) -> int32[4]:  # noqa: N803
    C: int32[4] = 0
    for i in range(4):
        C[i] = A[i] + B[i]
    return C


def narrow_b(A: int32[4], B: av.int16[4]) -> int32[4]:  # noqa: N803
    C: int32[4] = 0
    for i in range(4):
        C[i] = A[i] + B[i]
    return C


def three_args(A: int32[4], B: int32[4], s: int32) -> int32[4]:  # noqa: N803
    C: int32[4] = 0
    for i in range(4):
        C[i] = A[i] + B[i] + s
    return C


def other_result(A: int32[4], B: int32[4]) -> int32[5]:  # noqa: N803
    C: int32[5] = 0
    for i in range(4):
        C[i] = A[i] + B[i]
    return C


@pytest.mark.parametrize("impl,words", [
    (narrow_b, ["argument 2", "'B: int32[4]'", "'B: int16[4]'"]),
    (three_args, ["takes 2 argument(s)", "takes 3"]),
    (other_result, ["result 1", "int32[5]"]),
])
def test_equivalence_signature_mismatch_names_both_kernels(impl, words: list[str]) -> None:  # noqa: ANN001
    with pytest.raises(SignatureMismatch) as e:
        av.equivalence(ref4, impl)
    msg = str(e.value)
    assert "'ref4'" in msg and f"'{impl.__name__}'" in msg and "test_cli_input.py:" in msg
    for w in words:
        assert w in msg, msg
    assert isinstance(e.value, TypeError)


def test_equivalence_mismatch_in_a_design_exits_3(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "eq_design.py"
    path.write_text(textwrap.dedent('''
        import allo_verify as av
        from allo_verify import int32, float32

        def ref(A: int32[4]) -> int32[4]:
            B: int32[4] = 0
            for i in range(4):
                B[i] = A[i]
            return B

        def impl(A: float32[4]) -> int32[4]:
            B: int32[4] = 0
            for i in range(4):
                B[i] = int32(A[i])
            return B

        pair = av.equivalence(ref, impl)
        '''))
    code, text = run(capsys, "verify", str(path), "--out", str(tmp_path / "o"))
    assert code == 3, text
    assert "signatures differ" in text and "'A: int32[4]'" in text and "'A: float32[4]'" in text
    assert "Traceback" not in text and "Signature(" not in text


def test_report_out_naming_a_directory_is_a_usage_error(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    design = write_design(tmp_path)
    assert run(capsys, "verify", str(design), "--out", str(tmp_path / "o"), "--trials", "2",
               "--format", "json")[0] == 0
    cert = next((tmp_path / "o").glob("*.json"))
    code, text = run(capsys, "report", str(cert), "--out", str(tmp_path / "o"))
    assert code == 3 and "is a directory" in text and "Traceback" not in text
