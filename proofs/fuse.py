"""fuse: the delinearization lemma behind `allo_verify.schedule.primitives.fuse`.

Lemma, depth 2 (for all T1, T2 >= 1; symbolic Z3 integers):

    D  = [0, T1) x [0, T2)          D' = [0, T1*T2)
    phi(f) = (f div T2, f mod T2)    psi(i, j) = i*T2 + j

    1. sound       f in D'             =>  phi(f) in D
    2. onto        (i, j) in D          =>  psi(i, j) in D'  and  phi(psi(i, j)) = (i, j)
    3. one-to-one  f, g in D', phi(f) = phi(g)  =>  f = g
    4. order       f, g in D':  f < g  <=>  phi(f) <lex phi(g)

Depth 3 (for all T1, T2, T3 >= 1), exactly the terms `Fuse.checks` builds with
P_k = T_{k+1} * ... * T_n:

    phi(f) = (f div (T2*T3), (f div T3) mod T2, f mod T3)    psi(i, j, k) = i*T2*T3 + j*T3 + k

with the same four items. `div`/`mod` are Z3's, which is how the checker translates
MLIR's floordiv/mod (`polyhedral.affine_to_z3`); the products of symbolic sizes make the
queries nonlinear. Depth 2 is decided directly. At depth 3 Z3 alone runs out of its
resource limit (Unknown), so each depth-3 query assumes instances of the small lemmas proved
in `proofs/_lemma.py` (divmod, strip, bound, order, pos), instantiated at the terms
f div (T2*T3), f mod (T2*T3), ... -- the usual "apply a proved lemma" step, still for all
T1, T2, T3 and f (see `_lemma.instance`). Item 4 means fuse never reorders two instances,
so the order obligation (5) holds for every conflict; lower bounds l_k only shift each
coordinate and are left out.

Broken variants: div and mod swapped (phi(f) = (f mod T2, f div T2)), T1 used in place of T2
(phi(f) = (f div T1, f mod T1)), an off-by-one fused bound [0, T1*T2 + 1), and at depth 3
the middle index with T2 and T3 exchanged ((f div T2) mod T3): each refuted with concrete
sizes and an f.
"""

from __future__ import annotations

from collections.abc import Callable

import z3

from proofs._lemma import (
    assert_proved,
    assert_refuted,
    bound_lemma,
    divmod_lemma,
    instance,
    lex_lt,
    order_lemma,
    pos_lemma,
    report,
    strip_lemma,
)

T1, T2, T3 = z3.Ints("T1 T2 T3")
f, g, i, j, k = z3.Ints("f g i j k")
Vec = list[z3.ArithRef]
Phi = Callable[[z3.ArithRef], Vec]


def phi2(x: z3.ArithRef) -> Vec:
    return [x / T2, x % T2]


def phi2_swapped(x: z3.ArithRef) -> Vec:
    return [x % T2, x / T2]


def phi2_t1(x: z3.ArithRef) -> Vec:
    return [x / T1, x % T1]


def phi3(x: z3.ArithRef) -> Vec:
    return [x / (T2 * T3), (x / T3) % T2, x % T3]


def phi3_sizes_swapped(x: z3.ArithRef) -> Vec:
    """The middle coordinate with T2 and T3 exchanged: (f div T2) mod T3."""
    return [x / (T2 * T3), (x / T2) % T3, x % T3]


