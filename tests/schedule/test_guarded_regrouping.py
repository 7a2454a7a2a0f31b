"""A rewrite that changes which statements run under one evaluation of a data-dependent
condition, or that copies a statement keeping its number, is refused by L1.

Found by the attack5 QA pass; each broken rewrite below was proved by L1 before (and
refuted only by L3 co-simulation): a statement's guard names the condition's expression,
not which `scf.if` or `scf.while` evaluates it, and statements were matched by number with
a second copy silently dropped. Each broken primitive splits an unrelated loop correctly
(so its witness is the identity everywhere else) and makes one more change.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from mlir.ir import InsertionPoint, Module, WalkResult

import allo_verify as av
from allo_verify import int32
from allo_verify.schedule.primitives.base import Context
from allo_verify.schedule.primitives.split import Split
from allo_verify.schedule.rewrite import loop_op
from tests.schedule import privacy_kernels as P
from tests.schedule.kernels import scale_then_sum
from tests.schedule.test_mutations import refute

T = 8


def guarded_reset(A: int32[T], B: int32[T], c: int32[T]):
    for p in range(T):
        A[p] = A[p] + 1
    for i in range(T):
        if c[i] > 0:
            c[i] = 0
            B[i] = 1


def two_whiles(A: int32[T], out: int32[T]):
    for i in range(T):
        x: int32 = A[i]
        n: int32 = 0
        m: int32 = 0
        while x > 1:
            x = x // 2
            n = n + 1
        while x > 1:
            m = m + 1
        out[i] = n + m
    for p in range(T):
        A[p] = A[p] + 1


def ops_named(module: Module, name: str) -> list:
    out: list = []

    def visit(op: object) -> WalkResult:
        if op.name == name:  # type: ignore[attr-defined]
            out.append(op)
        return WalkResult.ADVANCE

    module.operation.walk(visit)
    return out


@dataclass(frozen=True)
class SplitThatSplitsAnIf(Split):
    """Also rewrites `if c[i] > 0: {c[i] = 0; B[i] = 1}` into `if c[i] > 0: {c[i] = 0}`
    followed by `if c[i] > 0: {B[i] = 1}`, the second `if` reading c[i] again: B is then
    never written. Each statement keeps its tree, loops, accesses and modelled order."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        (branch,) = ops_named(module, "scf.if")
        block = branch.parent.regions[0].blocks[0]
        ops = [o.operation for o in block.operations]
        k = ops.index(branch)
        head = ops[k - 4:k]  # the load of c[i], the constant, its extension, the compare
        assert [o.name for o in head][0] == "affine.load" and head[-1].name == "arith.cmpi"
        end = ops[-1]
        copies: dict = {}
        for o in head:
            c = o.clone(InsertionPoint(end))
            for n, v in enumerate(o.operands):
                if v.owner in copies:
                    c.operands[n] = copies[v.owner].results[0]
            copies[o] = c
        second = branch.clone(InsertionPoint(end))
        second.operands[0] = copies[head[-1]].results[0]
        kept = [o.operation for o in branch.regions[0].blocks[0].operations]
        moved = [o.operation for o in second.regions[0].blocks[0].operations]
        for o in (kept[3], kept[2], moved[1], moved[0]):  # B[i] = 1 here, c[i] = 0 there
            o.erase()


@dataclass(frozen=True)
class SplitThatMovesIntoTheOtherWhile(Split):
    """Also moves `n = n + 1` from the first while loop's body into the second one's (same
    condition `x > 1`, which the first loop leaves false): n is never incremented."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        first, second = ops_named(module, "scf.while")
        body = [o.operation for o in first.regions[1].blocks[0].operations]
        end = list(second.regions[1].blocks[0].operations)[-1]
        stores = [i for i, o in enumerate(body) if o.name == "affine.store"]
        for o in body[stores[0] + 1: stores[1] + 1]:
            o.move_before(end)


@dataclass(frozen=True)
class SplitThatMovesAWhileBodyIntoItsTest(Split):
    """Also moves the body of `while x > 1: x = x // 2; n = n + 1` into the loop's
    condition region: the body then also runs when the test fails (n counts one more)."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        (loop,) = ops_named(module, "scf.while")
        test = list(loop.regions[0].blocks[0].operations)[-1]
        for o in list(loop.regions[1].blocks[0].operations)[:-1]:
            o.operation.move_before(test)


@dataclass(frozen=True)
class SplitThatRepeatsANest(Split):
    """Also runs the nest `v[p] = v[p] * 2` twice (a copy keeping its stmt_id)."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, op = loop_op(module, "p")
        op.clone(InsertionPoint(op)).move_after(op)


def test_an_if_split_in_two_that_reads_its_condition_again_is_refuted() -> None:
    note = refute(av.customize(guarded_reset), SplitThatSplitsAnIf("p", 4), "/same-condition")
    assert "another if or while" in note


def test_a_statement_moved_into_another_while_loop_with_its_condition_is_refuted() -> None:
    refute(av.customize(two_whiles), SplitThatMovesIntoTheOtherWhile("p", 4), "/same-condition")


def test_a_while_body_moved_into_the_loop_test_is_refuted() -> None:
    refute(av.customize(P.halve_while), SplitThatMovesAWhileBodyIntoItsTest("out.init1", 2),
           "/same-work")


def test_a_statement_copy_that_keeps_its_number_is_refused() -> None:
    s = av.customize(scale_then_sum)
    before = str(s.module)
    with pytest.raises(av.ScheduleError, match="2 statements numbered S1"):
        s._apply(SplitThatRepeatsANest("q", 4))  # type: ignore[arg-type]
    assert str(s.module) == before and not s.steps


@pytest.mark.parametrize(("kernel", "axes"), [(guarded_reset, ("i", "p")),
                                              (two_whiles, ("i", "p")),
                                              (P.halve_while, ("i", "j", "out.init1"))])
def test_splits_around_and_beside_data_dependent_control_are_still_proved(
        kernel: object, axes: tuple[str, ...]) -> None:
    s = av.customize(kernel)
    for axis in axes:
        step = s.split(axis, 2)
        assert s.steps and not s.steps[-1].unchecked, step
    assert s.verify(layers=("L1",)).status == "proved"
