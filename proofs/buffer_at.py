"""buffer_at: the slice invariant behind `allo_verify.schedule.primitives.buffer_at`.

One iteration of the axis works on the slice T[e, *] of the target (e the fixed subscripts,
N the extent of the free subscripts; a multi-dimensional free part is one index here). The
invariant is

    Inv(b, T):  for all f with 0 <= f < N:  b[f] = T[e][f]

Lemma (for all N, e, all arrays b, T and values; Z3 arrays, the invariant a quantified
hypothesis, nothing enumerated):

    1. init      the init nest gives b'[f] = T[e][f] on 0 <= f < N     =>  Inv(b', T)
    2. read      Inv(b, T), 0 <= s < N                                 =>  b[s] = T[e][s]
    3. write     Inv(b, T), 0 <= g < N  =>  Inv(b[g := v], T[e][g := v])   (the renamed
                 write keeps the invariant with the original's write)
    4. restore   Inv(b, T), T' = T with T'[e][f] := b[f] on 0 <= f < N  =>  T' = T on every
                 cell: after the write-back the target holds exactly what the original has

So by induction over the statements of an iteration (each a read, 2, or a write, 3, of a
slice cell: obligation 3 of the checker), every read of the buffer sees the original's value
and the write-back leaves the original's state. The checker proves, at the instance and
over symbolic iteration vectors, the premises: the init and write-back nests cover the box
(obligations 2 and 4), every access lies in the slice and maps to its cell (3), the slice is
in bounds (1).

Broken variants, refuted: no init (b arbitrary: a read sees another value), no write-back
(the target misses the body's last write), a read at the wrong offset (b[s + 1]).
"""

from __future__ import annotations

import z3

from proofs._lemma import assert_proved, assert_refuted, report

I = z3.IntSort()
N, e, f, s, g, c, v = z3.Ints("N e f s g c v")
b, b2 = z3.Array("b", I, I), z3.Array("b2", I, I)
T = z3.Array("T", I, z3.ArraySort(I, I))


def inv(buf: z3.ArrayRef, tgt: z3.ArrayRef) -> z3.BoolRef:
    return z3.ForAll([f], z3.Implies(z3.And(0 <= f, f < N), buf[f] == tgt[e][f]))


def init() -> z3.BoolRef:
    copied = z3.ForAll([f], z3.Implies(z3.And(0 <= f, f < N), b2[f] == T[e][f]))
    return z3.Implies(copied, inv(b2, T))


def read(offset: int = 0) -> z3.BoolRef:
    return z3.Implies(z3.And(inv(b, T), 0 <= s, s < N - offset), b[s + offset] == T[e][s])


def write() -> z3.BoolRef:
    t2 = z3.Store(T, e, z3.Store(T[e], g, v))
    return z3.Implies(z3.And(inv(b, T), 0 <= g, g < N), inv(z3.Store(b, g, v), t2))


def written_back(buf: z3.ArrayRef) -> z3.ArrayRef:
    row = z3.Lambda([f], z3.If(z3.And(0 <= f, f < N), buf[f], T[e][f]))
    return z3.Store(T, e, row)


def restore() -> z3.BoolRef:
    t2 = written_back(b)
    return z3.Implies(inv(b, T), z3.ForAll([c, f], t2[c][f] == T[c][f]))


def no_init() -> z3.BoolRef:
    """Reading the buffer without the init: b is whatever it held."""
    return z3.Implies(z3.And(0 <= s, s < N), b[s] == T[e][s])


def no_write_back() -> z3.BoolRef:
    """The body writes v to the buffer cell g; without the write-back the target keeps its
    old value where the original has v."""
    t_orig = z3.Store(T, e, z3.Store(T[e], g, v))
    return z3.Implies(z3.And(inv(b, T), 0 <= g, g < N), T[e][g] == t_orig[e][g])


def wrong_offset() -> z3.BoolRef:
    return read(offset=1)


LEMMAS = {"init": init, "read": read, "write": write, "restore": restore}
BROKEN = {"no init": no_init, "no write-back": no_write_back, "read at s + 1": wrong_offset}


def test_lemmas() -> None:
    for build in LEMMAS.values():
        assert_proved(build())


def test_no_init_is_refuted() -> None:
    m = assert_refuted(no_init())
    assert 0 <= m["s"] < m["N"]


def test_no_write_back_is_refuted() -> None:
    m = assert_refuted(no_write_back())
    assert 0 <= m["g"] < m["N"]


def test_wrong_offset_is_refuted() -> None:
    m = assert_refuted(wrong_offset())
    assert 0 <= m["s"] < m["N"] - 1


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
