"""parallel: the commutation lemma behind `allo_verify.schedule.primitives.parallel`.

`parallel(axis)` is an annotation whose checker proves, besides "IR otherwise unchanged",
that the loop carries no dependence: no two instances in different iterations of `axis`
touch one cell with at least one of them writing (`carried_dependence_check`). This file
proves, in Z3's array theory (memory M: Int -> BitVec(32), values uninterpreted), why that
is enough for the iterations to run in any order:

1. stores to distinct cells commute: for all M, a, b, x, y with a != b
       Store(Store(M, a, x), b, y) == Store(Store(M, b, y), a, x)
   and every Select(., c) after them agrees (for all c).
2. an unwritten read is order-blind: if c != b, Select(Store(M, b, y), c) == Select(M, c).
3. two iterations commute: iteration p reads cells rp1, rp2 and stores F(M[rp1], M[rp2])
   to wp; iteration q likewise (G, rq1, rq2, wq); F, G uninterpreted. If no pair
   conflicts -- wp != wq, wp not in {rq1, rq2}, wq not in {rp1, rp2} (reading one's own
   cell, like C[i, j] += ..., is allowed) -- then running p; q and q; p leave equal memories.
4. three pairwise non-conflicting iterations: all 6 orders leave equal memories.

Any permutation of n iterations is a product of adjacent transpositions, and each one swaps
two pairwise non-conflicting iterations (lemma 3, with everything else in the memory M),
so the iterations of a loop with no carried conflict may run in any order, or all at once.

Broken variants: two stores to the same cell (a == b, x != y) do not commute; and a read
of a cell the other iteration writes (rq1 == wp) sees a different value in the two orders.
Both refuted with concrete cells and values.
"""

from __future__ import annotations

import itertools

import z3

from proofs._lemma import assert_proved, assert_refuted, report

BV = z3.BitVecSort(32)
M = z3.Array("M", z3.IntSort(), BV)
a, b, c = z3.Ints("a b c")
x, y = z3.BitVecs("x y", 32)


def stores_commute(distinct: bool = True) -> z3.BoolRef:
    left = z3.Store(z3.Store(M, a, x), b, y)
    right = z3.Store(z3.Store(M, b, y), a, x)
    hyp = a != b if distinct else z3.BoolVal(True)
    return z3.Implies(hyp, z3.And(left == right, z3.Select(left, c) == z3.Select(right, c)))


def unwritten_read() -> z3.BoolRef:
    return z3.Implies(c != b, z3.Select(z3.Store(M, b, y), c) == z3.Select(M, c))


class Iteration:
    """Reads two cells, stores an uninterpreted function of them to one cell."""

    def __init__(self, tag: str) -> None:
        self.r1, self.r2, self.w = z3.Ints(f"r1_{tag} r2_{tag} w_{tag}")
        self.f = z3.Function(f"F_{tag}", BV, BV, BV)

    def run(self, mem: z3.ArrayRef) -> z3.ArrayRef:
        return z3.Store(mem, self.w, self.f(z3.Select(mem, self.r1), z3.Select(mem, self.r2)))

    def touches(self) -> list:
        return [self.r1, self.r2, self.w]


def no_conflict(p: Iteration, q: Iteration) -> z3.BoolRef:
    return z3.And(p.w != q.w, p.w != q.r1, p.w != q.r2, q.w != p.r1, q.w != p.r2)


def _same(m1: z3.ArrayRef, m2: z3.ArrayRef) -> z3.BoolRef:
    return z3.And(m1 == m2, z3.Select(m1, c) == z3.Select(m2, c))


def two_iterations(hyp: z3.BoolRef | None = None) -> z3.BoolRef:
    p, q = Iteration("p"), Iteration("q")
    return z3.Implies(no_conflict(p, q) if hyp is None else hyp(p, q),
                      _same(q.run(p.run(M)), p.run(q.run(M))))


def three_iterations() -> z3.BoolRef:
    its = [Iteration(t) for t in "pqs"]
    hyp = z3.And(*[no_conflict(u, v) for u, v in itertools.combinations(its, 2)])
    finals = []
    for order in itertools.permutations(its):
        mem = M
        for it in order:
            mem = it.run(mem)
        finals.append(mem)
    return z3.Implies(hyp, z3.And(*[_same(finals[0], f) for f in finals[1:]]))


def _read_after_write(p: Iteration, q: Iteration) -> z3.BoolRef:
    """Every condition of `no_conflict` except wp != rq1: q reads the cell p writes."""
    return z3.And(p.w != q.w, p.w == q.r1, q.w != p.r1, q.w != p.r2)


LEMMAS = {"distinct stores commute": stores_commute, "unwritten read": unwritten_read,
          "two non-conflicting iterations commute": two_iterations,
          "three iterations, all 6 orders": three_iterations}
BROKEN = {"same cell stores (a == b) commute": lambda: stores_commute(distinct=False),
          "read of the other's written cell": lambda: two_iterations(_read_after_write)}


def test_distinct_stores_commute() -> None:
    assert_proved(stores_commute())


def test_unwritten_read() -> None:
    assert_proved(unwritten_read())


def test_two_iterations_commute() -> None:
    assert_proved(two_iterations())


def test_three_iterations_any_order() -> None:
    assert_proved(three_iterations())


def test_broken_same_cell() -> None:
    m = assert_refuted(stores_commute(distinct=False))
    assert m.get("a") == m.get("b") and m.get("x") != m.get("y")


def test_broken_read_after_write() -> None:
    m = assert_refuted(two_iterations(_read_after_write))
    assert m.get("w_p") == m.get("r1_q")


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
