"""Privatization from the order of loads and stores, in both directions.

Refused: scalars that carry a value between iterations or out of the loop (a swap through
two scalars, a value live after the loop through a return, a later nest or the code after
an inner loop, a pre-declared scalar reset only in some iterations), each with a readable
counterexample that says why the scalar is not private; a hand-written kernel running the
loop backwards (what a parallel loop may do) shows the results really change.
Accepted: scalars each iteration stores before reading (in a second nest, read by an `if`
or `while` condition, by a bit read or slice, declared before the loops like PolyBench's
`symm` temp2), every obligation proved, then checked against NumPy on the LLVM simulation
and by L2 where it applies; `hls.private` lists the scalars the step proved private.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from mlir.ir import Module

import allo_verify as av
from allo_verify.equiv.l1 import run_check
from allo_verify.schedule.primitives.parallel import Parallel, listed_private, private_attribute
from allo_verify.schedule.primitives.pipeline import Pipeline
from allo_verify.schedule.rewrite import loop_op
from tests.schedule import privacy_kernels as K

RNG = np.random.RandomState(20261129)


def ints(*shape: int, lo: int = -40, hi: int = 40) -> np.ndarray:
    return RNG.randint(lo, hi, shape).astype(np.int32)


def refused(kernel: Callable, prim: str, *args: Any, says: tuple[str, ...] = ()) -> str:
    s = av.customize(kernel)
    with pytest.raises(av.ScheduleError) as info:
        getattr(s, prim)(*args)
    msg = str(info.value)
    assert not s.steps and "counterexample:" in msg, msg
    for text in says:
        assert text in msg, msg
    return msg


def accepted(kernel: Callable, steps: list[tuple]) -> av.Schedule:
    s = av.customize(kernel)
    for prim, *args in steps:
        getattr(s, prim)(*args)
        bad = [(c.name, c.result) for c in s.steps[-1].checks if c.result.status != "proved"]
        assert not bad, bad
    return s


def l2_proved(s: av.Schedule) -> None:
    cert = s.verify(layers=("L1", "L2"))
    l2 = [e for e in cert.entries if e.layer == "L2"]
    assert l2 and all(e.result.status == "proved" for e in l2), l2


# ---- item 1: a carried scalar is never private (parallel must refuse it) ----------------

@pytest.mark.parametrize("axis", ["j", "i"])
def test_swap_through_two_scalars_is_carried(axis: str) -> None:
    refused(K.swap_through_two, "parallel", axis,
            says=("of v", f"v is not private to '{axis}'", "is not preceded by a store"))


def test_swap_through_two_scalars_blocks_reorder() -> None:
    refused(K.swap_through_two, "reorder", "j", "i", says=("not private",))


def test_swap_really_depends_on_the_iteration_order() -> None:
    A = ints(K.M, K.N)
    B1, B2 = np.zeros_like(A), np.zeros_like(A)
    av.customize(K.swap_through_two).build()(A, B1)
    av.customize(K.swap_through_two_rev).build()(A, B2)
    assert (B1 != B2).any()


@pytest.mark.parametrize("axis", ["j", "i"])
def test_scalar_returned_after_the_loops_is_live_out(axis: str) -> None:
    refused(K.live_out_by_return, "parallel", axis,
            says=(f"t is not private to '{axis}'", "live after it"))
    A = ints(K.M, K.N)
    assert av.customize(K.live_out_by_return).build()(A.copy()) != \
        av.customize(K.live_out_by_return_rev).build()(A.copy())


def test_scalar_read_by_a_later_nest_is_live_out() -> None:
    refused(K.live_out_by_second_nest, "parallel", "j", says=("live after it",))
    refused(K.live_out_by_second_nest, "reorder", "j", "i", says=("not private",))


def test_scalar_read_after_an_inner_loop_is_live_out_of_it() -> None:
    refused(K.inner_loop_last_value, "parallel", "k",
            says=("t is not private to 'k'", "live after it"))
    A = ints(K.M, K.P)
    C1, C2 = np.zeros((K.M, K.N), np.int32), np.zeros((K.M, K.N), np.int32)
    av.customize(K.inner_loop_last_value).build()(A, C1)
    av.customize(K.inner_loop_last_value_rev).build()(A, C2)
    assert (C1 != C2).any()


def test_but_private_to_the_loop_around_the_inner_loop() -> None:
    s = accepted(K.inner_loop_last_value, [("parallel", "j"), ("reorder", "j", "i")])
    assert listed_private(s.module, "j") == ["t"]
    A = ints(K.M, K.P)
    C = np.zeros((K.M, K.N), np.int32)
    s.build()(A, C)
    np.testing.assert_array_equal(C, A[:, K.P - 1:K.P] + np.arange(K.N)[None, :])
    l2_proved(s)


def test_value_overwritten_after_the_loops_is_dead() -> None:
    s = accepted(K.dead_after_reset, [("parallel", "j"), ("reorder", "j", "i"),
                                      ("parallel", "i")])
    assert listed_private(s.module, "i") == ["t"]
    A = ints(K.M, K.N)
    out = A.copy()
    assert s.build()(out) == 7
    np.testing.assert_array_equal(out, A * 2 + 1)
    l2_proved(s)


def test_tuple_assignment_storing_both_before_reading_is_private() -> None:
    s = accepted(K.tuple_both_fresh, [("parallel", "j"), ("reorder", "j", "i")])
    assert listed_private(s.module, "j") == ["u", "v"]
    A = ints(K.M, K.N)
    B, B2 = np.zeros_like(A), np.zeros_like(A)
    s.build()(A, B)
    np.testing.assert_array_equal(B, A * (A + 1))
    av.customize(K.tuple_both_fresh_rev).build()(A, B2)
    np.testing.assert_array_equal(B, B2)
    l2_proved(s)


# ---- item 2: legal steps around loop-local and pre-declared scalars ---------------------

def test_scalar_reused_by_a_second_nest() -> None:
    s = accepted(K.second_nest_redeclares, [("reorder", "j", "i"), ("reorder", "j_1", "i_1"),
                                            ("parallel", "i"), ("parallel", "j_1")])
    assert listed_private(s.module, "j_1") == ["acc"]
    A, B = ints(K.M, K.N), ints(K.M, K.N)
    A2, B2 = A.copy(), B.copy()
    s.build()(A2, B2)
    np.testing.assert_array_equal(A2, (A + 1) * (A + 1))
    np.testing.assert_array_equal(B2, 2 * (B - A2))
    l2_proved(s)


def test_scalar_read_by_if_conditions() -> None:
    s = accepted(K.clamp_with_if, [("reorder", "i", "j"), ("parallel", "j")])
    assert listed_private(s.module, "j") == ["c"]
    A = ints(K.M, K.N)
    np.testing.assert_array_equal(s.build()(A), np.clip(A * 3, -20, 20))
    l2_proved(s)


def test_scalar_read_by_a_while_condition() -> None:
    s = accepted(K.halve_while, [("parallel", "j"), ("reorder", "j", "i"), ("parallel", "i")])
    assert listed_private(s.module, "i") == ["n", "x"]
    A = ints(K.M, K.N, lo=-5, hi=300)

    def halvings(x: int) -> int:
        n = 0
        while x > 1:
            x, n = x // 2, n + 1
        return n

    np.testing.assert_array_equal(s.build()(A), np.vectorize(halvings)(A))


def test_scalar_read_by_bit_slices() -> None:
    s = accepted(K.bit_fields, [("reorder", "j", "i"), ("parallel", "i")])
    assert listed_private(s.module, "i") == ["w"]
    A = ints(K.M, K.N, lo=-1000, hi=1000)
    w = A + np.arange(K.N, dtype=np.int32)[None, :]
    np.testing.assert_array_equal(s.build()(A), ((w >> 1) & 7) + (w & 1))
    l2_proved(s)


def test_scalar_declared_before_its_loops_like_symm_temp2() -> None:
    s = accepted(K.predeclared_temp, [("reorder", "j", "i"), ("parallel", "i"),
                                      ("parallel", "j")])
    assert listed_private(s.module, "i") == ["temp2"]
    A = RNG.randint(-8, 8, (K.M, K.N)).astype(np.float32)
    B = RNG.randint(-8, 8, (K.N, K.N)).astype(np.float32)
    want = np.array([[sum(A[i, k] * B[k, j] for k in range(j + 1)) * 2 + A[i, j]
                      for j in range(K.N)] for i in range(K.M)], dtype=np.float32)
    np.testing.assert_array_equal(s.build()(A, B), want)
    np.testing.assert_array_equal(av.customize(K.predeclared_temp_rev).build()(A, B), want)
    l2_proved(s)


def test_scalar_declared_before_its_loops_but_reset_only_sometimes() -> None:
    refused(K.predeclared_partly_reset, "parallel", "j",
            says=("temp is not private to 'j'", "(i=0, j=0)", "is not preceded by a store"))
    refused(K.predeclared_partly_reset, "reorder", "j", "i", says=("not private",))
    # the j == 0 iteration reads the previous row's value: temp is private to no loop
    s = av.customize(K.predeclared_partly_reset)
    with pytest.raises(av.ScheduleError, match="temp is not private to 'i'"):
        s.parallel("i")


# ---- item 3: each call result is its own buffer -----------------------------------------

def test_two_call_results_are_two_buffers() -> None:
    s = accepted(K.two_call_results, [("reorder", "j", "i")])
    a, b = ints(K.N), ints(K.N)
    want = 2 * a + int(np.sum(2 * b * np.arange(1, K.N + 1)))
    np.testing.assert_array_equal(s.build()(a, b), want)
    l2_proved(s)


def test_a_conflict_within_one_call_result_is_still_refused() -> None:
    refused(K.one_call_result_conflict, "reorder", "j", "i", says=("<double() of S0>",))


# ---- item 4: hls.private records what was proved, and is itself checked ----------------

def test_pipeline_records_private_scalars_and_keeps_carried_ones_out() -> None:
    s = accepted(K.clamp_with_if, [("pipeline", "i")])
    assert listed_private(s.module, "i") == ["c"]
    assert any("/private/c/i/" in c.name for c in s.steps[0].checks)
    s = accepted(K.live_out_by_second_nest, [("pipeline", "j")])  # legal, nothing private
    assert listed_private(s.module, "j") == []


def _forged(kernel: Callable, axis: str, names: list[str]) -> tuple[Module, Module, Any]:
    s = av.customize(kernel)
    with s.module.context:
        after = Module.parse(str(s.module))
        _, op = loop_op(after, axis)
        op.attributes["hls.private"] = private_attribute(names)
    return s.module, after, s.ctx


@pytest.mark.parametrize("prim", [Parallel, Pipeline])
@pytest.mark.parametrize("kernel, axis, name, why", [
    (K.live_out_by_second_nest, "j", "t", "live after it"),
    (K.swap_through_two, "j", "v", "is not preceded by a store"),
    (K.inner_loop_last_value, "k", "t", "live after it"),
    (K.second_nest_redeclares, "j", "A", "not a local scalar"),
])
def test_a_forged_private_list_is_refuted(prim: type, kernel: Callable, axis: str, name: str,
                                          why: str) -> None:
    before, after, ctx = _forged(kernel, axis, [name])
    checks = [c for c in prim(axis).checks(before, after, ctx)
              if f"/private/{name}/{axis}" in c.obligation.name]
    assert checks
    results = [run_check(c)[0] for c in checks]
    refuted = [r for r in results if r.status == "refuted"]
    assert refuted and any(why in r.counterexample.note for r in refuted), results


def test_every_later_rewrite_keeps_hls_private_true() -> None:
    # The attribute travels with its loop through later rewrites; each loop primitive proves
    # it again on its result. A forged claim (t is live out of k) refuses a legal reorder.
    s = accepted(K.inner_loop_last_value, [("parallel", "j")])
    s.reorder("j", "i")
    assert any("/after/private/t/j/" in c.name for c in s.steps[-1].checks)
    s = av.customize(K.inner_loop_last_value)
    with s.module.context:
        loop_op(s.module, "k")[1].attributes["hls.private"] = private_attribute(["t"])
    with pytest.raises(av.ScheduleUsageError, match="edited outside the schedule"):
        s.reorder("j", "i")  # forged by hand on s.module: refused before any check
    # a design that arrives with the forged claim (as if its kernel carried it): the
    # reorder's own privacy obligation refutes it
    from allo_verify.schedule.edits import Seal

    s._seal = Seal.of(s.module)
    refused_msg = ""
    with pytest.raises(av.ScheduleError) as info:
        s.reorder("j", "i")
    refused_msg = str(info.value)
    assert "private/t/k" in refused_msg and "live after it" in refused_msg


# ---- what makes a store cover a load: it surely runs ------------------------------------

@pytest.mark.parametrize("kernel, axis, load_at", [
    (K.while_carries, "j", "(i=0, j=0)"),
    (K.stored_in_one_branch, "j", "(i=0, j=0)"),
    (K.zero_trip_first, "i", "(i=0)"),
])
def test_stores_that_may_not_run_do_not_cover(kernel: Callable, axis: str, load_at: str
                                              ) -> None:
    refused(kernel, "parallel", axis, says=("not private", load_at,
                                           "is not preceded by a store"))


def test_a_store_in_each_branch_covers() -> None:
    s = accepted(K.stored_in_both_branches, [("parallel", "j"), ("reorder", "j", "i"),
                                             ("parallel", "i")])
    assert listed_private(s.module, "i") == ["t"]
    A = ints(K.M, K.N)
    out = np.zeros_like(A)
    s.build()(A, out)
    np.testing.assert_array_equal(out, np.abs(A) * 2)
    l2_proved(s)


def test_polybench_symm_with_its_predeclared_temp2() -> None:
    s = accepted(K.symm, [("parallel", "j"), ("reorder", "j", "i"), ("parallel", "j")])
    assert listed_private(s.module, "j") == ["temp2"]
    refused(K.symm, "parallel", "i", says=("of C",))  # C[k, j] is updated across i
    f32 = np.float32
    A = RNG.randint(-4, 4, (K.SM, K.SM)).astype(f32)
    B = RNG.randint(-4, 4, (K.SM, K.SN)).astype(f32)
    C0 = RNG.randint(-4, 4, (K.SM, K.SN)).astype(f32)
    alpha, beta = f32(1.5), f32(-2.0)
    want = C0.copy()
    for i in range(K.SM):
        for j in range(K.SN):
            temp2 = f32(0.0)
            for k in range(i):
                want[k, j] += alpha * B[i, j] * A[i, k]
                temp2 += B[k, j] * A[i, k]
            want[i, j] = beta * want[i, j] + alpha * B[i, j] * A[i, i] + alpha * temp2
    got = C0.copy()
    s.build()(alpha, beta, got, A, B)
    np.testing.assert_array_equal(got, want)
    l2_proved(s)


def test_compute_at_between_nests_that_reuse_a_scalar() -> None:
    s = accepted(K.nests_share_a_scalar, [("compute_at", "i", "i_1"), ("parallel", "i_1")])
    assert listed_private(s.module, "i_1") == ["s"]
    A = ints(K.M, K.N)
    C = np.zeros_like(A)
    s.build()(A, C)
    np.testing.assert_array_equal(C, (A * 2 + 1 - 3) ** 2 + np.arange(K.N)[None, :])
    l2_proved(s)


def test_compute_at_refused_when_the_consumer_reads_the_producers_scalar() -> None:
    refused(K.consumer_reads_producers_scalar, "compute_at", "i", "i_1",
            says=("s is not private",))


def test_compute_at_into_the_innermost_loop_when_the_scalar_starts_afresh() -> None:
    s = accepted(K.nests_share_a_scalar, [("compute_at", "j", "j_1"), ("parallel", "j_1")])
    assert any("/fresh/s/j_1@" in c.name for c in s.steps[0].checks)
    assert listed_private(s.module, "j_1") == ["s"]
    A = ints(K.M, K.N)
    C = np.zeros_like(A)
    s.build()(A, C)
    np.testing.assert_array_equal(C, (A * 2 + 1 - 3) ** 2 + np.arange(K.N)[None, :])
    l2_proved(s)
    s = accepted(K.fresh_twice, [("reorder", "j", "i"), ("parallel", "i")])
    A, B, C = ints(K.M, K.N), np.zeros((K.M, K.N), np.int32), np.zeros((K.M, K.N), np.int32)
    s.build()(A, B, C)
    np.testing.assert_array_equal(B, A + 1)
    np.testing.assert_array_equal(C, A * 3)
