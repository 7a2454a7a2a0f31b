"""Array shapes a user can write but no memref can hold give one located FrontendError, not
a traceback from the MLIR bindings: a dimension beyond int64, a byte size beyond a 64-bit
index, and `int32[4][4]` (the dimensions in two subscripts). Found by the qa4 attack
(`int32[10**30]` reached `MemRefType.get` and failed with its overload list)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import allo_verify as av
from allo_verify import int32
from allo_verify.errors import FrontendError
from allo_verify.lang.types import MAX_ARRAY_CELLS, ArrayType, Int, InvalidArrayType


@pytest.mark.parametrize(("annotation", "words"), [
    ("int32[10**30]", "fewer than 2**57 cells"),
    ("int32[2**40, 2**40]", "1099511627776 x 1099511627776 = "),
    ("int32[2**57]", "fewer than 2**57 cells"),
    ("int32[4][8]", "int32[4, 8], not int32[4][...]"),
])
def test_unholdable_shape_is_a_located_error_through_the_cli(tmp_path: Path, annotation: str,
                                                            words: str) -> None:
    path = tmp_path / "k.py"
    path.write_text(textwrap.dedent(f"""
        import allo_verify as av
        from allo_verify import int32

        def k(A: {annotation}) -> int32[4]:
            B: int32[4] = 0
            return B

        s = av.customize(k)
    """))
    run = subprocess.run([sys.executable, "-m", "allo_verify.cli", "verify", str(path)],
                         capture_output=True, text=True, timeout=300,
                         cwd=Path(__file__).parents[2])
    assert run.returncode != 0
    assert "Traceback" not in run.stderr + run.stdout
    first = (run.stderr or run.stdout).splitlines()[0]
    assert first.startswith(f"{path}:5:") and words in first, first


def test_the_limit_is_exact_and_local_arrays_are_held_to_it() -> None:
    assert isinstance(int32[MAX_ARRAY_CELLS], ArrayType)
    assert isinstance(int32[MAX_ARRAY_CELLS + 1], InvalidArrayType)
    assert isinstance(Int(512)[2**28, 2**29 - 1], ArrayType)  # < 2**57 cells of 64 bytes

    def local(A: int32[4]) -> int32[4]:
        B: int32[2**40, 2**40] = 0  # noqa: F841
        C: int32[4] = 0
        return C

    with pytest.raises(FrontendError, match="fewer than 2\\*\\*57 cells") as info:
        av.customize(local)
    assert info.value.lineno is not None