def lemmas(phi: Phi, trips: Vec, iv: Vec, psi: z3.ArithRef, total_extra: int = 0
           ) -> dict[str, z3.BoolRef]:
    sizes = z3.And(*[t >= 1 for t in trips])
    total = trips[0]
    for t in trips[1:]:
        total = total * t
    total = total + total_extra

    def in_d(v: Vec) -> z3.BoolRef:
        return z3.And(*[z3.And(0 <= x, x < t) for x, t in zip(v, trips, strict=True)])

    def in_d_new(x: z3.ArithRef) -> z3.BoolRef:
        return z3.And(0 <= x, x < total)

    back = phi(psi)
    return {
        "sound": z3.Implies(z3.And(sizes, in_d_new(f)), in_d(phi(f))),
        "onto": z3.Implies(z3.And(sizes, in_d(iv)),
                           z3.And(in_d_new(psi), *[b == x for b, x in zip(back, iv, strict=True)])),
        "one-to-one": z3.Implies(z3.And(sizes, in_d_new(f), in_d_new(g),
                                        *[a == b for a, b in zip(phi(f), phi(g), strict=True)]),
                                 f == g),
        "order": z3.Implies(z3.And(sizes, in_d_new(f), in_d_new(g)),
                            (f < g) == lex_lt(phi(f), phi(g))),
    }


def depth2(phi: Phi = phi2, total_extra: int = 0) -> dict[str, z3.BoolRef]:
    return lemmas(phi, [T1, T2], [i, j], i * T2 + j, total_extra)


def depth3_direct() -> dict[str, z3.BoolRef]:
    """The depth-3 statements with no help: Z3 answers Unknown for onto and order."""
    return lemmas(phi3, [T1, T2, T3], [i, j, k], i * T2 * T3 + j * T3 + k)


def _facts(x: z3.ArithRef) -> tuple[Vec, z3.ArithRef, list[z3.BoolRef]]:
    """Lemma instances naming the parts of phi3(x): a = x div U, g = x mod U (U = T2*T3),
    g = j*T3 + k, x = (a*T2 + j)*T3 + k, hence x div T3 = a*T2 + j and (x div T3) mod T2 = j."""
    dm, strip = divmod_lemma(), strip_lemma()
    u = T2 * T3
    a, rest = x / u, x % u
    jj, kk = rest / T3, rest % T3
    hyps = [instance(pos_lemma(), _d1=T2, _d2=T3),
            instance(dm, _x=x, _d=u, _q=a, _r=rest),
            instance(dm, _x=rest, _d=T3, _q=jj, _r=kk),
            instance(strip, _x=rest, _d1=T2, _d2=T3, _j=jj, _k=kk),
            instance(strip, _x=x, _d1=T1, _d2=u, _j=a, _k=rest),
            instance(dm, _x=x, _d=T3, _q=a * T2 + jj, _r=kk),
            instance(dm, _x=x / T3, _d=T2, _q=a, _r=jj)]
    return [a, jj, kk], rest, hyps


def depth3() -> dict[str, z3.BoolRef]:
    """The four depth-3 items, each assuming lemma instances (valid formulas)."""
    sizes = z3.And(T1 >= 1, T2 >= 1, T3 >= 1)
    u, trips, iv = T2 * T3, [T1, T2, T3], [i, j, k]

    def in_d(v: Vec) -> z3.BoolRef:
        return z3.And(*[z3.And(0 <= x, x < t) for x, t in zip(v, trips, strict=True)])

    def in_d_new(x: z3.ArithRef) -> z3.BoolRef:
        return z3.And(0 <= x, x < T1 * u)

    pf, rf, hf = _facts(f)
    pg, rg, hg = _facts(g)
    ordered = [instance(order_lemma(), _x=f, _y=g, _d=u, _q=pf[0], _r=rf, _q2=pg[0], _r2=rg),
               instance(order_lemma(), _x=rf, _y=rg, _d=T3, _q=pf[1], _r=pf[2], _q2=pg[1],
                        _r2=pg[2]),
               instance(order_lemma(), _x=rg, _y=rf, _d=T3, _q=pg[1], _r=pg[2], _q2=pf[1],
                        _r2=pf[2])]
    inner = j * T3 + k
    psi = i * u + inner
    pb, _, hb = _facts(psi)
    back = [instance(bound_lemma(), _d1=T2, _d2=T3, _j=j, _k=k),
            instance(bound_lemma(), _d1=T1, _d2=u, _j=i, _k=inner),
            instance(divmod_lemma(), _x=psi, _d=u, _q=i, _r=inner),
            instance(divmod_lemma(), _x=inner, _d=T3, _q=j, _r=k)]
    two = z3.And(sizes, in_d_new(f), in_d_new(g), *hf, *hg, *ordered)
    return {
        "sound": z3.Implies(z3.And(sizes, in_d_new(f), *hf), in_d(phi3(f))),
        "onto": z3.Implies(z3.And(sizes, in_d(iv), *hb, *back),
                           z3.And(in_d_new(psi), *[b == x for b, x in zip(phi3(psi), iv,
                                                                          strict=True)])),
        "one-to-one": z3.Implies(z3.And(two, *[a == b for a, b in zip(phi3(f), phi3(g),
                                                                      strict=True)]), f == g),
        "order": z3.Implies(two, (f < g) == lex_lt(phi3(f), phi3(g))),
    }


