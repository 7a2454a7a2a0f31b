"""The symbolic tier forwards values through copies (`copy_forward`): reuse_at's line buffer
and window (fill, shift, load) and buffer_at's fills and write-backs are proved at any size,
and the same designs with one broken copy (a wrong shift, a wrong fill row, a load from the
wrong column) are refuted with an LLVM-confirmed counterexample, never proved."""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
from mlir import ir

from allo_verify.equiv.results import Proved, Refuted
from allo_verify.equiv.symbolic_tier import symbolic_l2
from allo_verify.equiv.tv import check_equivalent_modules

ROOT = Path(__file__).resolve().parents[2]


def _jacobi() -> Any:
    spec = importlib.util.spec_from_file_location("copies_jacobi2d", ROOT / "examples" /
                                                  "jacobi2d.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@functools.cache
def _pair(n: int, steps: int) -> tuple[str, str]:
    """The original and scheduled IR as text (immutable: each test parses its own modules;
    built once per size, as five tests mutate or prove the same (10, 2) design)."""
    s = _jacobi().customize(n, steps)
    return str(s.original), str(s.module)


@pytest.mark.parametrize("n,steps", [(10, 2), (250, 100), (1000, 500)])
def test_reuse_at_line_buffer_and_window_proved_at_any_size(n: int, steps: int) -> None:
    ta, tb = _pair(n, steps)
    with ir.Context():
        r = check_equivalent_modules(ir.Module.parse(ta), ir.Module.parse(tb))
    assert isinstance(r.result, Proved) and r.scope["tier"] == "symbolic", r.result


# each mutation: (what it breaks, regex on the scheduled IR, replacement)
MUTANTS = [
    ("window shift reads its own cell", r"(affine\.load %alloc_1\[%arg5, %arg6) \+ 1\]", r"\1]"),
    ("line-buffer shift reads its own row",
     r"(affine\.load %alloc_2\[%arg4) \+ 1(, %arg5\])", r"\1\2"),
    ("line buffer fills from the wrong row",
     r"(affine\.load %arg0\[%arg3 \+ %arg4) - 1(, %arg5\])", r"\1\2"),
    ("window loads the wrong column",
     r"(affine\.load %alloc_2\[%arg5, %arg4 \+ %arg6) \+ 1\]", r"\1]"),
]


@pytest.mark.parametrize("what,pat,rep", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_broken_line_buffer_refuted(what: str, pat: str, rep: str) -> None:
    ta, tb = _pair(10, 2)
    bad, n = re.subn(pat, rep, tb, count=1)
    assert n == 1, f"mutation {what!r} did not apply"
    with ir.Context():
        ma, mb = ir.Module.parse(ta), ir.Module.parse(bad)
        res, scope = symbolic_l2(ma, mb, None, "jacobi_2d", "jacobi_2d", False, True, 0)
    assert isinstance(res, Refuted), (what, res)
    cex = res.counterexample
    assert cex is not None and cex.confirmed == "llvm" and cex.value_a != cex.value_b
    assert scope["tier"] == "symbolic"


@pytest.mark.parametrize("what,pat,rep", MUTANTS[1:2], ids=[m[0] for m in MUTANTS[1:2]])
def test_broken_line_buffer_unconfirmed_is_never_proved(what: str, pat: str, rep: str) -> None:
    """Without confirming on the LLVM simulations (replay off, as for a design too large to
    simulate): a candidate, Unknown, never Proved."""
    ta, tb = _pair(40, 6)
    bad, n = re.subn(pat, rep, tb, count=1)
    assert n == 1
    with ir.Context():
        ma, mb = ir.Module.parse(ta), ir.Module.parse(bad)
        res, _ = symbolic_l2(ma, mb, None, "jacobi_2d", "jacobi_2d", False, False, 0)
    assert not isinstance(res, Proved), (what, res)
    assert "candidate" in res.reason, res
