"""partition: the bank/offset lemma behind `allo_verify.schedule.primitives.partition`.

Lemma (for all N >= 1 and 1 <= F <= N; symbolic Z3 integers), per dimension of N indices,
with B = ceildiv(N, F) (the checker's `-((-N) div F)`):

    block:    bank(i) = i div B,  offset(i) = i mod B,  decode(b, o) = b*B + o,  F banks of B
    cyclic:   bank(i) = i mod F,  offset(i) = i div F,  decode(b, o) = o*F + b,  F banks of B
    complete: bank(i) = i,        offset(i) = 0,        decode(b, o) = b,        N banks of 1

    1. into banks  0 <= i < N  =>  0 <= bank(i) < banks  and  0 <= offset(i) < depth
    2. one-to-one  0 <= i, j < N, bank(i) = bank(j), offset(i) = offset(j)  =>  i = j
    3. same cell   0 <= i < N  =>  decode(bank(i), offset(i)) = i

These are the checker's obligations 3-5 with N and F left symbolic (a multi-dimensional
layout is the product of its dimensions' maps, so the per-dimension lemma gives the
product's). `test_checker_maps_are_instances` confirms that `equiv.layouts.dim_map`, which
the checker uses at the instance, is this lemma's map at concrete N and F.

The nonlinear step (i < N <= F*B implies i div B < F) is proved from an instance of the
`strip` lemma of `_lemma.py`, and the block decode from an instance of its `divmod` lemma;
those and the `ceildiv` lemma are proved there for all values.

Broken variants, refuted with N, F and the index: a block map with B = N div F (floor:
the last indices land in bank F or beyond), and a cyclic map using i div F as the bank.
"""

from __future__ import annotations

import z3

from proofs._lemma import (
    assert_proved,
    assert_refuted,
    ceildiv,
    ceildiv_lemma,
    divmod_lemma,
    instance,
    report,
    strip_lemma,
)

N, F, i, j = z3.Ints("N F i j")
SIZES = z3.And(N >= 1, F >= 1, F <= N)
B = ceildiv(N, F)


def maps(kind: str, floor_block: bool = False, cyclic_div: bool = False) -> tuple:
    """(bank, offset, decode, banks, depth) for one partition kind, symbolic in N and F."""
    if kind == "complete":
        return (lambda x: x), (lambda x: z3.IntVal(0)), (lambda b, o: b), N, z3.IntVal(1)
    if kind == "block":
        d = N / F if floor_block else B
        return (lambda x: x / d), (lambda x: x % d), (lambda b, o: b * d + o), F, d
    if cyclic_div:
        return (lambda x: x / F), (lambda x: x % F), (lambda b, o: o * F + b), F, B
    return (lambda x: x % F), (lambda x: x / F), (lambda b, o: o * F + b), F, B


def facts() -> z3.BoolRef:
    """Proved lemmas instantiated at this query's terms (valid, so they may be assumed)."""
    t = z3.Int("t")
    ceil_fact = z3.substitute(ceildiv_lemma(), (z3.Int("n"), N), (z3.Int("d"), F), (t, B))
    strip = instance(strip_lemma(), _d1=F, _d2=B, _x=i, _j=i / B, _k=i % B)
    quot = instance(divmod_lemma(), _x=i, _d=B, _q=i / B, _r=i % B)
    return z3.And(ceil_fact, strip, quot)


def into_banks(kind: str, **broken: bool) -> z3.BoolRef:
    bank, offset, _, banks, depth = maps(kind, **broken)
    return z3.Implies(z3.And(SIZES, facts(), 0 <= i, i < N),
                      z3.And(0 <= bank(i), bank(i) < banks, 0 <= offset(i), offset(i) < depth))


def one_to_one(kind: str, **broken: bool) -> z3.BoolRef:
    bank, offset, _, _, _ = maps(kind, **broken)
    return z3.Implies(z3.And(SIZES, 0 <= i, i < N, 0 <= j, j < N, bank(i) == bank(j),
                             offset(i) == offset(j)), i == j)


def same_cell(kind: str, **broken: bool) -> z3.BoolRef:
    bank, offset, decode, _, _ = maps(kind, **broken)
    return z3.Implies(z3.And(SIZES, facts(), 0 <= i, i < N), decode(bank(i), offset(i)) == i)


KINDS = ("complete", "block", "cyclic")
LEMMAS = {f"{k}: {name}": (lambda k=k, f=f: f(k)) for k in KINDS
          for name, f in (("into banks", into_banks), ("one-to-one", one_to_one),
                          ("same cell", same_cell))}
BROKEN = {"block with B = N div F: into banks": lambda: into_banks("block", floor_block=True),
          "cyclic with bank i div F: into banks": lambda: into_banks("cyclic", cyclic_div=True),
          "cyclic with bank i div F: same cell": lambda: same_cell("cyclic", cyclic_div=True)}


def test_lemmas() -> None:
    for build in LEMMAS.values():
        assert_proved(build())


def test_broken_block_floor() -> None:
    m = assert_refuted(into_banks("block", floor_block=True))
    n, f, x = m["N"], m["F"], m["i"]
    assert 1 <= f <= n and 0 <= x < n and x // (n // f) >= f  # lands past the last bank


def test_broken_cyclic_div() -> None:
    m = assert_refuted(same_cell("cyclic", cyclic_div=True))
    n, f, x = m["N"], m["F"], m["i"]
    assert 1 <= f <= n and 0 <= x < n and (x % f) * f + x // f != x  # decodes elsewhere


def test_checker_maps_are_instances() -> None:
    """At concrete N and F, the checker's `dim_map` equals the lemma's maps on every index."""
    from allo_verify.equiv.layouts import DimPart, dim_map

    for n in (1, 2, 5, 7, 10, 16):
        for f in sorted({1, 2, 3, n}):
            if f > n:
                continue
            for kind in KINDS:
                ours = dim_map(DimPart(1, kind, 0 if kind == "complete" else f), n)
                bank, offset, decode, banks, depth = maps(kind)
                sub = [(N, z3.IntVal(n)), (F, z3.IntVal(f))]
                b, o = z3.Int("b"), z3.Int("o")
                same = z3.And(ours.bank(i) == z3.substitute(bank(i), *sub),
                              ours.offset(i) == z3.substitute(offset(i), *sub),
                              ours.decode(b, o) == z3.substitute(decode(b, o), *sub),
                              ours.banks == z3.substitute(banks, *sub),
                              ours.depth == z3.substitute(depth, *sub))
                assert_proved(same)


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
