"""reuse_at: the inductive invariant behind `allo_verify.schedule.primitives.reuse_at`.

One column of a reuse buffer R of K rows over a target T (the other subscripts ride along
unchanged); base(y) the first target row the buffer holds in iteration y, S >= 1 the rows
it moves per iteration (the stride):

    Inv(R, b):  for all r with 0 <= r < K:  R[r] = T[b + r]

Lemma (for all K >= 1, S >= 1, bases, arrays R and T; Z3 arrays, nothing enumerated):

    1. fill      R'[r] = T[b + r] on 0 <= r < K                       =>  Inv(R', b)
    2. step      Inv(R, b), R'[r] = R[r + S] on 0 <= r < K - S,
                 R'[r] = T[b + S + r] on K - S <= r < K                =>  Inv(R', b + S)
    3. read      Inv(R, b), 0 <= s < K                                =>  R[s] = T[b + s]
    4. old       the shift in ascending order: an instance r that runs before an instance
                 r2 (r < r2) never writes the cell r2 + S that r2 reads, so every shift
                 instance reads the value R had before the shift began (what 2 assumes)

T is not written while the loop runs (the checker's obligation 1), so by induction on y
(1 at the loop's first iteration, 2 with base(y) = base(y - 1) + S, the checker's
"advance") Inv holds after the prologue of every iteration, and by 3 every read of the
buffer returns the target's value (the checker's per-access obligation gives s).

Broken variants, refuted: the shift in descending order (an earlier instance overwrites
the row a later one reads), a window read off by one (R[s + 1]), the new row loaded into
row K - 2 (stride 1).
"""

from __future__ import annotations

import z3

from proofs._lemma import assert_proved, assert_refuted, report

I = z3.IntSort()
K, S, b, r, r2, s = z3.Ints("K S b r r2 s")
R, R2, T = z3.Array("R", I, I), z3.Array("R2", I, I), z3.Array("T", I, I)


def inv(buf: z3.ArrayRef, base: z3.ArithRef) -> z3.BoolRef:
    return z3.ForAll([r], z3.Implies(z3.And(0 <= r, r < K), buf[r] == T[base + r]))


def fill() -> z3.BoolRef:
    filled = z3.ForAll([r], z3.Implies(z3.And(0 <= r, r < K), R2[r] == T[b + r]))
    return z3.Implies(z3.And(K >= 1, filled), inv(R2, b))


def shifted() -> z3.ArrayRef:
    return z3.Lambda([r], z3.If(r < K - S, R[r + S], T[b + S + r]))


def step() -> z3.BoolRef:
    return z3.Implies(z3.And(K >= 1, S >= 1, inv(R, b)), inv(shifted(), b + S))


def step_wrong_row() -> z3.BoolRef:
    """Stride 1, the new row stored into row K - 2 (row K - 1 keeps its old value)."""
    wrong = z3.Lambda([r], z3.If(r == K - 2, T[b + K],
                                 z3.If(r < K - 1, R[r + 1], R[r])))
    return z3.Implies(z3.And(K >= 1, inv(R, b)), inv(wrong, b + 1))


def read(offset: int = 0) -> z3.BoolRef:
    return z3.Implies(z3.And(K >= 1, inv(R, b), 0 <= s, s + offset < K),
                      R[s + offset] == T[b + s])


def old_values(descending: bool = False) -> z3.BoolRef:
    """Instance r runs before r2 (ascending: r < r2; descending: r > r2); r writes row r,
    r2 reads row r2 + 1: they never meet."""
    before = r > r2 if descending else r < r2
    return z3.Implies(z3.And(S >= 1, 0 <= r, r < K - S, 0 <= r2, r2 < K - S, before),
                      r != r2 + S)


LEMMAS = {"fill": fill, "step": step, "read": read, "old values (ascending)": old_values}
BROKEN = {"shift in descending order": lambda: old_values(descending=True),
          "window read at s + 1": lambda: read(offset=1),
          "new row into K - 2": step_wrong_row}


def test_lemmas() -> None:
    for build in LEMMAS.values():
        assert_proved(build())


def test_descending_shift_is_refuted() -> None:
    m = assert_refuted(old_values(descending=True))
    assert m["r"] == m["r2"] + m["S"] and 0 <= m["r2"] < m["K"] - m["S"]


def test_window_off_by_one_is_refuted() -> None:
    m = assert_refuted(read(offset=1))
    assert 0 <= m["s"] < m["K"] - 1


def test_new_row_in_the_wrong_place_is_refuted() -> None:
    m = assert_refuted(step_wrong_row())
    assert m["K"] >= 1


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
