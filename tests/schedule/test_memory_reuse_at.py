"""reuse_at: line and window buffers for stencils. The data moves through the buffers, the
designs verify, and a broken shift, an off-by-one window and reuse on a target the nest
writes (Allo issue #370) are refuted with a counterexample."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from mlir.ir import AffineConstantExpr, AffineMap, AffineMapAttr, Module, StringAttr, WalkResult

import allo_verify as av
from allo_verify.schedule.primitives.base import Context
from allo_verify.schedule.primitives.reuse_at import ReuseAt
from allo_verify.schedule.rewrite import loop_op
from tests.schedule import memory_kernels as K

RNG = np.random.default_rng(1)


def conv_ref(a: np.ndarray, f: np.ndarray) -> np.ndarray:
    h, w = a.shape
    return np.array([[int((a[y:y + 3, x:x + 3].astype(np.int64) * f).sum())
                      for x in range(w - 2)] for y in range(h - 2)], dtype=np.int32)


def test_line_and_window_buffer_conv_verifies() -> None:
    s = av.customize(K.conv3x3)
    lb = s.reuse_at(s.A, "y")
    wb = s.reuse_at(lb, "x")
    assert lb.qualified == "conv3x3:A_reuse_y" and wb.qualified == "conv3x3:A_reuse_y_reuse_x"
    text = str(s.module)
    assert "memref<3x9xi32>" in text and "memref<3x3xi32>" in text
    assert "A_reuse_y.shift0" in text and "A_reuse_y_reuse_x.load0" in text
    s.partition(lb, av.Partition.Complete, dim=1)
    s.partition(wb)
    assert all(c.result.status == "proved" for st in s.steps for c in st.checks)
    a = RNG.integers(-100, 100, (10, 9), dtype=np.int32)
    f = RNG.integers(-5, 5, (3, 3), dtype=np.int32)
    assert np.array_equal(s.build()(a, f), conv_ref(a, f))
    assert s.verify(trials=10).status == "proved"


def test_window_of_constant_offsets() -> None:
    s = av.customize(K.blur_x)
    s.reuse_at("A", "x")
    a = RNG.integers(-100, 100, (10, 9), dtype=np.int32)
    assert np.array_equal(s.build()(a), a[:, :-2] + a[:, 1:-1] + a[:, 2:])
    assert s.verify(trials=5).status == "proved"


def test_line_buffer_under_a_tiled_column_loop() -> None:
    s = av.customize(K.conv3x3)
    s.split("x", 4)
    s.reorder("x.outer", "y", "x.inner")
    lb = s.reuse_at(s.A, "y")
    s.reuse_at(lb, "x.inner")
    a = RNG.integers(-100, 100, (10, 9), dtype=np.int32)
    f = RNG.integers(-5, 5, (3, 3), dtype=np.int32)
    assert np.array_equal(s.build()(a, f), conv_ref(a, f))
    assert s.verify(trials=5).status == "proved"


def test_strided_line_buffer() -> None:
    s = av.customize(K.strided)
    lb = s.reuse_at(s.A, "y")
    assert "memref<2x9xi32>" in str(s.module)  # two rows; both fresh each iteration
    a = RNG.integers(-100, 100, (10, 9), dtype=np.int32)
    assert np.array_equal(s.build()(a), a[0:8:2] + a[1:8:2])
    assert s.verify(trials=5).status == "proved"
    del lb


def test_stride_two_conv_with_line_and_window_buffers() -> None:
    s = av.customize(K.conv_stride2)
    lb = s.reuse_at(s.A, "y")
    s.reuse_at(lb, "x")
    a = RNG.integers(-100, 100, (11, 11), dtype=np.int32)
    ref = np.array([[int(a[2 * y:2 * y + 3, 2 * x:2 * x + 3].sum()) for x in range(5)]
                    for y in range(5)], dtype=np.int32)
    assert np.array_equal(s.build()(a), ref)
    assert s.verify(trials=5).status == "proved"


def test_reuse_on_a_target_the_nest_writes_is_refused_with_the_instance() -> None:
    # Allo issue #370: a reuse buffer on an in-place update serves stale values
    s = av.customize(K.in_place)
    before = str(s.module)
    with pytest.raises(av.ScheduleError) as info:
        s.reuse_at(s.A, "y")
    msg = str(info.value)
    assert "/no-write" in msg and "writes A[" in msg and "inside loop 'y'" in msg
    assert info.value.counterexample is not None
    assert str(s.module) == before and not s.steps


def test_reuse_on_an_accumulated_output_is_refused() -> None:
    s = av.customize(K.accumulate_rows)
    with pytest.raises(av.ScheduleError, match="writes B\\["):
        s.reuse_at("B", "y")
    assert not s.steps


def test_reuse_of_the_input_of_an_in_place_reduction_is_accepted() -> None:
    s = av.customize(K.accumulate_rows)
    s.reuse_at("A", "y")
    a = RNG.integers(-100, 100, (10, 9), dtype=np.int32)
    b = RNG.integers(-100, 100, (8, 9), dtype=np.int32)
    expect = b + a[:-2] + a[1:-1] + a[2:]
    s.build()(a, b)
    assert np.array_equal(b, expect)
    assert s.verify(trials=5).status == "proved"


@pytest.mark.parametrize(("kernel", "target", "axis", "expect"), [
    (K.uneven, "A", "y", "at different strides"),
    (K.conv3x3, "B", "y", "not read inside loop"),
    (K.conv3x3, "F", "x", "exactly one dimension"),
])
def test_refusals(kernel, target: str, axis: str, expect: str) -> None:  # noqa: ANN001
    s = av.customize(kernel)
    with pytest.raises(av.ScheduleError, match=expect):
        s.reuse_at(target, axis)
    assert not s.steps


# ---- mutations ---------------------------------------------------------------------------
def refute(s: av.Schedule, prim: ReuseAt, expect: str) -> str:
    before = str(s.module)
    with pytest.raises(av.ScheduleError) as info:
        K.apply_broken(s, prim)
    assert str(s.module) == before
    assert expect in str(info.value), str(info.value)
    assert info.value.counterexample is not None
    return info.value.counterexample.note


@dataclass(frozen=True)
class ShiftWrongOrder(ReuseAt):
    """The line buffer shifts from the last row down: R[r] = R[r + 1] for r descending,
    so each row copies a row already overwritten."""

    def shift(self, p, buf, shape, keep, counter) -> None:  # noqa: ANN001
        k = p.extent - p.stride - 1
        self.nest(p, "shift", shape, keep, counter,
                  src=(buf, lambda c: [k - c[q] + p.stride if q == p.dim else c[q]
                                       for q in range(len(c))]),
                  dst=(buf, lambda c: [k - c[q] if q == p.dim else c[q]
                                       for q in range(len(c))]))


def test_line_buffer_shifted_in_the_wrong_order_is_refuted() -> None:
    note = refute(av.customize(K.conv3x3), ShiftWrongOrder("conv3x3:A", "y"), "/reads-old/")
    assert "reads A_reuse_y[" in note and "overwrote it" in note


def shift_reads(module: Module, buf: str | None, inside: str, d: int, shift: int) -> None:
    """Loads of `buf` (None: of any array) inside loop `inside` read subscript d shifted by
    `shift`."""
    _, lp = loop_op(module, inside)

    def visit(op):  # noqa: ANN001, ANN202
        if op.name == "affine.load":
            owner = op.operands[0].owner
            owner = getattr(owner, "operation", None)
            if buf is None or (owner is not None and "buffer_name" in owner.attributes and
                               StringAttr(owner.attributes["buffer_name"]).value == buf):
                m = AffineMapAttr(op.attributes["map"]).value
                res = list(m.results)
                res[d] = res[d] + shift
                op.attributes["map"] = AffineMapAttr.get(AffineMap.get(m.n_dims, 0, res))
        return WalkResult.ADVANCE

    lp.walk(visit)


@dataclass(frozen=True)
class WindowOffByOne(ReuseAt):
    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        shift_reads(module, "A_reuse_y_reuse_x", "c", 1, 1)


def test_window_off_by_one_is_refuted_with_the_cell() -> None:
    s = av.customize(K.conv3x3)
    lb = s.reuse_at(s.A, "y")
    note = refute(s, WindowOffByOne(lb.qualified, "x"), "/access")
    assert "read A_reuse_y[" in note and "now reads A_reuse_y_reuse_x[" in note
    assert "which holds A_reuse_y[" in note


@dataclass(frozen=True)
class LoadIntoTheWrongRow(ReuseAt):
    """The new row lands in row K-2 instead of K-1."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, lp = loop_op(module, "A_reuse_y.load0")

        def visit(op):  # noqa: ANN001, ANN202
            if op.name == "affine.store":
                m = AffineMapAttr(op.attributes["map"]).value
                res = list(m.results)
                res[0] = AffineConstantExpr.get(1)
                op.attributes["map"] = AffineMapAttr.get(AffineMap.get(m.n_dims, 0, res))
            return WalkResult.ADVANCE

        lp.walk(visit)


