"""The Z3 table agrees with Python reference arithmetic at odd widths (1..128)."""

from __future__ import annotations

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from allo_verify.equiv.concrete import eval_op, to_signed
from allo_verify.equiv.z3_table import Z3_OPS, lookup, z3_const

BIN = ["arith.addi", "arith.subi", "arith.muli", "arith.divsi", "arith.divui", "arith.remsi",
       "arith.remui", "arith.floordivsi", "arith.ceildivsi", "arith.ceildivui", "arith.andi",
       "arith.ori", "arith.xori", "arith.shli", "arith.shrsi", "arith.shrui", "arith.minsi",
       "arith.maxsi", "arith.minui", "arith.maxui"]


def z3_eval(op: str, rt: str, ats: tuple[str, ...], attr: object, vals: list[int]) -> int:
    args = [z3_const(v, t) for v, t in zip(vals, ats, strict=True)]
    e = z3.simplify(Z3_OPS[op](args, rt, ats, attr))
    return e.as_long() if not z3.is_true(e) else 1


@st.composite
def width_and_values(draw: st.DrawFn, n: int) -> tuple[int, list[int]]:
    w = draw(st.integers(1, 128))
    edge = st.sampled_from([0, 1, (1 << w) - 1, 1 << (w - 1), (1 << (w - 1)) - 1])
    vals = [draw(st.one_of(edge, st.integers(0, (1 << w) - 1))) for _ in range(n)]
    return w, vals


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.sampled_from(BIN), width_and_values(2))
def test_binary_ops_match_reference(op: str, wv: tuple[int, list[int]]) -> None:
    w, vals = wv
    t = f"i{w}"
    assert z3_eval(op, t, (t, t), None, vals) == eval_op(op, t, (t, t), None, vals)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.integers(0, 9), width_and_values(2))
def test_cmpi_matches_reference(pred: int, wv: tuple[int, list[int]]) -> None:
    w, vals = wv
    t = f"i{w}"
    assert z3_eval("arith.cmpi", "i1", (t, t), pred, vals) == eval_op(
        "arith.cmpi", "i1", (t, t), pred, vals)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(width_and_values(1), st.integers(1, 128))
def test_casts_match_reference(wv: tuple[int, list[int]], w2: int) -> None:
    w, vals = wv
    t, t2 = f"i{w}", f"i{w2}"
    ops = ["arith.extsi", "arith.extui"] if w2 > w else ["arith.trunci"] if w2 < w else []
    for op in ops:
        assert z3_eval(op, t2, (t,), None, vals) == eval_op(op, t2, (t,), None, vals)
    for op in ("arith.index_cast", "arith.index_castui"):
        assert z3_eval(op, "index", (t,), None, vals) == eval_op(op, "index", (t,), None, vals)
        iv = to_signed(vals[0], w) * 3
        assert z3_eval(op, t2, ("index",), None, [iv]) == eval_op(op, t2, ("index",), None, [iv])


@settings(max_examples=100, derandomize=True, deadline=None)
@given(width_and_values(3))
def test_select_and_absi(wv: tuple[int, list[int]]) -> None:
    w, (c, x, y) = wv
    t = f"i{w}"
    ats = ("i1", t, t)
    assert z3_eval("arith.select", t, ats, None, [c & 1, x, y]) == (x if c & 1 else y)
    assert z3_eval("math.absi", t, (t,), None, [x]) == abs(to_signed(x, w)) % (1 << w)


def test_reference_against_plain_python() -> None:
    m = (1 << 7) - 1
    s = lambda v: v & m  # noqa: E731 - 7-bit pattern of a Python int
    t = "i7"
    assert to_signed(eval_op("arith.divsi", t, (t, t), None, [s(-7), s(2)]), 7) == -3
    assert to_signed(eval_op("arith.remsi", t, (t, t), None, [s(-7), s(2)]), 7) == -1
    assert to_signed(eval_op("arith.floordivsi", t, (t, t), None, [s(-7), s(2)]), 7) == -4
    assert to_signed(eval_op("arith.ceildivsi", t, (t, t), None, [s(-7), s(2)]), 7) == -3
    assert to_signed(eval_op("arith.ceildivsi", t, (t, t), None, [s(7), s(2)]), 7) == 4
    assert to_signed(eval_op("arith.shrsi", t, (t, t), None, [s(-8), 1]), 7) == -4
    assert eval_op("arith.shrui", t, (t, t), None, [s(-8), 1]) == s(-8) >> 1
    assert to_signed(eval_op("arith.addi", t, (t, t), None, [63, 1]), 7) == -64
    assert eval_op("arith.cmpi", "i1", (t, t), 2, [s(-1), 0]) == 1  # slt
    assert eval_op("arith.cmpi", "i1", (t, t), 6, [s(-1), 0]) == 0  # ult


@pytest.mark.parametrize("op,rt,ats,attr", [
    ("arith.floordivsi", "index", ("index", "index"), None),
    ("arith.ceildivsi", "index", ("index", "index"), None),
    ("arith.divsi", "index", ("index", "index"), None),
    ("arith.remsi", "index", ("index", "index"), None),
])
def test_index_ops(op: str, rt: str, ats: tuple[str, ...], attr: object) -> None:
    for x in range(-7, 8):
        for y in (-3, -2, -1, 1, 2, 3):
            e = z3.simplify(Z3_OPS[op]([z3.IntVal(x), z3.IntVal(y)], rt, ats, attr))
            assert e.as_long() == eval_op(op, rt, ats, attr, [x, y]), (op, x, y)


def test_float_ops_are_uninterpreted_but_negf_exact() -> None:
    x = z3.BitVec("x", 32)
    y = z3.BitVec("y", 32)
    add = lookup("arith.addf")
    s = z3.Solver()
    s.add(add([x, y], "f32", ("f32", "f32"), None) != add([x, y], "f32", ("f32", "f32"), None))
    assert s.check() == z3.unsat
    neg = lookup("arith.negf")
    assert z3.simplify(neg([z3.BitVecVal(0, 32)], "f32", ("f32",), None)).as_long() == 1 << 31


def test_missing_op_is_named() -> None:
    with pytest.raises(NotImplementedError, match="tosa.conv2d"):
        lookup("tosa.conv2d")
