"""reshape: the linearization lemma behind `allo_verify.schedule.primitives.reshape`.

Rank 2 to rank 2, all shapes symbolic (a x b cells reshaped to c x d with a*b = c*d >= 1):

    lin(i, j) = i*b + j          delin'(l) = ((l div d) mod c, l mod d)
    lin'(p, q) = p*d + q

    1. into       0 <= i < a, 0 <= j < b  =>  0 <= lin(i, j) < a*b and delin'(lin(i, j))
                  is a cell of c x d
    2. back       0 <= l < c*d  =>  lin'(delin'(l)) = l
    3. one-to-one two cells of a x b with one linear index are the same cell

(Higher ranks compose these: a row-major linearization of rank r is rank 2 over (the first
r - 1 dimensions linearized, the last).) The nonlinear steps use instances of the `bound`,
`strip` and `divmod` lemmas of `_lemma.py`, proved there for all values. The checker states
1-2 and the per-access "same linear cell" at the instance's concrete shapes.

Broken variants, refuted: a delinearization with the wrong stride (l div c instead of
l div d), and a linearization with the wrong stride (i*a + j).
"""

from __future__ import annotations

import z3

from proofs._lemma import (
    assert_proved,
    assert_refuted,
    bound_lemma,
    divmod_lemma,
    instance,
    order_lemma,
    report,
    strip_lemma,
)

a, b, c, d, i, j, i2, j2, l_ = z3.Ints("a b c d i j i2 j2 l")
SIZES = z3.And(a >= 1, b >= 1, c >= 1, d >= 1, a * b == c * d)


def delin(x: z3.ArithRef, stride: z3.ArithRef = d) -> tuple[z3.ArithRef, z3.ArithRef]:
    return (x / stride) % c, x % d


def into() -> z3.BoolRef:
    x = i * b + j
    p, q = delin(x)
    facts = instance(bound_lemma(), _d1=a, _d2=b, _j=i, _k=j)
    return z3.Implies(z3.And(SIZES, facts, 0 <= i, i < a, 0 <= j, j < b),
                      z3.And(0 <= x, x < c * d, 0 <= p, p < c, 0 <= q, q < d))


def back(stride: z3.ArithRef = d) -> z3.BoolRef:
    p, q = delin(l_, stride)
    facts = z3.And(instance(strip_lemma(), _d1=c, _d2=d, _x=l_, _j=l_ / d, _k=l_ % d),
                   instance(divmod_lemma(), _x=l_, _d=d, _q=l_ / d, _r=l_ % d),
                   instance(divmod_lemma(), _x=l_ / d, _d=c, _q=(l_ / d) / c,
                            _r=(l_ / d) % c))
    return z3.Implies(z3.And(SIZES, facts, 0 <= l_, l_ < c * d), p * d + q == l_)


def one_to_one(stride: z3.ArithRef = b) -> z3.BoolRef:
    x, y = i * stride + j, i2 * stride + j2
    facts = instance(order_lemma(), _d=b, _x=x, _q=i, _r=j, _y=y, _q2=i2, _r2=j2)
    return z3.Implies(z3.And(SIZES, facts, 0 <= i, i < a, 0 <= j, j < b, 0 <= i2, i2 < a,
                             0 <= j2, j2 < b, x == y), z3.And(i == i2, j == j2))


LEMMAS = {"into": into, "back": back, "one-to-one": one_to_one}
BROKEN = {"delinearize with l div c": lambda: back(stride=c),
          "linearize with i*a + j": lambda: one_to_one(stride=a)}


def test_lemmas() -> None:
    for build in LEMMAS.values():
        assert_proved(build())


def test_wrong_delinearization_is_refuted() -> None:
    m = assert_refuted(back(stride=c))
    cc, dd, x = m["c"], m["d"], m["l"]
    assert 0 <= x < cc * dd and ((x // cc) % cc) * dd + x % dd != x


def test_wrong_linearization_is_refuted() -> None:
    m = assert_refuted(one_to_one(stride=a))
    aa = m["a"]
    assert (m["i"], m["j"]) != (m["i2"], m["j2"])
    assert m["i"] * aa + m["j"] == m["i2"] * aa + m["j2"]


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
