"""compute_at: the merged-order lemma behind `allo_verify.schedule.primitives.compute_at`.

Before: two nests in one block, producer P first, consumer C second; after: P's body runs
at the start of each iteration of C's merged loops (phi maps P's loops to C's by position):

    for i in [0,N): P(i)             for i' in [0,N):
    for i' in [0,N): C(i')     ==>       P(i')        # body position 0
                                         C(i')        # body position 1

Lemma, stated on the checker's own order (`instance_map.lex_before` on 2d+1 chains built
like `polyhedral.extract` builds them), for all N >= 1 and instances, depth 1 and depth 2
(merging (i, j) with (i', j')):

1. before the merge every P instance precedes every C instance;
2. after the merge P(x) runs before C(x') iff x <lex x' or (x = x' and P's body comes
   first), i.e. iff (x, 0) <lex (x', 1); and C(x') runs before P(x) iff x' <lex x;
3. hence if the consumer instance x' reads only cells the producer writes at iterations
   x <=lex x' -- subscripts h(x') with h(x') <=lex x', h an arbitrary (uninterpreted)
   function -- no read moves before its write: the checker's order obligation for this
   shape holds. This item is proved on the checker's real queries: the obligations
   `instance_map.statement_obligations` and `order_obligations` build for synthetic
   statements P (writes B[x], reads A[x]) and C (reads B[h(x')], writes C[x']) with
   symbolic N and h, are all valid.

Broken variants: dropping the body position from item 2 (claiming P(x) before C(x') iff
x <lex x') is refuted at x = x'; a consumer reading the cell of the next producer
iteration (B[i' + 1], or B[i', j' + 1] at depth 2) is refuted: the model names N, the
consumer iteration and the producer iteration that now runs after it.
"""

from __future__ import annotations

from collections.abc import Callable

import z3

from allo_verify.equiv.instance_map import (
    Witness,
    lex_before,
    statement_obligations,
)
from allo_verify.equiv.order_obligations import order_obligations
from allo_verify.equiv.polyhedral import Access, Statement, var
from proofs._lemma import assert_proved, assert_refuted, check, lex_lt, report

N = z3.Int("N")
Read = Callable[[list[z3.ArithRef]], list[z3.ArithRef]]


def _stmt(sid: int, loops: tuple[str, ...], loop_key: int, body_key: int,
          accesses: list[Access]) -> Statement:
    chain = tuple(((0, loop_key if k == 0 else 0), n) for k, n in enumerate(loops))
    domain = z3.And(*[z3.And(0 <= var(n), var(n) < N) for n in loops])
    return Statement(sid=sid, loops=loops, chain=(*chain, ((0, body_key), None)),
                     domain=domain, accesses=accesses, tree=("store",))


def shape(depth: int, read: Read) -> tuple[dict, dict, Witness]:
    """Old and new statements {sid: Statement} and compute_at's witness."""
    p = tuple(f"p{k}" for k in range(depth))
    c = tuple(f"c{k}" for k in range(depth))
    pv, cv = [var(n) for n in p], [var(n) for n in c]

    def p_acc(x: list) -> list[Access]:
        return [Access("A", tuple(x), False), Access("B", tuple(x), True)]

    def c_acc(x: list) -> list[Access]:
        return [Access("B", tuple(read(x)), False), Access("C", tuple(x), True)]

    olds = {0: _stmt(0, p, 0, 0, p_acc(pv)), 1: _stmt(1, c, 1, 0, c_acc(cv))}
    news = {0: _stmt(0, c, 1, 0, p_acc(cv)), 1: _stmt(1, c, 1, 1, c_acc(cv))}
    w = Witness({0: {a: var(b) for a, b in zip(p, c, strict=True)}},
                {0: {b: var(a) for a, b in zip(p, c, strict=True)}})
    return olds, news, w


def _h(depth: int) -> list[z3.FuncDeclRef]:
    return [z3.Function(f"h{k}", *([z3.IntSort()] * (depth + 1))) for k in range(depth)]


def any_earlier_read(depth: int) -> Read:
    hs = _h(depth)
    return lambda x: [h(*x) for h in hs]


def next_cell(x: list) -> list:
    return [*x[:-1], x[-1] + 1]


