"""to (streams): the ranking lemma behind `allo_verify.schedule.primitives.stream`.

The stream checker proves, at the instance, that the producer's writes and the consumer's
reads are matched by a bijection on cells that keeps iteration order (x <lex x' implies
m(x) <lex m(x')). That is enough for a FIFO because lexicographic order on an N x M loop
nest is the order of the rank `i*M + j`, and the rank is a bijection onto [0, N*M): the
k-th write is the write of rank k, and an order-keeping bijection between two sets ranked
0..n-1 sends rank k to rank k. For all sizes N, M >= 1 (iteration vectors symbolic):

    1. rank-order   (i, j) <lex (i2, j2)  <=>  i*M + j < i2*M + j2
    2. rank-onto    0 <= k < N*M  =>  (k div M, k mod M) is an iteration with rank k
    3. same-order   a row-major producer and a row-major consumer of an N x M array:
                    writes in order are read in order (the checker's order obligation)

Broken variant, refuted: a consumer that reads the array transposed (iteration (p, q)
reads cell (q, p)) keeps no order once N, M >= 2: the counterexample is two cells the
producer writes in one order and the consumer reads in the other.
"""

from __future__ import annotations

import z3

from proofs._lemma import (
    assert_proved,
    assert_refuted,
    bound_lemma,
    divmod_lemma,
    instance,
    lex_lt,
    order_lemma,
    report,
    strip_lemma,
)

n, m, i, j, i2, j2, k = z3.Ints("n m i j i2 j2 k")
SIZES = z3.And(n >= 1, m >= 1)


def in_domain(a: z3.ArithRef, b: z3.ArithRef) -> z3.BoolRef:
    return z3.And(0 <= a, a < n, 0 <= b, b < m)


def rank_order() -> z3.BoolRef:
    x, y = i * m + j, i2 * m + j2
    facts = instance(order_lemma(), _d=m, _x=x, _q=i, _r=j, _y=y, _q2=i2, _r2=j2)
    return z3.Implies(z3.And(SIZES, facts, in_domain(i, j), in_domain(i2, j2)),
                      lex_lt([i, j], [i2, j2]) == (x < y))


def rank_onto() -> z3.BoolRef:
    q, r = k / m, k % m
    facts = z3.And(instance(divmod_lemma(), _x=k, _d=m, _q=q, _r=r),
                   instance(strip_lemma(), _d1=n, _d2=m, _x=k, _j=q, _k=r),
                   instance(bound_lemma(), _d1=n, _d2=m, _j=q, _k=r))
    return z3.Implies(z3.And(SIZES, facts, 0 <= k, k < n * m),
                      z3.And(in_domain(q, r), q * m + r == k))


def same_order(transposed: bool = False) -> z3.BoolRef:
    """Writes at (i, j) and (i2, j2) in that order; the consumer iteration reading a cell
    (c0, c1) is (c0, c1), or (c1, c0) when it reads transposed."""
    def reader(a: z3.ArithRef, b: z3.ArithRef) -> list[z3.ArithRef]:
        return [b, a] if transposed else [a, b]

    return z3.Implies(z3.And(SIZES, in_domain(i, j), in_domain(i2, j2),
                             lex_lt([i, j], [i2, j2])),
                      lex_lt(reader(i, j), reader(i2, j2)))


LEMMAS = {"rank-order": rank_order, "rank-onto": rank_onto, "same-order": same_order}
BROKEN = {"consumer reads transposed": lambda: same_order(transposed=True)}


def test_lemmas() -> None:
    for build in LEMMAS.values():
        assert_proved(build())


def test_transposed_consumer_is_refuted() -> None:
    cex = assert_refuted(same_order(transposed=True))
    w1, w2 = (cex["i"], cex["j"]), (cex["i2"], cex["j2"])
    assert w1 < w2 and (w1[1], w1[0]) > (w2[1], w2[0])  # written in one order, read in the other
    assert all(0 <= v < cex["n"] for v in (w1[0], w2[0]))
    assert all(0 <= v < cex["m"] for v in (w1[1], w2[1]))


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
