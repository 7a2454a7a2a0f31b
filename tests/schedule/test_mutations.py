"""Every checker is seen to fail: deliberately broken rewrites are refuted.

Each broken primitive below is a test-only subclass whose `apply` makes a wrong rewrite
while its `checks` still state what the real primitive promises. The schedule must refuse
it with a counterexample and stay unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from mlir.ir import AffineConstantExpr, AffineMap, AffineMapAttr, Module

import allo_verify as av
from allo_verify.schedule.primitives.base import Context
from allo_verify.schedule.primitives.compute_at import ComputeAt
from allo_verify.schedule.primitives.fuse import Fuse
from allo_verify.schedule.primitives.parallel import Parallel
from allo_verify.schedule.primitives.pipeline import Pipeline
from allo_verify.schedule.primitives.reorder import Reorder
from allo_verify.schedule.primitives.split import Split
from allo_verify.schedule.primitives.unroll import Unroll
from allo_verify.schedule.rewrite import header, iv, loop_op, perfect_band
from tests.schedule import kernels as K


def refute(s: av.Schedule, prim: object, expect: str) -> str:
    before = str(s.module)
    with pytest.raises(av.ScheduleError) as info:
        s._apply(prim)  # type: ignore[arg-type]  # broken on purpose: bypasses the registry
    assert str(s.module) == before and not s.steps
    assert expect in str(info.value), str(info.value)
    assert info.value.counterexample is not None
    return info.value.counterexample.note


def set_upper_bound(op, value: int) -> None:  # noqa: ANN001
    op.attributes["upperBoundMap"] = AffineMapAttr.get(
        AffineMap.get(0, 0, [AffineConstantExpr.get(value)]))


@dataclass(frozen=True)
class SplitWithoutGuard(Split):
    def inner_bound(self, h):  # noqa: ANN001, ANN201
        m, _ = super().inner_bound(h)
        return AffineMap.get(m.n_dims, 0, [AffineConstantExpr.get(self.factor)]), False


@dataclass(frozen=True)
class SplitWrongInnerBound(Split):
    def inner_bound(self, h):  # noqa: ANN001, ANN201
        m, _ = super().inner_bound(h)
        return AffineMap.get(m.n_dims, 0, [AffineConstantExpr.get(self.factor - 1)]), False


def test_split_without_remainder_guard_is_refuted() -> None:
    note = refute(av.customize(K.gemm), SplitWithoutGuard("i", 5), "/sound")
    assert "outside the original domain" in note and "i.outer=2" in note


def test_split_with_wrong_inner_bound_is_refuted() -> None:
    note = refute(av.customize(K.gemm), SplitWrongInnerBound("i", 4), "/onto")
    assert "is never executed" in note


def test_reorder_that_ignores_a_dependence_is_refuted() -> None:
    note = refute(av.customize(K.seidel), Reorder(("j", "i")), "/order/A")
    assert "originally" in note


@dataclass(frozen=True)
class ReorderForgettingSubscripts(Reorder):
    """Swaps the loop headers but also swaps which variable each subscript uses."""

    def apply(self, module: Module, ctx: Context) -> None:
        _, top = loop_op(module, self.axes[1])
        band = perfect_band(top)
        a, b = iv(band[0]), iv(band[1])
        super().apply(module, ctx)
        _, new_top = loop_op(module, self.axes[0])
        nb = perfect_band(new_top)
        x, y = iv(nb[0]), iv(nb[1])
        assert a is not None and b is not None
        body = list(nb[1].regions[0].blocks[0].operations)
        for op in body:
            for k, v in enumerate(op.operands):
                if v == x:
                    op.operands[k] = y
                elif v == y:
                    op.operands[k] = x


def test_reorder_that_scrambles_subscripts_is_refuted() -> None:
    refute(av.customize(K.row_scale), ReorderForgettingSubscripts(("j", "i")), "/same-work")


@dataclass(frozen=True)
class FuseWrongDelinearization(Fuse):
    """Fuses, then replaces the inner index `f mod Tj` by `f mod Ti`."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, fused = loop_op(module, "i_j_fused")
        for op in fused.regions[0].blocks[0].operations:
            if op.operation.name == "affine.apply":
                text = str(op.operation.attributes["map"])
                if "mod" in text:
                    bad = text.replace(f"mod {K.N}", f"mod {K.M}")
                    from mlir.ir import Attribute
                    op.operation.attributes["map"] = Attribute.parse(bad)


def test_fuse_with_wrong_delinearization_is_refuted() -> None:
    note = refute(av.customize(K.relu), FuseWrongDelinearization(("i", "j")), "S1/")
    assert note


@dataclass(frozen=True)
class ComputeAtDroppingIteration(ComputeAt):
    """Moves the producer but runs its inner loop one iteration short."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, inner = loop_op(module, "j")
        set_upper_bound(inner, K.N - 1)


def test_compute_at_that_drops_a_producer_iteration_is_refuted() -> None:
    note = refute(av.customize(K.producer_consumer), ComputeAtDroppingIteration("i", "i_1"),
                  "/onto")
    assert f"j={K.N - 1}" in note


@dataclass(frozen=True)
class UnrollThatShortensTheLoop(Unroll):
    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, op = loop_op(module, self.axis)
        set_upper_bound(op, 2)


@dataclass(frozen=True)
class PipelineThatShortensTheLoop(Pipeline):
    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, op = loop_op(module, self.axis)
        set_upper_bound(op, header(op).step)


@dataclass(frozen=True)
class ParallelThatShortensTheLoop(Parallel):
    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, op = loop_op(module, self.axis)
        set_upper_bound(op, 1)


@pytest.mark.parametrize("prim", [UnrollThatShortensTheLoop("j", 2),
                                  PipelineThatShortensTheLoop("j", 1),
                                  ParallelThatShortensTheLoop("j")])
def test_annotations_that_change_more_than_attributes_are_refuted(prim: object) -> None:
    note = refute(av.customize(K.gemm), prim, "/attributes-only")
    assert "differs beyond hls" in note


@dataclass(frozen=True)
class SplitThatAlsoEditsTheCallee(Split):
    """Splits correctly, but also shortens a loop of another function."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, op = loop_op(module, "bump_row:j")
        set_upper_bound(op, 2)


def test_a_rewrite_outside_the_target_function_is_refuted() -> None:
    note = refute(av.customize(K.calls_in_loop), SplitThatAlsoEditsTheCallee("i", 4),
                  "/others-unchanged")
    assert "other than calls_in_loop" in note
