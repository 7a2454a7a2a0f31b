"""buffer_at: the data moves through the new buffer, the design verifies, and a skipped
initialization, a skipped write-back or a wrong offset is refuted naming the cell."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from mlir.ir import AffineMap, AffineMapAttr, Module, StringAttr, WalkResult

import allo_verify as av
from allo_verify.schedule.primitives.base import Context
from allo_verify.schedule.primitives.buffer_at import BufferAt
from allo_verify.schedule.rewrite import loop_op
from tests.schedule import memory_kernels as K

RNG = np.random.default_rng(0)


def test_gemm_buffer_at_i_moves_data_and_verifies() -> None:
    s = av.customize(K.gemm)
    buf = s.buffer_at(s.C, axis="i")
    assert buf.qualified == "gemm:C_buf"
    text = str(s.module)
    assert 'buffer_name = "C_buf"' in text and "memref<8xi32>" in text
    assert 'loop_name = "C_buf.init0"' in text and 'loop_name = "C_buf.wb0"' in text
    assert all(c.result.status == "proved" for c in s.steps[0].checks)
    a = RNG.integers(-50, 50, (10, 10), dtype=np.int32)
    b = RNG.integers(-50, 50, (10, 8), dtype=np.int32)
    assert np.array_equal(s.build()(a, b), a @ b)
    assert s.verify(trials=10).status == "proved"


def test_allo_gemm_schedule_with_partitions_verifies() -> None:
    s = av.customize(K.gemm)
    s.reorder("k", "j")
    s.buffer_at(s.C, axis="i")
    s.pipeline("j")
    s.partition(s.A, av.Partition.Complete, dim=2)
    s.partition(s.B, av.Partition.Cyclic, dim=1, factor=2)
    assert s.verify(trials=10).status == "proved"


def test_read_only_target_has_no_write_back() -> None:
    s = av.customize(K.add_one)
    s.buffer_at("A", axis="i")
    text = str(s.module)
    assert "A_buf.init0" in text and "A_buf.wb0" not in text
    a = RNG.integers(-50, 50, (10, 8), dtype=np.int32)
    assert np.array_equal(s.build()(a), a + 1)
    assert s.verify(trials=5).status == "proved"


def test_buffer_at_the_inner_loop_buffers_one_cell() -> None:
    s = av.customize(K.add_one)
    s.buffer_at("B", axis="j")
    assert "memref<i32>" in str(s.module)
    assert s.verify(trials=5).status == "proved"


@pytest.mark.parametrize(("kernel", "target", "axis", "expect"), [
    (K.row_calls, "A", "i", "used by func.call"),
    (K.add_one, "B", "C.init0", "no loop named"),
    (K.gemm, "A", "B.init0", "no loop named"),
    (K.passes_down, "bump:Y", "passes_down:i", "is not a buffer of passes_down"),
])
def test_refusals(kernel, target: str, axis: str, expect: str) -> None:  # noqa: ANN001
    s = av.customize(kernel)
    with pytest.raises(av.ScheduleError, match=expect):
        s.buffer_at(target, axis)
    assert not s.steps


def test_a_loop_that_does_not_touch_the_target_is_refused() -> None:
    s = av.customize(K.gemm)
    with pytest.raises(av.ScheduleError, match="not accessed inside loop 'C.init1'"):
        s.buffer_at("A", "C.init1")


# ---- mutations ---------------------------------------------------------------------------
def refute(s: av.Schedule, prim: BufferAt, expect: str) -> str:
    before = str(s.module)
    with pytest.raises(av.ScheduleError) as info:
        K.apply_broken(s, prim)
    assert str(s.module) == before and not s.steps
    assert expect in str(info.value), str(info.value)
    assert info.value.counterexample is not None
    return info.value.counterexample.note


def erase_loop(module: Module, name: str) -> None:
    _, op = loop_op(module, name)
    op.erase()


@dataclass(frozen=True)
class SkipWriteBack(BufferAt):
    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        erase_loop(module, "C_buf.wb0")


@dataclass(frozen=True)
class SkipInit(BufferAt):
    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        erase_loop(module, "C_buf.init0")


def shift_buffer_accesses(module: Module, buf: str, inside: str, shift: int) -> None:
    """Every access to `buf` inside loop `inside` reads cell (old subscript + shift) mod 8."""
    _, lp = loop_op(module, inside)

    def visit(op):  # noqa: ANN001, ANN202
        if op.name in ("affine.load", "affine.store"):
            mem = op.operands[0 if op.name == "affine.load" else 1]
            owner = mem.owner.operation if hasattr(mem.owner, "operation") else None
            if owner is not None and "buffer_name" in owner.attributes and \
                    StringAttr(owner.attributes["buffer_name"]).value == buf:
                m = AffineMapAttr(op.attributes["map"]).value
                op.attributes["map"] = AffineMapAttr.get(AffineMap.get(
                    m.n_dims, 0, [(r + shift) % 8 for r in m.results]))
        return WalkResult.ADVANCE

    lp.walk(visit)


@dataclass(frozen=True)
class WrongOffset(BufferAt):
    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        shift_buffer_accesses(module, "C_buf", "k", 1)


@dataclass(frozen=True)
class InitFromWrongOffset(BufferAt):
    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        shift_buffer_accesses(module, "C_buf", "C_buf.init0", 1)


def test_skipped_write_back_is_refuted_with_the_cell() -> None:
    note = refute(av.customize(K.gemm), SkipWriteBack("gemm:C", "i"), "/write-back")
    assert "cell C[" in note and "is not restored from C_buf[" in note


def test_skipped_init_is_refuted_with_the_cell() -> None:
    note = refute(av.customize(K.gemm), SkipInit("gemm:C", "i"), "/init")
    assert "cell C_buf[" in note and "is not loaded from C[" in note


def test_wrong_offset_in_the_body_is_refuted_with_the_cell() -> None:
    note = refute(av.customize(K.gemm), WrongOffset("gemm:C", "i"), "/access")
    assert "touched C[" in note and "now touches C_buf[" in note and "which holds C[" in note


def test_init_from_the_wrong_offset_is_refuted() -> None:
    note = refute(av.customize(K.gemm), InitFromWrongOffset("gemm:C", "i"), "/init")
    assert "cell C_buf[" in note


def test_loop_primitives_after_buffer_at_still_check() -> None:
    s = av.customize(K.gemm)
    s.buffer_at(s.C, "i")
    s.split("j", 4)
    s.reorder("j.outer", "k")
    assert all(c.result.status == "proved" for st in s.steps for c in st.checks)
    a = RNG.integers(-50, 50, (10, 10), dtype=np.int32)
    b = RNG.integers(-50, 50, (10, 8), dtype=np.int32)
    assert np.array_equal(s.build()(a, b), a @ b)
