"""partition: the layout lands in the IR as the HLS emitter reads it, is unified over calls,
follows Allo's rules, and every broken bank map is refuted with the cell it misplaces."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mlir.ir import ArrayAttr, DictAttr, IntegerAttr, Module, StringAttr

import allo_verify as av
from allo_verify import grid, int32
from allo_verify.equiv.layouts import DimMap, DimPart, dim_map
from allo_verify.schedule.buffers import BufferRef, functions
from allo_verify.schedule.primitives.base import Context
from allo_verify.schedule.primitives.partition import ArrayPartition
from tests.schedule import memory_kernels as K


def alloc_layout(s: av.Schedule, func: str, name: str) -> list[tuple[str, int, int]] | None:
    found: list = []

    def visit(op):  # noqa: ANN001, ANN202
        if op.name == "memref.alloc" and "buffer_name" in op.attributes and \
                StringAttr(op.attributes["buffer_name"]).value == name:
            found.append(op)
        from mlir.ir import WalkResult
        return WalkResult.ADVANCE

    functions(s.module)[func].walk(visit)
    op = found[0]
    return decode(op.attributes["hls.partition"]) if "hls.partition" in op.attributes else None


def arg_layout(s: av.Schedule, func: str, k: int) -> list[tuple[str, int, int]] | None:
    f = functions(s.module)[func]
    if "arg_attrs" not in f.attributes:
        return None
    d = DictAttr(ArrayAttr(f.attributes["arg_attrs"])[k])
    return decode(d["hls.partition"]) if "hls.partition" in d else None


def decode(attr) -> list[tuple[str, int, int]]:  # noqa: ANN001
    out = []
    for a in ArrayAttr(attr):
        d = DictAttr(a)
        out.append((StringAttr(d["type"]).value, IntegerAttr(d["dim"]).value,
                    IntegerAttr(d["factor"]).value))
    return out


def test_layout_contract_on_argument_and_local() -> None:
    s = av.customize(K.scale)
    s.partition(s.A, av.Partition.Cyclic, dim=2, factor=4)
    s.partition("B", av.Partition.Block, dim=1, factor=3)
    assert arg_layout(s, "scale", 0) == [("cyclic", 2, 4)]
    assert alloc_layout(s, "scale", "B") == [("block", 1, 3)]
    assert all(st.primitive.hardware for st in s.steps)
    assert all(c.result.status == "proved" for st in s.steps for c in st.checks)
    a = np.arange(80, dtype=np.int32).reshape(10, 8)
    assert np.array_equal(s.build()(a), a * 2)
    assert s.verify(trials=5).status == "proved"


def test_dim_zero_is_every_dimension_and_allo_integer_types() -> None:
    s = av.customize(K.scale)
    s.partition("scale:A", 1, dim=0, factor=2)  # Allo: 1 is block
    assert arg_layout(s, "scale", 0) == [("block", 1, 2), ("block", 2, 2)]
    s2 = av.customize(K.scale)
    s2.partition(s2.B)  # complete, every dimension
    assert alloc_layout(s2, "scale", "B") == [("complete", 1, 0), ("complete", 2, 0)]


def test_complete_absorbs_later_requests_and_repeats_are_one() -> None:
    s = av.customize(K.scale)
    s.partition(s.A, av.Partition.Complete, dim=1)
    s.partition(s.A, av.Partition.Cyclic, dim=1, factor=2)  # absorbed
    s.partition(s.A, av.Partition.Cyclic, dim=2, factor=2)
    s.partition(s.A, av.Partition.Cyclic, dim=2, factor=2)  # the same again
    assert arg_layout(s, "scale", 0) == [("complete", 1, 0), ("cyclic", 2, 2)]


def test_conflicting_requests_name_both_steps_and_change_nothing() -> None:
    s = av.customize(K.scale)
    s.partition(s.A, av.Partition.Block, dim=1, factor=2)
    before = str(s.module)
    with pytest.raises(av.ScheduleUsageError) as info:
        s.partition(s.A, av.Partition.Cyclic, dim=1, factor=2)
    msg = str(info.value)
    assert "step 1 (partition(target='scale:A', partition_type='block'" in msg
    assert "partition(target='scale:A', partition_type='cyclic'" in msg
    assert str(s.module) == before and len(s.steps) == 1


@pytest.mark.parametrize(("args", "expect"), [
    (("A", "block", 3, 2), "dim must be 0"),
    (("A", "block", 1, 0), "factor must be an integer in 1..10"),
    (("A", "cyclic", 2, 9), "factor must be an integer in 1..8"),
    (("A", "diagonal", 1, 2), "partition type must be"),
    (("Q", "block", 1, 2), "no buffer named 'Q'"),
])
def test_bad_requests_are_usage_errors(args: tuple, expect: str) -> None:
    s = av.customize(K.scale)
    target, kind, dim, factor = args
    with pytest.raises(av.ScheduleUsageError, match=expect):
        s.partition(target, kind, dim=dim, factor=factor)
    assert not s.steps


def test_buffer_handles() -> None:
    s = av.customize(K.passes_down)
    assert s.A == BufferRef("passes_down", "A") and s.X == BufferRef("bump", "X")
    assert s.buffer("bump:Y").qualified == "bump:Y"
    with pytest.raises(AttributeError, match="no buffer named 'nothing'"):
        s.nothing  # noqa: B018
    names = {b.qualified for b in s.get_buffers()}
    # C is bound to the call's result, whose storage is bump:Y
    assert {"passes_down:A", "passes_down:B", "bump:X", "bump:Y"} == names


def test_layout_flows_into_the_callee_argument() -> None:
    s = av.customize(K.passes_down)
    s.partition(s.B, av.Partition.Cyclic, dim=1, factor=2)
    assert alloc_layout(s, "passes_down", "B") == [("cyclic", 1, 2)]
    assert arg_layout(s, "bump", 0) == [("cyclic", 1, 2)]
    assert arg_layout(s, "passes_down", 0) is None
    names = [c.name for c in s.steps[0].checks]
    assert any("/bump:X/" in n for n in names)  # the callee's accesses are checked too
    assert s.verify(trials=5).status == "proved"


def test_layout_flows_from_a_returned_array() -> None:
    s = av.customize(K.passes_down)
    s.partition("bump:Y", av.Partition.Block, dim=2, factor=4)
    # the call's result (C) is bump:Y itself: the layout is on its one allocation
    assert alloc_layout(s, "bump", "Y") == [("block", 2, 4)]
    assert arg_layout(s, "bump", 0) is None


def test_two_call_sites_needing_different_layouts_name_both_steps() -> None:
    s = av.customize(K.two_sites)
    s.partition(s.A, av.Partition.Block, dim=1, factor=2)
    assert arg_layout(s, "bump", 0) == [("block", 1, 2)]
    assert arg_layout(s, "two_sites", 1) == [("block", 1, 2)]  # D shares bump's parameter
    with pytest.raises(av.ScheduleUsageError) as info:
        s.partition(s.D, av.Partition.Cyclic, dim=1, factor=5)
    msg = str(info.value)
    assert "step 1 (partition(target='two_sites:A'" in msg and "two_sites:D" in msg
    assert "bump:X" in msg
    assert len(s.steps) == 1


def test_a_layout_that_would_reach_a_constant_array_is_refused() -> None:
    s = av.customize(K.with_constant)
    with pytest.raises(av.ScheduleError, match="bound through calls to the constant array @"):
        s.partition(s.A, av.Partition.Cyclic, dim=1, factor=2)
    assert not s.steps
    s.partition(s.E, av.Partition.Cyclic, dim=1, factor=2)  # not bound to it: fine


# ---- mutations: each broken bank map or rewrite is refuted with the cell it misplaces ----
def refute(s: av.Schedule, prim: ArrayPartition, expect: str) -> str:
    before = str(s.module)
    with pytest.raises(av.ScheduleError) as info:
        K.apply_broken(s, prim)
    assert str(s.module) == before and not s.steps
    assert expect in str(info.value), str(info.value)
    assert info.value.counterexample is not None
    return info.value.counterexample.note


@dataclass(frozen=True)
class BlockWithFloor(ArrayPartition):
    """Block banks of N div F indices instead of ceildiv(N, F)."""

    def dim_map(self, part: DimPart, size: int) -> DimMap:
        d = size // part.factor
        return DimMap(part.factor, d, lambda i: i / d, lambda i: i % d, lambda b, o: b * d + o)


@dataclass(frozen=True)
class CyclicByQuotient(ArrayPartition):
    """Cyclic banks chosen by i div F instead of i mod F."""

    def dim_map(self, part: DimPart, size: int) -> DimMap:
        f, depth = part.factor, -(-size // part.factor)
        return DimMap(f, depth, lambda i: i / f, lambda i: i % f, lambda b, o: o * f + b)


def test_block_with_floor_is_refuted_with_the_cell() -> None:
    note = refute(av.customize(K.scale), BlockWithFloor("scale:A", "block", 1, 3),
                  "/into-banks")
    assert "cell A[9, " in note and "bank 3 of 0..2" in note


def test_cyclic_by_quotient_is_refuted_with_the_cell() -> None:
    note = refute(av.customize(K.scale), CyclicByQuotient("scale:A", "cyclic", 2, 4),
                  "/into-banks")
    assert "cell A[" in note and "outside the banks" in note


@dataclass(frozen=True)
class CyclicByQuotientInRange(ArrayPartition):
    """i div F as the bank with enough slots: in range, but the slot decodes elsewhere."""

    def dim_map(self, part: DimPart, size: int) -> DimMap:
        f = part.factor
        return DimMap(size, size, lambda i: i / f, lambda i: i % f, lambda b, o: o * f + b)


def test_a_map_that_decodes_elsewhere_is_refuted() -> None:
    note = refute(av.customize(K.scale), CyclicByQuotientInRange("scale:A", "cyclic", 2, 4),
                  "/same-cell")
    assert "decodes to another cell" in note


@dataclass(frozen=True)
class CollidingMap(ArrayPartition):
    """Offsets forgotten: every index of a bank lands in slot 0."""

    def dim_map(self, part: DimPart, size: int) -> DimMap:
        real = dim_map(part, size)
        return DimMap(real.banks, real.depth, real.bank, lambda i: i * 0, real.decode)


def test_colliding_cells_are_refuted_with_both_cells() -> None:
    note = refute(av.customize(K.scale), CollidingMap("scale:A", "cyclic", 1, 2),
                  "/one-to-one")
    assert note.startswith("cells A[") and "share a bank slot" in note


@dataclass(frozen=True)
class PartitionThatEditsTheIR(ArrayPartition):
    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        from mlir.ir import AffineConstantExpr, AffineMap, AffineMapAttr

        from allo_verify.schedule.rewrite import loop_op
        _, op = loop_op(module, "i")
        op.attributes["upperBoundMap"] = AffineMapAttr.get(
            AffineMap.get(0, 0, [AffineConstantExpr.get(3)]))


def test_a_partition_that_changes_the_computation_is_refuted() -> None:
    note = refute(av.customize(K.scale), PartitionThatEditsTheIR("scale:A", "block", 1, 2),
                  "/layout-only")
    assert "differs beyond hls.partition" in note


@dataclass(frozen=True)
class PartitionForgettingTheCallee(ArrayPartition):
    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        f = functions(module)["bump"]
        del f.attributes["arg_attrs"]


def test_a_layout_not_propagated_to_the_callee_is_refuted() -> None:
    note = refute(av.customize(K.passes_down),
                  PartitionForgettingTheCallee("passes_down:B", "cyclic", 1, 2), "/unified")
    assert "bump:X is bound to passes_down:B" in note


# ---- the checker is exact: it proves a bank map exactly when the map is a bijection ----
def vector_kernel(n: int):  # noqa: ANN201 - a kernel
    def vec(A: int32[n, 2]) -> int32[n, 2]:
        B: int32[n, 2] = 0
        for i, j in grid(n, 2):
            B[i, j] = A[i, j] + 1
        return B

    return vec


def floor_block_is_bijection(n: int, f: int) -> bool:
    d = n // f
    slots = {(i // d, i % d) for i in range(n)}
    return len(slots) == n and all(0 <= b < f and 0 <= o < d for b, o in slots)


@settings(max_examples=12, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40))
@example(10, 3)  # misplaces A[9] into bank 3
@example(12, 4)  # F divides N: floor is ceil
def test_floor_block_is_refuted_exactly_when_it_misplaces_a_cell(n: int, f: int) -> None:
    f = min(f, n)
    s = av.customize(vector_kernel(n))
    prim = BlockWithFloor("vec:A", "block", 1, f)
    if floor_block_is_bijection(n, f):
        K.apply_broken(s, prim)
        assert all(c.result.status == "proved" for c in s.steps[0].checks)
    else:
        with pytest.raises(av.ScheduleError):
            K.apply_broken(s, prim)


@settings(max_examples=12, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.sampled_from(["block", "cyclic"]))
def test_real_layouts_are_always_proved(n: int, f: int, kind: str) -> None:
    s = av.customize(vector_kernel(n))
    s.partition("A", kind, dim=1, factor=min(f, n))
    assert all(c.result.status == "proved" for c in s.steps[0].checks)
