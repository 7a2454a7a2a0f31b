"""A design file that builds a kernel type from a bad argument while it is imported
(`UInt(-3)`, `Fixed(0, 0)`, `Memory(resource="FOO")`, `int32[0, 4] @ Memory()`, in a type
alias, a kernel signature or a module beside it) makes `allo-verify verify` print one line
naming the file, the line and the problem, and exit 3 (a frontend error), never a traceback.
A bad type inside a kernel body is the usual frontend error at its line.
"""

import textwrap
from pathlib import Path

import pytest

from allo_verify import cli
from allo_verify.design_files import EXIT_USAGE

HEADER = """\
import allo_verify as av
from allo_verify import Memory, int32
from allo_verify.lang.types import Fixed, Int, UInt
"""

KERNEL = """
def double(A: int32[4]) -> int32[4]:
    B: int32[4] = 0
    for i in range(4):
        B[i] = A[i] * 2
    return B

s = av.customize(double)
"""

CASES = {
    "alias": ("T = UInt(-3)\n", "UInt(-3): the width (bits) must be an int in 1..512, got -3"),
    "signature": ("def k(A: Fixed(0, 0)[4]) -> None:\n    pass\n",
                  "Fixed(0, 0): the total width (first argument) must be an int in 1..512"),
    "memory": ("def k(A: int32[4] @ Memory(resource='FOO')) -> None:\n    pass\n",
               "Memory(resource='FOO'): resource must be one of AUTO, BRAM, URAM"),
    "dims": ("def k(A: int32[0, 4] @ Memory()) -> None:\n    pass\n",
             "int32[0, 4] @ Memory(): not a kernel type: array dimension must be a positive int"),
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("case", list(CASES))
def test_bad_type_argument_at_import_is_one_line_and_exit_3(case: str, tmp_path: Path,
                                                             capsys) -> None:  # noqa: ANN001
    bad, words = CASES[case]
    path = tmp_path / "design.py"
    path.write_text(HEADER + bad + KERNEL)
    line = HEADER.count("\n") + 1
    code, out, err = run(capsys, "verify", str(path), "--out", str(tmp_path / "o"))
    assert code == EXIT_USAGE, (out, err)
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{path}:{line}:") and words in lines[0], lines[0]


def test_bad_type_in_a_module_beside_the_design_names_that_module(tmp_path: Path,
                                                                    capsys) -> None:  # noqa: ANN001
    (tmp_path / "my_types.py").write_text("from allo_verify.lang.types import Fixed\n\n"
                                          "Q = Fixed(8, 9)\n")
    path = tmp_path / "design.py"
    path.write_text(HEADER + "from my_types import Q\n" + KERNEL)
    code, out, err = run(capsys, "verify", str(path), "--out", str(tmp_path / "o"))
    assert code == EXIT_USAGE and "Traceback" not in out + err
    assert err.strip() == (f"{tmp_path / 'my_types.py'}:3:5: Fixed(8, 9): the fractional bits "
                           "(second argument) must be an int in 0..8 (the total width), got 9")


def test_bad_type_in_a_kernel_body_is_a_frontend_error_at_its_line(tmp_path: Path,
                                                                    capsys) -> None:  # noqa: ANN001
    body = textwrap.dedent("""
        def k(A: int32[4]) -> int32:
            x: Int(0) = 1
            return x + A[0]

        s = av.customize(k)
    """)
    path = tmp_path / "design.py"
    path.write_text(HEADER + body)
    line = HEADER.count("\n") + 3
    code, out, err = run(capsys, "verify", str(path), "--out", str(tmp_path / "o"))
    assert code == EXIT_USAGE and "Traceback" not in out + err
    first = err.strip().splitlines()[0]
    assert first.startswith(f"{path}:{line}:")
    assert "annotation 'Int(0)' is not a kernel type: Int(0): the width" in first


def test_good_type_arguments_verify(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "design.py"
    path.write_text(HEADER + "T = UInt(8)\nQ = Fixed(8, 8)\nM = int32[4] @ Memory('BRAM')\n"
                    + KERNEL)
    code, out, err = run(capsys, "verify", str(path), "--out", str(tmp_path / "o"),
                         "--layers", "L2")
    assert code == 0, (out, err)
