"""The extraction cache (`base.statements`, keyed by function, design key and argument
names) never serves one function's or one naming's statements for another: checked by the
attack5 QA pass on a two-function design and on one design under two argument namings."""

from __future__ import annotations

import allo_verify as av
from allo_verify import int32
from allo_verify.schedule.primitives.base import Context, forget_statements, statements

T = 8


def bump(A: int32[T]) -> None:
    for i in range(T):
        A[i] = A[i] + 1


def copy_after_bump(A: int32[T], B: int32[T]) -> None:
    bump(A)
    for j in range(T):
        B[j] = A[j]


def _shape(found: dict) -> list[tuple]:
    return [(sid, st.loops, tuple(a.buffer for a in st.accesses))
            for sid, st in sorted(found.items())]


def test_each_function_of_one_design_gets_its_own_statements() -> None:
    s = av.customize(copy_after_bump)
    names = {f: s.ctx.arg_names[f] for f in ("bump", "copy_after_bump")}
    assert names["bump"] == ["A"]
    warm = {f: _shape(statements(s.module, f, s.ctx)) for f in names}
    assert warm["bump"] != warm["copy_after_bump"]
    assert any(loops == ("i",) for _, loops, _ in warm["bump"])
    assert not any(loops == ("i",) for _, loops, _ in warm["copy_after_bump"])
    forget_statements()
    cold = {f: _shape(statements(s.module, f, s.ctx)) for f in reversed(list(names))}
    assert cold == warm


def test_one_design_under_two_argument_namings_gets_two_extractions() -> None:
    s = av.customize(copy_after_bump)
    f = "copy_after_bump"
    first = statements(s.module, f, Context({f: ["X", "Y"]}))
    second = statements(s.module, f, Context({f: ["P", "Q"]}))
    bufs = {a.buffer for st in first.values() for a in st.accesses}
    assert {"X", "Y"} <= bufs
    assert {"P", "Q"} <= {a.buffer for st in second.values() for a in st.accesses}
    assert not bufs & {"P", "Q"}
