"""unfold: the lemma behind `allo_verify.schedule.primitives.unfold`.

`unfold(loops)` makes one hardware instance (a PE) per iteration of the unfolded loops;
each instance runs its own iterations in their original order, the instances concurrently.
Its checker proves that no two statement instances in *different* unfolded instances touch
one cell with at least one writing (`cross_instance_check`); conflicts inside one instance
are allowed (a PE's own accumulation). This file proves, in Z3's array theory (memory
M: Int -> BitVec(32), values uninterpreted), why that suffices:

1. two instances of two iterations each (P = p1; p2 and Q = q1; q2), every p conflicting
   with no q, while p1, p2 may conflict with each other (p2 reads the cell p1 writes) and
   likewise q1, q2: each of the 6 interleavings that keep each instance's own order leaves
   the same memory as the sequential run p1; p2; q1; q2.
2. three single-iteration instances: all 6 orders agree (as for `parallel`).

Any interleaving of n instances is reached from the sequential run by swapping adjacent
steps of different instances, each swap being lemma 1's commutation of two non-conflicting
iterations, so concurrent instances compute the sequential result.

Broken variants: an iteration of Q that reads the cell an iteration of P writes (a carried
dependence across instances, as in `A[i] = A[i - 1] + 1`), and two instances writing one
cell: both refuted, some interleaving differs from the sequential run.
"""

from __future__ import annotations

import itertools

import z3

from proofs._lemma import assert_proved, assert_refuted, report
from proofs.parallel import Iteration, _same, no_conflict

BV = z3.BitVecSort(32)
M = z3.Array("M", z3.IntSort(), BV)


def _interleavings(p: list, q: list) -> list[list]:
    """Every merge of the sequences `p` and `q` that keeps each one's own order."""
    n = len(p) + len(q)
    out = []
    for slots in itertools.combinations(range(n), len(p)):
        it_p, it_q = iter(p), iter(q)
        out.append([next(it_p) if k in slots else next(it_q) for k in range(n)])
    return out


def _run(order: list, mem: z3.ArrayRef = M) -> z3.ArrayRef:
    for it in order:
        mem = it.run(mem)
    return mem


def two_instances(cross: str = "") -> z3.BoolRef:
    """Lemma 1; `cross` breaks it: "read" (q1 reads what p1 writes), "write" (same cell)."""
    p1, p2, q1, q2 = (Iteration(t) for t in ("p1", "p2", "q1", "q2"))
    inside = z3.And(p2.r1 == p1.w, q2.r1 == q1.w)  # each PE depends on itself: allowed
    if cross:  # q2's own dependence on q1 would contradict the stated cross conflict
        inside = p2.r1 == p1.w
    pairs = [(u, v) for u in (p1, p2) for v in (q1, q2)]
    # the broken variants state one cross conflict of q1 and drop q1's other constraints
    # (which would contradict it through `inside`, making the claim vacuously true)
    rest = [no_conflict(u, v) for u, v in pairs if v is not q1]
    if cross == "read":
        hyp = z3.And(q1.r1 == p1.w, *rest)
    elif cross == "write":
        hyp = z3.And(q1.w == p1.w, *rest)
    else:
        hyp = z3.And(*[no_conflict(u, v) for u, v in pairs])
    sequential = _run([p1, p2, q1, q2])
    finals = [_run(order) for order in _interleavings([p1, p2], [q1, q2])]
    return z3.Implies(z3.And(hyp, inside), z3.And(*[_same(sequential, f) for f in finals]))


def three_instances() -> z3.BoolRef:
    its = [Iteration(t) for t in ("a", "b", "d")]
    hyp = z3.And(*[no_conflict(u, v) for u, v in itertools.combinations(its, 2)])
    finals = [_run(list(order)) for order in itertools.permutations(its)]
    return z3.Implies(hyp, z3.And(*[_same(finals[0], f) for f in finals[1:]]))


LEMMAS = {"two instances, every interleaving": two_instances,
          "three instances, all 6 orders": three_instances}
BROKEN = {"an instance reads another's written cell": lambda: two_instances("read"),
          "two instances write one cell": lambda: two_instances("write")}


def test_interleavings_count() -> None:
    assert len(_interleavings([1, 2], [3, 4])) == 6


def test_two_instances_any_interleaving() -> None:
    assert_proved(two_instances())


def test_three_instances_any_order() -> None:
    assert_proved(three_instances())


def test_broken_cross_read() -> None:
    m = assert_refuted(two_instances("read"))
    assert m.get("w_p1") == m.get("r1_q1")


def test_broken_cross_write() -> None:
    m = assert_refuted(two_instances("write"))
    assert m.get("w_p1") == m.get("w_q1")


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
