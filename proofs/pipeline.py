"""pipeline: why `allo_verify.schedule.primitives.pipeline` may be a mere annotation.

`pipeline(axis, II)` only sets `hls.pipeline_ii = II`; its checker (`_annotation.
attributes_only_check`) proves that the IR with every `hls.*` attribute removed is
identical before and after, so the loop nest, bounds, bodies and accesses -- everything the
instance-map checker and L2/L3 look at -- are unchanged. What the annotation changes is
timing: a pipelined loop with initiation interval II issues iteration k at cycle t0 + k*II.

Lemma (for all II >= 1, all start cycles t0, all iterations k, k'; symbolic Z3 integers):

    1. order kept      k < k'   <=>  t0 + k*II < t0 + k'*II
    2. no collision    k != k'  =>   t0 + k*II != t0 + k'*II
    3. spacing         k < k'   =>   t0 + k'*II - (t0 + k*II) >= II * (k' - k) >= k' - k

so issue order equals iteration order: the pipeline starts the iterations in exactly the
sequential order the unannotated loop runs them (and `Pipeline.apply` refuses II < 1).

Broken variant: II = 0 (what `apply` refuses) collapses distinct iterations onto one
issue cycle; refuted with k != k'.
"""

from __future__ import annotations

import z3
from mlir.ir import Module

import allo_verify as av
from allo_verify import int32
from allo_verify.equiv.l1 import run_check
from allo_verify.equiv.results import Proved, Refuted
from allo_verify.schedule.primitives._annotation import attributes_only_check
from allo_verify.schedule.rewrite import loop_op
from proofs._lemma import assert_proved, assert_refuted, report

II, t0, k1, k2 = z3.Ints("II t0 k1 k2")


def issue(k: z3.ArithRef, ii: z3.ArithRef = II) -> z3.ArithRef:
    return t0 + k * ii


def order_kept(min_ii: int = 1) -> z3.BoolRef:
    return z3.Implies(II >= min_ii, (k1 < k2) == (issue(k1) < issue(k2)))


def no_collision(min_ii: int = 1) -> z3.BoolRef:
    return z3.Implies(z3.And(II >= min_ii, k1 != k2), issue(k1) != issue(k2))


def spacing() -> z3.BoolRef:
    return z3.Implies(z3.And(II >= 1, k1 < k2),
                      z3.And(issue(k2) - issue(k1) >= II * (k2 - k1), II * (k2 - k1) >= k2 - k1))


LEMMAS = {"order kept": order_kept, "no collision": no_collision, "spacing": spacing}
BROKEN = {"II >= 0: no collision": lambda: no_collision(0),
          "II >= 0: order kept": lambda: order_kept(0)}


def test_order_kept() -> None:
    assert_proved(order_kept())


def test_no_collision() -> None:
    assert_proved(no_collision())


def test_spacing() -> None:
    assert_proved(spacing())


def test_annotation_is_attributes_only() -> None:
    """The stated half: the check `pipeline` brings passes on the real rewrite, and is seen
    to fail when the IR changes beyond the attribute (a loop bound off by one)."""
    def inc(A: int32[8]) -> int32[8]:
        B: int32[8] = 0
        for i in range(8):
            B[i] = A[i] + 1
        return B

    s = av.customize(inc)
    before = s.module
    s.pipeline("i", 2)
    assert "hls.pipeline_ii = 2" in str(s.module)
    own = [(loop_op(before, "i")[1], {"hls.pipeline_ii", "hls.private"})]
    assert isinstance(run_check(attributes_only_check(before, s.module, "pipeline", own))[0],
                      Proved)
    with s.module.context:
        changed = Module.parse(str(s.module).replace("0 to 8", "0 to 7"))
    result, _ = run_check(attributes_only_check(before, changed, "pipeline", own))
    assert isinstance(result, Refuted)
    other = [(loop_op(before, "B.init0")[1], {"hls.pipeline_ii"})]  # not the step's loop
    result, _ = run_check(attributes_only_check(before, s.module, "pipeline", other))
    assert isinstance(result, Refuted)


def test_broken_ii_zero() -> None:
    m = assert_refuted(no_collision(0))
    assert m.get("II", 0) == 0 and m.get("k1", 0) != m.get("k2", 0)
    m = assert_refuted(order_kept(0))
    assert m.get("II", 0) == 0


if __name__ == "__main__":
    report(LEMMAS, BROKEN)