def merged_order(depth: int) -> z3.BoolRef:
    olds, news, _ = shape(depth, next_cell)
    x = {f"p{k}": z3.Int(f"x{k}") for k in range(depth)}
    y = {f"c{k}": z3.Int(f"y{k}") for k in range(depth)}
    xs, ys = list(x.values()), list(y.values())
    as_c = {f"c{k}": xs[k] for k in range(depth)}  # P's instance under the merged loop names
    in_d = z3.And(N >= 1, *[z3.And(0 <= v, v < N) for v in xs + ys])
    return z3.Implies(in_d, z3.And(
        lex_before(olds[0], x, olds[1], y),
        lex_before(news[0], as_c, news[1], y) == lex_lt([*xs, 0], [*ys, 1]),
        lex_before(news[0], as_c, news[1], y) == z3.Or(lex_lt(xs, ys), *[
            z3.And(*[a == b for a, b in zip(xs, ys, strict=True)])]),
        lex_before(news[1], y, news[0], as_c) == lex_lt(ys, xs)))


def merged_order_without_body_position(depth: int) -> z3.BoolRef:
    """Broken: "after the merge P(x) runs before C(x') iff x <lex x'" forgets that at
    x = x' the producer body comes first."""
    olds, news, _ = shape(depth, next_cell)
    xs = [z3.Int(f"x{k}") for k in range(depth)]
    y = {f"c{k}": z3.Int(f"y{k}") for k in range(depth)}
    as_c = {f"c{k}": xs[k] for k in range(depth)}
    in_d = z3.And(N >= 1, *[z3.And(0 <= v, v < N) for v in xs + list(y.values())])
    return z3.Implies(in_d, lex_before(news[0], as_c, news[1], y) == lex_lt(xs, list(y.values())))


def checker_queries(depth: int, read: Read, earlier: bool) -> list[tuple[str, z3.BoolRef]]:
    """The checker's obligations for the shape, as claims over symbolic N (and h)."""
    olds, news, w = shape(depth, read)
    checks = [c for sid in olds for c in statement_obligations(olds[sid], news[sid], w, "ca")]
    checks += order_obligations(olds, news, w, "ca")
    out = []
    for c in checks:
        claim = c.obligation.build()
        hyp = [N >= 1]
        if earlier:  # h(x') <=lex x' at the consumer instances the query names
            for tag in ("a", "b"):
                xc = [z3.Int(f"c{k}@{tag}") for k in range(depth)]
                hyp.append(z3.Not(lex_lt(xc, read(xc))))
        out.append((c.obligation.name, z3.Implies(z3.And(*hyp), claim)))
    return out


def checker_valid(depth: int) -> z3.BoolRef:
    return z3.And(*[q for _, q in checker_queries(depth, any_earlier_read(depth), True)])


def broken_next_cell(depth: int) -> z3.BoolRef:
    claims = dict(checker_queries(depth, next_cell, False))
    return claims["ca/S0/S1/order/B"]


LEMMAS = {"depth 1 merged order": lambda: merged_order(1),
          "depth 2 merged order": lambda: merged_order(2),
          "depth 1 checker obligations, reads h(i') <= i'": lambda: checker_valid(1),
          "depth 2 checker obligations, reads h(x') <=lex x'": lambda: checker_valid(2)}
BROKEN = {"depth 1 merged order without body position":
          lambda: merged_order_without_body_position(1),
          "depth 1 consumer reads B[i'+1]": lambda: broken_next_cell(1),
          "depth 2 consumer reads B[i', j'+1]": lambda: broken_next_cell(2)}


def test_merged_order_depth1() -> None:
    assert_proved(merged_order(1))


def test_merged_order_depth2() -> None:
    assert_proved(merged_order(2))


def test_checker_obligations_depth1() -> None:
    for name, q in checker_queries(1, any_earlier_read(1), True):
        assert check(q).status == "proved", name


def test_checker_obligations_depth2() -> None:
    for name, q in checker_queries(2, any_earlier_read(2), True):
        assert check(q).status == "proved", name


def test_broken_merged_order_without_body_position() -> None:
    m = assert_refuted(merged_order_without_body_position(1))
    assert m.get("x0", 0) == m.get("y0", 0)  # the same iteration: P first, yet not "x < x'"


def test_checker_builds_order_query_for_b() -> None:
    names = [n for n, _ in checker_queries(1, next_cell, False)]
    assert "ca/S0/S1/order/B" in names and "ca/S0/sound" in names


def test_broken_next_cell_depth1() -> None:
    m = assert_refuted(broken_next_cell(1))
    n, pa, cb = m["N"], m.get("c0@a", 0), m.get("c0@b", 0)
    # producer iteration pa writes B[pa]; consumer iteration cb reads B[cb + 1] = B[pa]
    # and now runs first (cb < pa); possible as soon as N >= 2
    assert pa == cb + 1 and 0 <= cb < pa < n


def test_broken_next_cell_depth2() -> None:
    m = assert_refuted(broken_next_cell(2))
    pa = (m.get("c0@a", 0), m.get("c1@a", 0))
    cb = (m.get("c0@b", 0), m.get("c1@b", 0))
    assert pa == (cb[0], cb[1] + 1)


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
