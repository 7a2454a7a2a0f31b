"""split: the strip-mining lemma behind `allo_verify.schedule.primitives.split`.

Lemma (for all N >= 0, F >= 1 and every lower bound lb; all symbolic Z3 integers):

    D  = { i : lb <= i < lb + N }                                   (the original loop)
    D' = { (o, ii) : 0 <= o < ceildiv(N, F), 0 <= ii < F, ii < N - o*F }
                                                 (the guarded strip-mined nest: ii < min(F, ...))
    phi(o, ii) = lb + o*F + ii          psi(i) = ((i - lb) div F, (i - lb) mod F)

    1. sound       (o, ii) in D'            =>  phi(o, ii) in D
    2. onto        i in D                   =>  psi(i) in D'  and  phi(psi(i)) = i
    3. one-to-one  x, y in D', phi(x) = phi(y)  =>  x = y
    4. order       x, y in D':  x <lex y  <=>  phi(x) < phi(y)
    5. guard       F divides N  =>  (o < ceildiv(N, F), 0 <= ii < F  implies  ii < N - o*F)

`ceildiv`, `div` and `mod` are written exactly as the checker translates them
(`polyhedral.affine_to_z3`: ceildiv(n, d) = -((-n) div d)), so these are the checker's
queries with the factor and the trip count left symbolic. Items 1-3 are obligations 1-3 of
the instance-map checker; item 4 makes obligation 5 trivially true for split: no pair of
instances changes order, conflicting or not. Item 5 justifies `Split.inner_bound`
dropping the `min` when F divides a constant trip count. Obligation 4 (same work) holds because the
rewrite substitutes phi for i in every subscript.

Broken variant: dropping the remainder guard (ii < F only) is not sound whenever F does
not divide N: the model names N, F and an (o, ii) that runs past lb + N.
"""

from __future__ import annotations

import z3

from proofs._lemma import assert_proved, assert_refuted, ceildiv, lex_lt, report

N, F, lb = z3.Ints("N F lb")
o1, ii1, o2, ii2, i = z3.Ints("o1 ii1 o2 ii2 i")
SIZES = z3.And(N >= 0, F >= 1)


def phi(o: z3.ArithRef, ii: z3.ArithRef) -> z3.ArithRef:
    return lb + o * F + ii


def psi(x: z3.ArithRef) -> tuple[z3.ArithRef, z3.ArithRef]:
    return (x - lb) / F, (x - lb) % F


def in_d(x: z3.ArithRef) -> z3.BoolRef:
    return z3.And(lb <= x, x < lb + N)


def in_d_new(o: z3.ArithRef, ii: z3.ArithRef, guard: bool = True) -> z3.BoolRef:
    bound = [ii < N - o * F] if guard else []
    return z3.And(0 <= o, o < ceildiv(N, F), 0 <= ii, ii < F, *bound)


def sound(guard: bool = True) -> z3.BoolRef:
    return z3.Implies(z3.And(SIZES, in_d_new(o1, ii1, guard)), in_d(phi(o1, ii1)))


def onto() -> z3.BoolRef:
    o, ii = psi(i)
    return z3.Implies(z3.And(SIZES, in_d(i)), z3.And(in_d_new(o, ii), phi(o, ii) == i))


def one_to_one() -> z3.BoolRef:
    return z3.Implies(z3.And(SIZES, in_d_new(o1, ii1), in_d_new(o2, ii2),
                             phi(o1, ii1) == phi(o2, ii2)),
                      z3.And(o1 == o2, ii1 == ii2))


def order() -> z3.BoolRef:
    return z3.Implies(z3.And(SIZES, in_d_new(o1, ii1), in_d_new(o2, ii2)),
                      lex_lt([o1, ii1], [o2, ii2]) == (phi(o1, ii1) < phi(o2, ii2)))


def guard_redundant_when_f_divides_n() -> z3.BoolRef:
    """`Split.inner_bound` drops the guard when F divides the trip count: then every
    (o, ii) with o < ceildiv(N, F), ii < F already satisfies ii < N - o*F."""
    return z3.Implies(z3.And(SIZES, N % F == 0, in_d_new(o1, ii1, guard=False)),
                      in_d_new(o1, ii1, guard=True))


def unguarded_sound() -> z3.BoolRef:
    return sound(guard=False)


def off_by_one_outer() -> z3.BoolRef:
    """An off-by-one outer bound, N div F + 1 (always rounding up), without the guard:
    refuted, even when F divides N (the extra outer iteration runs a whole strip)."""
    dom = z3.And(0 <= o1, o1 < N / F + 1, 0 <= ii1, ii1 < F)
    return z3.Implies(z3.And(SIZES, dom), in_d(phi(o1, ii1)))


def floor_outer_onto() -> z3.BoolRef:
    """Outer bound N div F (floor instead of ceil): the tail iterations are lost."""
    o, ii = psi(i)
    dom = z3.And(0 <= o, o < N / F, 0 <= ii, ii < F, ii < N - o * F)
    return z3.Implies(z3.And(SIZES, in_d(i)), z3.And(dom, phi(o, ii) == i))


LEMMAS = {"sound": sound, "onto": onto, "one-to-one": one_to_one, "order": order,
          "guard redundant when F | N": guard_redundant_when_f_divides_n}
BROKEN = {"no remainder guard (ii < F): sound": unguarded_sound,
          "outer N div F + 1, no guard: sound": off_by_one_outer,
          "outer N div F (floor): onto": floor_outer_onto}


def test_sound() -> None:
    assert_proved(sound())


def test_onto() -> None:
    assert_proved(onto())


def test_one_to_one() -> None:
    assert_proved(one_to_one())


def test_order() -> None:
    assert_proved(order())


def test_guard_redundant_when_f_divides_n() -> None:
    assert_proved(guard_redundant_when_f_divides_n())


def _runs_past_end(m: dict[str, int]) -> tuple[int, int, int]:
    n, f, o, ii = m.get("N", 0), m.get("F", 1), m.get("o1", 0), m.get("ii1", 0)
    assert n >= 0 and f >= 1 and 0 <= ii < f and o >= 0
    assert o * f + ii >= n  # the instance (o, ii) executes i = lb + o*F + ii >= lb + N
    return n, f, o


def test_broken_no_remainder_guard() -> None:
    n, f, o = _runs_past_end(assert_refuted(unguarded_sound()))
    assert o < -(-n // f)  # a legal outer iteration (the last, partial strip)
    assert n % f != 0  # only possible when F does not divide N


def test_broken_off_by_one_outer() -> None:
    _runs_past_end(assert_refuted(off_by_one_outer()))


def test_broken_floor_outer() -> None:
    m = assert_refuted(floor_outer_onto())
    n, f, x = m.get("N", 0), m.get("F", 1), m.get("i", 0) - m.get("lb", 0)
    assert 0 <= x < n and x // f >= n // f  # i lies in the lost tail


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