LEMMAS = {f"depth 2 {name}": (lambda name=name: depth2()[name]) for name in depth2()}
LEMMAS |= {f"depth 3 {name}": (lambda name=name: depth3()[name]) for name in depth3()}
BROKEN = {
    "div/mod swapped: sound": lambda: depth2(phi2_swapped)["sound"],
    "div/mod swapped: order": lambda: depth2(phi2_swapped)["order"],
    "T1 instead of T2: sound": lambda: depth2(phi2_t1)["sound"],
    "T1 instead of T2: onto": lambda: depth2(phi2_t1)["onto"],
    "fused bound T1*T2 + 1: sound": lambda: depth2(total_extra=1)["sound"],
    "depth 3, (f div T2) mod T3: sound": lambda: depth3_broken()["sound"],
}


def depth3_broken() -> dict[str, z3.BoolRef]:
    return lemmas(phi3_sizes_swapped, [T1, T2, T3], [i, j, k], i * T2 * T3 + j * T3 + k)


def test_depth2() -> None:
    for claim in depth2().values():
        assert_proved(claim)


def test_depth3() -> None:
    for claim in depth3().values():
        assert_proved(claim)


def test_helper_lemmas_depth3_relies_on() -> None:
    for build in (divmod_lemma, strip_lemma, bound_lemma, order_lemma, pos_lemma):
        assert_proved(build())


def _sizes(m: dict[str, int]) -> tuple[int, int]:
    return m.get("T1", 1), m.get("T2", 1)


def test_broken_swapped_div_mod() -> None:
    m = assert_refuted(depth2(phi2_swapped)["sound"])
    t1, t2 = _sizes(m)
    x = m.get("f", 0)
    assert 0 <= x < t1 * t2 and not (x % t2 < t1 and x // t2 < t2)
    m = assert_refuted(depth2(phi2_swapped)["order"])
    t1, t2 = _sizes(m)
    x, y = m.get("f", 0), m.get("g", 0)
    assert (x < y) != ((x % t2, x // t2) < (y % t2, y // t2))


def test_broken_t1_instead_of_t2() -> None:
    m = assert_refuted(depth2(phi2_t1)["sound"])
    t1, t2 = _sizes(m)
    x = m.get("f", 0)
    assert 0 <= x < t1 * t2 and not (x // t1 < t1 and x % t1 < t2)
    assert t1 != t2  # only wrong for non-square bands
    assert_refuted(depth2(phi2_t1)["onto"])


def test_broken_depth3_sizes_swapped() -> None:
    m = assert_refuted(depth3_broken()["sound"])
    t2, t3, x = m.get("T2", 1), m.get("T3", 1), m.get("f", 0)
    assert not (0 <= (x // t2) % t3 < t2)  # the middle index leaves [0, T2)


def test_broken_off_by_one_bound() -> None:
    m = assert_refuted(depth2(total_extra=1)["sound"])
    t1, t2 = _sizes(m)
    assert m.get("f", 0) == t1 * t2  # the extra iteration f = T1*T2 maps to i = T1


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
