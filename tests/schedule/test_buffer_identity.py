"""L1 names buffers, so a name must never stand for two buffers, and a step keeps what a
function returns.

Found by the attack5 QA pass: a broken split that also redirected the store of
`v[p] = v[p] * 2` (v an argument) into a fresh local buffer the rewrite named `v` left
every access looking the same, and L1 proved it (v was never written; only L3 refuted it).
A function's own buffer named like an argument is now a different buffer, and buffers the
function allocates under one name get distinct names (in program order). Likewise a split
that also returned a fresh buffer instead of the result, or that hoisted the load of a
returned scalar above the loop accumulating it, or that shrank a local array under its
loops (out-of-bounds accesses) or freed it before its last use, changed no statement and
was proved.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from mlir.dialects import memref
from mlir.ir import InsertionPoint, Location, MemRefType, Module, StringAttr

import allo_verify as av
from allo_verify import int32
from allo_verify.codegen.pipeline import clone_module
from allo_verify.schedule.primitives.base import Context, statements
from allo_verify.schedule.primitives.split import Split
from allo_verify.schedule.rewrite import loop_op
from tests.schedule.test_guarded_regrouping import ops_named, scale_then_sum
from tests.schedule.test_mutations import refute


def one_tmp_per_copy(A: int32[8, 4]) -> int32[8]:
    out: int32[8] = 0
    for i in range(8):
        with av.meta_for(0, 4, 2) as j:
            tmp: int32[2] = 0
            tmp[0] = A[i, j]
            tmp[1] = A[i, j + 1]
            out[i] += tmp[0] * (j + 1) - tmp[1]
    return out


@dataclass(frozen=True)
class SplitThatRedirectsAStore(Split):
    """Splits `axis` correctly, and also makes the store of the nest `loop` write a new
    buffer the function allocates, named `name`."""

    loop: str = ""
    name: str = ""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, op = loop_op(module, self.loop)
        store = next(o.operation for o in op.regions[0].blocks[0].operations
                     if o.operation.name == "affine.store")
        func = ops_named(module, "func.func")[0]
        with Location.unknown(), InsertionPoint.at_block_begin(func.regions[0].blocks[0]):
            alloc = memref.AllocOp(MemRefType(store.operands[1].type), [], [])
        alloc.operation.attributes["buffer_name"] = StringAttr.get(self.name)
        store.operands[1] = alloc.result


def _redirected(prim: SplitThatRedirectsAStore, sid: int) -> list[str]:
    """The buffers statement `sid` accesses once `prim` rewrote a copy of the design."""
    s = av.customize(scale_then_sum)
    copy = clone_module(s.module)
    with copy.context:
        prim.apply(copy, s.ctx)
    return [a.buffer for a in statements(copy, "scale_then_sum", s.ctx)[sid].accesses]


@pytest.mark.parametrize(("prim", "sid", "fresh"), [
    (SplitThatRedirectsAStore("q", 4, loop="p", name="v"), 1, "v@local"),
    (SplitThatRedirectsAStore("p", 4, loop="q", name="out"), 0, "out#2"),
])
def test_a_store_redirected_to_a_buffer_of_the_same_name_is_refuted(
        prim: SplitThatRedirectsAStore, sid: int, fresh: str) -> None:
    # the two buffers named alike get names of their own: the redirected store S1 writes
    # "v@local"; for "out" the fresh buffer comes first in program order, so the original
    # one, which S0 initializes, is now "out#2"
    assert fresh in _redirected(prim, sid)
    # refused: the statement's accesses changed, and so did the function's buffers
    refute(av.customize(scale_then_sum), prim, "refused")


def test_local_arrays_declared_in_each_unrolled_copy_are_distinct_buffers() -> None:
    s = av.customize(one_tmp_per_copy)
    names = {a.buffer for st in statements(s.module, "one_tmp_per_copy", s.ctx).values()
             for a in st.accesses}
    assert {"tmp", "tmp#2"} <= names
    s.split("i", 4)
    assert not s.steps[-1].unchecked


def test_the_same_split_without_the_redirection_is_proved() -> None:
    s = av.customize(scale_then_sum)
    s.split("p", 4)
    s.split("q", 4)
    assert not any(st.unchecked for st in s.steps)


@dataclass(frozen=True)
class SplitThatReturnsAnotherBuffer(Split):
    """Splits `axis` correctly, and also returns a fresh buffer (never written) instead of
    the function's result: no statement changes."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        func = ops_named(module, "func.func")[0]
        ret = list(func.regions[0].blocks[0].operations)[-1].operation
        with Location.unknown(), InsertionPoint.at_block_begin(func.regions[0].blocks[0]):
            alloc = memref.AllocOp(MemRefType(ret.operands[0].type), [], [])
        alloc.operation.attributes["buffer_name"] = StringAttr.get("fresh")
        ret.operands[0] = alloc.result


