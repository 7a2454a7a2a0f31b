"""`z3_fast.all_of` / `any_of` build the very term `z3.And` / `z3.Or` build (so no query,
model or certificate of the L1 checkers changes), and fall back to z3 where they must."""

from __future__ import annotations

import pytest
import z3

from allo_verify.equiv.z3_fast import all_of, any_of


def test_same_term_as_z3() -> None:
    i, j = z3.Ints("i j")
    xs = [i >= 0, i < 8, j == i + 1]
    for n in range(1, len(xs) + 1):
        assert z3.eq(all_of(*xs[:n]), z3.And(*xs[:n]))
        assert z3.eq(any_of(*xs[:n]), z3.Or(*xs[:n]))
    assert all_of(*xs).sexpr() == z3.And(*xs).sexpr()
    assert not z3.eq(all_of(*xs), z3.And(*reversed(xs)))  # the order is kept


def test_fallbacks_are_z3s_own() -> None:
    i = z3.Int("i")
    assert z3.eq(all_of(i > 0, True), z3.And(i > 0, True))  # a Python bool
    assert z3.eq(any_of(False, i > 0), z3.Or(False, i > 0))
    other = z3.Context()
    with pytest.raises(z3.Z3Exception):  # mixed contexts: z3's own error
        all_of(i > 0, z3.Int("k", other) > 0)


def test_a_fast_term_decides_like_z3s() -> None:
    i = z3.Int("i")
    s = z3.Solver()
    s.add(all_of(i >= 0, i < 4, any_of(i == 7, i == 2)))
    assert s.check() == z3.sat and s.model()[i].as_long() == 2
    s = z3.Solver()
    s.add(all_of(i >= 0, i < 2, i == 5))
    assert s.check() == z3.unsat
