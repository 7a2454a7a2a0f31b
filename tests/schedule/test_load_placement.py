"""A statement whose load is separated from it by a write to the loaded buffer is never
proved by L1 (`equiv.load_placement`): L1 models every load at its use.

Found by the attack5 QA pass: a broken split that also hoisted a load above a write to the
same buffer (`x = A[i] * 3; B[i] = x + 1` reading the previous x; `c[i] = c[i] - 1; if
c[i] > 0: B[i] = 1` testing the previous c[i]) kept every modelled fact of every statement,
and L1 proved it (only L3 refuted it).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from mlir.ir import Module

import allo_verify as av
from allo_verify import int32
from allo_verify.equiv.load_placement import separates
from allo_verify.schedule.primitives.base import Context, statements
from allo_verify.schedule.primitives.split import Split
from allo_verify.schedule.rewrite import loop_op
from tests.schedule import privacy_kernels as P
from tests.schedule.test_guarded_regrouping import ops_named

T = 8


def scalar_flow(A: int32[T], B: int32[T]):
    for p in range(T):
        A[p] = A[p] + 1
    for i in range(T):
        x: int32 = A[i] * 3
        B[i] = x + 1


def dec_then_test(A: int32[T], B: int32[T], c: int32[T]):
    for p in range(T):
        A[p] = A[p] + 1
    for i in range(T):
        c[i] = c[i] - 1
        if c[i] > 0:
            B[i] = 1


def array_flow(A: int32[T], B: int32[T], C: int32[T]):
    for p in range(T):
        C[p] = C[p] + 1
    for i in range(T):
        A[i] = A[i] + 1
        B[i] = A[i] * 2


@dataclass(frozen=True)
class SplitThatHoistsALoad(Split):
    """Splits `p` correctly, and also moves the loads of `buffer_type` that follow the
    first store of loop `i` (which writes that buffer) above it."""

    buffer_type: str = ""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, op = loop_op(module, "i")
        body = [o.operation for o in op.regions[0].blocks[0].operations]
        stores = [o for o in body if o.name == "affine.store"]
        loads = [o for o in body if o.name == "affine.load"
                 and str(o.operands[0].type) == self.buffer_type
                 and body.index(o) > body.index(stores[0])]
        for load in loads:
            load.move_before(stores[0])


@pytest.mark.parametrize(("kernel", "buffer_type"), [(scalar_flow, "memref<i32>"),
                                                     (array_flow, "memref<8xi32>"),
                                                     (dec_then_test, "memref<8xi32>")])
def test_a_load_hoisted_above_a_write_it_should_see_is_not_proved(
        kernel: object, buffer_type: str) -> None:
    s = av.customize(kernel)
    before = str(s.module)
    prim = SplitThatHoistsALoad("p", 4, buffer_type=buffer_type)
    with pytest.raises(av.ScheduleError, match="could not be decided") as info:
        s._apply(prim)  # type: ignore[arg-type]  # broken on purpose
    assert "L1 models every load at its use" in str(info.value)
    assert str(s.module) == before and not s.steps
    step = s._apply(prim, unchecked=True)  # type: ignore[arg-type]
    assert step.unchecked
    assert s.verify(layers=("L1",)).status != "proved"


@pytest.mark.parametrize("kernel", [scalar_flow, array_flow, dec_then_test])
def test_loads_next_to_their_statements_are_still_proved(kernel: object) -> None:
    s = av.customize(kernel)
    name = kernel.__name__  # type: ignore[attr-defined]
    assert not any(st.reason for st in statements(s.module, name, s.ctx).values())
    s.split("p", 4)
    s.split("i", 2)
    assert not any(st.unchecked for st in s.steps)
    assert s.verify(layers=("L1",)).status == "proved"


FOR, OP = "for", "op"


def test_a_write_separates_a_load_by_position_or_by_a_loop_around_the_statement() -> None:
    loop = ((0, 3), "k", FOR)
    load = (((0, 1), None, OP),)
    # load; W; S in one block
    assert separates(load, (((0, 2), None, OP),), (((0, 3), None, OP),))
    assert not separates(load, (((0, 4), None, OP),), (((0, 3), None, OP),))
    assert not separates((((0, 2), None, OP),), (((0, 1), None, OP),), (((0, 3), None, OP),))
    # load; for k: {S; W}: W of iteration k runs before S of iteration k + 1
    assert separates(load, (loop, ((0, 1), None, OP)), (loop, ((0, 0), None, OP)))
    # load; for k: {S}: S of iteration k writes what S of iteration k + 1 would load
    assert separates(load, (loop, ((0, 0), None, OP)), (loop, ((0, 0), None, OP)))
    # for k: {load; S; W}: the load runs in every iteration, after the previous W
    inner = ((loop, ((0, 0), None, OP)), (loop, ((0, 2), None, OP)), (loop, ((0, 1), None, OP)))
    assert not separates(*inner)


@dataclass(frozen=True)
class SplitThatHoistsAWhileTest(Split):
    """Splits `axis` correctly, and also moves the load of x that `while x > 1` tests out
    of the loop's condition region: the test then never sees the body's writes."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        (loop,) = ops_named(module, "scf.while")
        first = list(loop.regions[0].blocks[0].operations)[0].operation
        assert first.name == "affine.load"
        first.move_before(loop)


def test_a_while_test_load_hoisted_out_of_the_loop_is_not_proved() -> None:
    s = av.customize(P.halve_while)
    with pytest.raises(av.ScheduleError, match="could not be decided") as info:
        s._apply(SplitThatHoistsAWhileTest("out.init1", 2))  # type: ignore[arg-type]
    assert "its load of x" in str(info.value) and not s.steps