def test_new_row_in_the_wrong_place_is_refuted() -> None:
    note = refute(av.customize(K.conv3x3), LoadIntoTheWrongRow("conv3x3:A", "y"), "/load")
    assert "cell A_reuse_y[2, " in note and "is not loaded from A[" in note


@dataclass(frozen=True)
class FillOffByOne(ReuseAt):
    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        shift_reads(module, None, "A_reuse_y.fill0", 0, 1)


def test_fill_off_by_one_is_refuted() -> None:
    note = refute(av.customize(K.conv3x3), FillOffByOne("conv3x3:A", "y"), "/fill")
    assert "is not loaded from A[" in note


def test_loop_primitives_after_memory_steps_still_check() -> None:
    s = av.customize(K.conv3x3)
    lb = s.reuse_at(s.A, "y")
    s.split("x", 2)                       # the window loop and the fill loops are ordinary
    s.pipeline(f"{lb.name}.fill1")
    s.unroll(f"{lb.name}.shift0")
    assert all(c.result.status == "proved" for st in s.steps for c in st.checks)
    a = RNG.integers(-100, 100, (10, 9), dtype=np.int32)
    f = RNG.integers(-5, 5, (3, 3), dtype=np.int32)
    assert np.array_equal(s.build()(a, f), conv_ref(a, f))