def test_a_step_that_returns_another_buffer_is_refuted() -> None:
    note = refute(av.customize(scale_then_sum), SplitThatReturnsAnotherBuffer("q", 4),
                  "/results")
    assert "returns another buffer or value" in note


def total(A: int32[8], B: int32[8]) -> int32:
    for p in range(8):
        B[p] = B[p] + 1
    s: int32 = 0
    for i in range(8):
        s = s + A[i]
    return s


@dataclass(frozen=True)
class SplitThatHoistsTheResultLoad(Split):
    """Splits `axis` correctly, and also moves the load of the returned scalar above the
    loop that accumulates it: the function returns 0."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        func = ops_named(module, "func.func")[0]
        ret = list(func.regions[0].blocks[0].operations)[-1].operation
        ret.operands[0].owner.move_before(loop_op(module, "i")[1])


def test_a_result_load_hoisted_above_the_writes_it_should_see_is_not_proved() -> None:
    s = av.customize(total)
    with pytest.raises(av.ScheduleError, match="results could not be decided: L1 compares "
                                               "results as computed at the return"):
        s._apply(SplitThatHoistsTheResultLoad("p", 4))  # type: ignore[arg-type]
    assert not s.steps
    s.split("p", 4)
    s.split("i", 2)
    assert not any(st.unchecked for st in s.steps)


def via_local(A: int32[8], B: int32[8], C: int32[8]):
    for p in range(8):
        C[p] = C[p] + 1
    t: int32[8] = 0
    for i in range(8):
        t[i] = A[i] * 2
    for j in range(8):
        B[j] = t[j] + 1


@dataclass(frozen=True)
class SplitThatShrinksALocal(Split):
    """Splits `axis` correctly, and also gives the local array t 2 cells instead of 8: its
    loops then access it out of bounds, every access looking as before."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        (old,) = [a for a in ops_named(module, "memref.alloc")
                  if StringAttr(a.attributes["buffer_name"]).value == "t"]
        with Location.unknown(), InsertionPoint(old):
            new = memref.AllocOp(MemRefType.get([2], MemRefType(old.results[0].type)
                                                .element_type), [], [])
        new.operation.attributes["buffer_name"] = StringAttr.get("t")
        old.results[0].replace_all_uses_with(new.result)
        old.erase()


@dataclass(frozen=True)
class SplitThatFreesALocalEarly(Split):
    """Splits `axis` correctly, and also frees the local array t before the loop reading
    it (no statement changes)."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        (free,) = ops_named(module, "memref.dealloc")
        free.move_before(loop_op(module, "j")[1])


def test_a_local_buffer_shrunk_under_its_loops_is_refuted() -> None:
    refute(av.customize(via_local), SplitThatShrinksALocal("p", 4), "/results")


def test_a_local_buffer_freed_before_a_use_is_not_proved() -> None:
    s = av.customize(via_local)
    assert ops_named(s.module, "memref.dealloc")
    with pytest.raises(av.ScheduleError, match="freed .* before a later use"):
        s._apply(SplitThatFreesALocalEarly("p", 4))  # type: ignore[arg-type]
    assert not s.steps
    s.split("p", 4)
    s.split("j", 2)
    assert not any(st.unchecked for st in s.steps)
