"""reorder: the order lemmas behind `allo_verify.schedule.primitives.reorder`.

reorder's witness is the identity on loop names, so everything rests on the order the
checker compares instances with: `instance_map.lex_before`, the 2d+1 schedule order. The
lemmas below are stated on that very function (called on synthetic statements), over
symbolic integer iteration vectors, for all values:

1. strict total order, depth 2 and 3, one statement: for all vectors a, b, c
       not a < a;   a < b and b < c  =>  a < c;   a != b  =>  a < b or b < a
   and across two statements sharing the outer loop i (S in i at body position 0,
   T in i -> j at position 1): irreflexive, transitive over every mix of S/T instances,
   and total (an S instance and a T instance are always ordered one way or the other).
2. interchange is a bijection: for all N, M >= 0, phi(j, i) = (i, j) maps
   D' = [0, M) x [0, N) onto D = [0, N) x [0, M), one-to-one (psi = phi^-1 = swap).
3. legality, depth 2: for all instances a, b with d = b - a,
       a < b (before)  <=>  d >lex 0,   and   a <' b (after interchange)  <=>  (d2, d1) >lex 0,
   so the checker's order violation "a < b and b <' a" holds exactly when d is
   lexicographically positive and the permuted d is lexicographically negative;
   for a lexicographically positive d, interchange keeps it positive iff (d2, d1) >lex 0.
   Depth 3: the same for all six permutations of (i, j, k).

Broken variants: a "lex order" that compares only the inner index is not total (refuted
with two distinct vectors that agree on the inner index); one that compares the outer index
with < and the inner one with <= is not irreflexive; and "interchange is always legal"
is refuted by d = (1, -1) (the classic wavefront dependence).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import z3

from allo_verify.equiv.instance_map import lex_before
from allo_verify.equiv.polyhedral import Statement
from proofs._lemma import assert_proved, assert_refuted, lex_lt, report

Env = dict[str, z3.ArithRef]


def stmt(loops: tuple[str, ...], keys: tuple[tuple[int, int], ...] | None = None,
         sid: int = 0) -> Statement:
    """A statement nested in `loops` (each at block position keys[k]) the way
    `polyhedral.extract` builds its 2d+1 chain: one entry per loop, then the store."""
    keys = keys or tuple((0, 0) for _ in range(len(loops) + 1))
    chain = tuple((k, n) for k, n in zip(keys, (*loops, None), strict=True))
    return Statement(sid=sid, loops=loops, chain=chain, domain=z3.BoolVal(True), accesses=[],
                     tree=None)


def vec(names: tuple[str, ...], tag: str) -> Env:
    return {n: z3.Int(f"{n}_{tag}") for n in names}


Order = Callable[[Env, Env], z3.BoolRef]


def checker_order(loops: tuple[str, ...]) -> Order:
    s = stmt(loops)
    return lambda a, b: lex_before(s, a, s, b)


def inner_only(loops: tuple[str, ...]) -> Order:
    return lambda a, b: a[loops[-1]] < b[loops[-1]]


def outer_lt_inner_le(loops: tuple[str, ...]) -> Order:
    return lambda a, b: z3.Or(a[loops[0]] < b[loops[0]],
                              z3.And(a[loops[0]] == b[loops[0]], a[loops[-1]] <= b[loops[-1]]))


def _distinct(a: Env, b: Env) -> z3.BoolRef:
    return z3.Or(*[a[n] != b[n] for n in a])


def irreflexive(loops: tuple[str, ...], lt: Order) -> z3.BoolRef:
    a = vec(loops, "a")
    return z3.Not(lt(a, a))


def transitive(loops: tuple[str, ...], lt: Order) -> z3.BoolRef:
    a, b, c = vec(loops, "a"), vec(loops, "b"), vec(loops, "c")
    return z3.Implies(z3.And(lt(a, b), lt(b, c)), lt(a, c))


def total(loops: tuple[str, ...], lt: Order) -> z3.BoolRef:
    a, b = vec(loops, "a"), vec(loops, "b")
    return z3.Implies(_distinct(a, b), z3.Or(lt(a, b), lt(b, a)))


def strict_total_order(loops: tuple[str, ...], lt: Order) -> z3.BoolRef:
    return z3.And(irreflexive(loops, lt), transitive(loops, lt), total(loops, lt))


def two_statement_order() -> z3.BoolRef:
    """S: for i { S(i); for j { T(i, j) } } -- the 2d+1 order across S and T."""
    s = stmt(("i",), ((0, 0), (0, 0)), sid=0)
    t = stmt(("i", "j"), ((0, 0), (0, 1), (0, 0)), sid=1)
    stmts = {"S": s, "T": t}
    claims = []
    for names in itertools.product("ST", repeat=3):
        envs = [vec(stmts[n].loops, f"{n}{k}") for k, n in enumerate(names)]
        (x, ex), (y, ey), (z, ez) = [(stmts[n], e) for n, e in zip(names, envs, strict=True)]
        claims.append(z3.Implies(z3.And(lex_before(x, ex, y, ey), lex_before(y, ey, z, ez)),
                                 lex_before(x, ex, z, ez)))
    es, et = vec(s.loops, "s"), vec(t.loops, "t")
    claims += [z3.Not(lex_before(s, es, s, es)), z3.Not(lex_before(t, et, t, et)),
               z3.Xor(lex_before(s, es, t, et), lex_before(t, et, s, es))]
    return z3.And(*claims)


def interchange_bijection() -> z3.BoolRef:
    n, m, i, j, i2, j2 = z3.Ints("N M i j i2 j2")

    def d(x: z3.ArithRef, y: z3.ArithRef) -> z3.BoolRef:  # original: i in [0,N), j in [0,M)
        return z3.And(0 <= x, x < n, 0 <= y, y < m)

    def d_new(y: z3.ArithRef, x: z3.ArithRef) -> z3.BoolRef:  # after: j outer, i inner
        return z3.And(0 <= y, y < m, 0 <= x, x < n)

    sizes = z3.And(n >= 0, m >= 0)
    sound = z3.Implies(z3.And(sizes, d_new(j, i)), d(i, j))
    onto = z3.Implies(z3.And(sizes, d(i, j)), d_new(j, i))
    one_to_one = z3.Implies(z3.And(d_new(j, i), d_new(j2, i2), i == i2, j == j2),
                            z3.And(j == j2, i == i2))
    return z3.And(sound, onto, one_to_one)


def _lexpos(d: list) -> z3.BoolRef:
    return lex_lt([0] * len(d), d)


def legality(perm: tuple[int, ...], claim_always_legal: bool = False) -> z3.BoolRef:
    """Before/after orders of one statement under loop permutation `perm` (new position ->
    old loop), in terms of the distance d = b - a."""
    names = ("i", "j", "k")[: len(perm)]
    before = stmt(names)
    after = stmt(tuple(names[p] for p in perm))
    a, b = vec(names, "a"), vec(names, "b")
    d = [b[n] - a[n] for n in names]
    pd = [d[p] for p in perm]
    if claim_always_legal:
        return z3.Implies(lex_before(before, a, before, b), lex_before(after, a, after, b))
    violation = z3.And(lex_before(before, a, before, b), lex_before(after, b, after, a))
    return z3.And(
        lex_before(before, a, before, b) == _lexpos(d),
        lex_before(after, a, after, b) == _lexpos(pd),
        violation == z3.And(_lexpos(d), _lexpos([-x for x in pd])),
        z3.Implies(_lexpos(d), lex_before(after, a, after, b) == _lexpos(pd)))


def legality_depth3() -> z3.BoolRef:
    return z3.And(*[legality(p) for p in itertools.permutations(range(3))])


D2, D3 = ("i", "j"), ("i", "j", "k")
LEMMAS = {
    "lex_before strict total order, depth 2": lambda: strict_total_order(D2, checker_order(D2)),
    "lex_before strict total order, depth 3": lambda: strict_total_order(D3, checker_order(D3)),
    "lex_before across two statements": two_statement_order,
    "interchange bijection [0,N)x[0,M)": interchange_bijection,
    "legality iff, depth 2": lambda: legality((1, 0)),
    "legality iff, depth 3 (all permutations)": legality_depth3,
}
BROKEN = {
    "inner-only order: total": lambda: total(D2, inner_only(D2)),
    "outer <, inner <= order: irreflexive": lambda: irreflexive(D2, outer_lt_inner_le(D2)),
    "interchange always legal": lambda: legality((1, 0), claim_always_legal=True),
}


def test_lex_before_strict_total_order_depth2() -> None:
    assert_proved(strict_total_order(D2, checker_order(D2)))


def test_lex_before_strict_total_order_depth3() -> None:
    assert_proved(strict_total_order(D3, checker_order(D3)))


def test_lex_before_across_two_statements() -> None:
    assert_proved(two_statement_order())


def test_interchange_bijection() -> None:
    assert_proved(interchange_bijection())


def test_legality_iff_depth2() -> None:
    assert_proved(legality((1, 0)))


def test_legality_iff_depth3() -> None:
    assert_proved(legality_depth3())


def test_broken_inner_only_order_not_total() -> None:
    m = assert_refuted(total(D2, inner_only(D2)))
    a = (m.get("i_a", 0), m.get("j_a", 0))
    b = (m.get("i_b", 0), m.get("j_b", 0))
    assert a != b and a[1] == b[1]  # distinct, yet neither is "before" the other


def test_broken_outer_lt_inner_le_not_irreflexive() -> None:
    assert_refuted(irreflexive(D2, outer_lt_inner_le(D2)))  # any a has a "before" a


def test_broken_interchange_always_legal() -> None:
    m = assert_refuted(legality((1, 0), claim_always_legal=True))
    d = (m.get("i_b", 0) - m.get("i_a", 0), m.get("j_b", 0) - m.get("j_a", 0))
    assert d > (0, 0) and (d[1], d[0]) < (0, 0)  # e.g. d = (1, -1)


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
