"""unroll: why `allo_verify.schedule.primitives.unroll` may be a mere annotation.

`unroll(axis, U)` only sets `hls.unroll = U`; its checker proves the IR is otherwise
unchanged. The annotation is safe because the unrolled loop HLS builds,

    for o in [0, ceildiv(N, U)):
        for u in [0, U):                 # the U copies of the body
            if o*U + u < N:              # the remainder guard
                S(o*U + u)

executes exactly the iterations of `for i in [0, N): S(i)`, each once, in increasing order.
Lemma (for all N >= 0, U >= 1; symbolic Z3 integers), D' the guarded (o, u) set above,
phi(o, u) = o*U + u, psi(i) = (i div U, i mod U):

    1. sound       (o, u) in D'   =>  0 <= phi(o, u) < N
    2. onto        0 <= i < N     =>  psi(i) in D'  and  phi(psi(i)) = i
    3. one-to-one  x, y in D', phi(x) = phi(y)  =>  x = y
    4. order       x, y in D':  x <lex y  <=>  phi(x) < phi(y)

(Full unrolling, factor 0, is the case U >= N: one outer iteration.) Broken variant:
without the guard, the copies of the last outer iteration run past N whenever U does not
divide N; refuted with concrete N, U, o, u.
"""

from __future__ import annotations

import z3

from proofs._lemma import assert_proved, assert_refuted, ceildiv, lex_lt, report

N, U = z3.Ints("N U")
o1, u1, o2, u2, i = z3.Ints("o1 u1 o2 u2 i")
SIZES = z3.And(N >= 0, U >= 1)


def phi(o: z3.ArithRef, u: z3.ArithRef) -> z3.ArithRef:
    return o * U + u


def in_d_new(o: z3.ArithRef, u: z3.ArithRef, guard: bool = True) -> z3.BoolRef:
    g = [phi(o, u) < N] if guard else []
    return z3.And(0 <= o, o < ceildiv(N, U), 0 <= u, u < U, *g)


def sound(guard: bool = True) -> z3.BoolRef:
    return z3.Implies(z3.And(SIZES, in_d_new(o1, u1, guard)),
                      z3.And(0 <= phi(o1, u1), phi(o1, u1) < N))


def onto() -> z3.BoolRef:
    o, u = i / U, i % U
    return z3.Implies(z3.And(SIZES, 0 <= i, i < N), z3.And(in_d_new(o, u), phi(o, u) == i))


def one_to_one() -> z3.BoolRef:
    return z3.Implies(z3.And(SIZES, in_d_new(o1, u1), in_d_new(o2, u2),
                             phi(o1, u1) == phi(o2, u2)), z3.And(o1 == o2, u1 == u2))


def order() -> z3.BoolRef:
    return z3.Implies(z3.And(SIZES, in_d_new(o1, u1), in_d_new(o2, u2)),
                      lex_lt([o1, u1], [o2, u2]) == (phi(o1, u1) < phi(o2, u2)))


def full_unroll_one_outer() -> z3.BoolRef:
    """With U >= N >= 1 (full unrolling) there is exactly one outer iteration."""
    return z3.Implies(z3.And(SIZES, N >= 1, U >= N), ceildiv(N, U) == 1)


LEMMAS = {"sound": sound, "onto": onto, "one-to-one": one_to_one, "order": order,
          "full unroll: one outer iteration": full_unroll_one_outer}
BROKEN = {"no remainder guard: sound": lambda: sound(guard=False)}


def test_sound() -> None:
    assert_proved(sound())


def test_onto() -> None:
    assert_proved(onto())


def test_one_to_one() -> None:
    assert_proved(one_to_one())


def test_order() -> None:
    assert_proved(order())


def test_full_unroll_one_outer() -> None:
    assert_proved(full_unroll_one_outer())


def test_broken_no_guard() -> None:
    m = assert_refuted(sound(guard=False))
    n, u, oo, uu = m.get("N", 0), m.get("U", 1), m.get("o1", 0), m.get("u1", 0)
    assert 0 <= oo < -(-n // u) and 0 <= uu < u  # a legal (o, u) of the unguarded loop
    assert oo * u + uu >= n and n % u != 0  # runs S(i) for i >= N; only when U does not divide N


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
