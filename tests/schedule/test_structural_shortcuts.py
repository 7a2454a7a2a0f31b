"""L1's structural shortcuts (`order_obligations.order_kept`, `instance_map.untouched`) never
hide a change.

A pair of statements is proved to keep its order without a Z3 query only when both keep
their loops and place and the witness maps them to themselves, or when their program
positions order them the same way before and after; a statement's obligations 1-4 are
proved by reflexivity only when the step left it exactly as it was. Each broken rewrite
below changes a statement the primitive does not target (so its witness is the identity):
the shortcut must not apply, and the Z3 obligation must refute the step.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from mlir.ir import Module

import allo_verify as av
from allo_verify import float32
from allo_verify.equiv.instance_map import IDENTITY, untouched
from allo_verify.equiv.order_obligations import fixed_order, order_kept
from allo_verify.schedule.primitives.base import Context, statements
from allo_verify.schedule.primitives.reorder import Reorder
from allo_verify.schedule.primitives.split import Split
from allo_verify.schedule.rewrite import loop_op
from tests.schedule import kernels as K
from tests.schedule.kernels import scale_then_sum
from tests.schedule.test_mutations import refute, set_upper_bound

T = 8


def scale_then_seidel(A: float32[T, T], v: float32[T]):
    for p in range(T):
        v[p] = v[p] * 2.0
    for i in range(1, T - 1):
        for j in range(1, T - 1):
            A[i, j] = (A[i - 1, j + 1] + A[i, j - 1] + A[i, j] + A[i + 1, j]) / 4.0


@dataclass(frozen=True)
class SplitThatAlsoSwapsSeidel(Split):
    """Splits `p` correctly, and also interchanges the untouched Gauss-Seidel nest."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        Reorder(("j", "i")).apply(module, ctx)


@dataclass(frozen=True)
class SplitThatMovesTheProducer(Split):
    """Splits the consumer's `i` correctly, and also moves the producer nest after it."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, producer = loop_op(module, self.producer)
        _, consumer = loop_op(module, self.consumer)
        producer.move_after(consumer)

    producer: str = ""
    consumer: str = ""


@dataclass(frozen=True)
class SplitThatMovesAnIndependentNest(Split):
    """Splits `q` correctly and moves the nest of `p` after it: nothing is shared, so the
    moved pair keeps every dependence and the step is still proved, by Z3."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, first = loop_op(module, "p")
        _, second = loop_op(module, "q.outer")
        first.move_after(second)


def test_an_untouched_nest_whose_loops_were_interchanged_is_refuted() -> None:
    note = refute(av.customize(scale_then_seidel), SplitThatAlsoSwapsSeidel("p", 4),
                  "/order/A")
    assert "originally" in note


def test_a_producer_moved_after_its_consumer_is_refuted() -> None:
    s = av.customize(K.producer_consumer)
    prim = SplitThatMovesTheProducer("i_1", 4, producer="i", consumer="i_1.outer")
    note = refute(s, prim, "/order/B")
    assert "originally" in note


def test_a_moved_independent_nest_is_proved_by_z3_not_by_the_shortcut() -> None:
    s = av.customize(scale_then_sum)
    before = s.module
    step = s._apply(SplitThatMovesAnIndependentNest("q", 4))  # type: ignore[arg-type]
    assert not step.unchecked
    olds = statements(before, "scale_then_sum", s.ctx)
    news = statements(s.module, "scale_then_sum", s.ctx)
    # the two nests swapped places: positions order their pair the opposite way after
    flipped = [(a, b) for a in olds for b in olds if a < b
               and None is not fixed_order(olds[a], olds[b]) != fixed_order(news[a], news[b])]
    assert flipped
    assert not any(order_kept(olds[a], news[a], olds[b], news[b], IDENTITY) for a, b in flipped)


def test_the_shortcut_applies_to_untouched_statements_only() -> None:
    s = av.customize(K.gemm)
    before = s.module
    s.split("i", 4)
    olds = statements(before, "gemm", s.ctx)
    news = statements(s.module, "gemm", s.ctx)
    init, update = sorted(olds)
    assert order_kept(olds[init], news[init], olds[init], news[init], IDENTITY)
    assert order_kept(olds[init], news[init], olds[update], news[update], IDENTITY)
    # the split statement's loops changed: only Z3 may decide its pairs
    assert not order_kept(olds[update], news[update], olds[update], news[update], IDENTITY)


@pytest.mark.parametrize("kernel", [K.seidel, K.prefix_sum])
def test_a_statement_never_keeps_order_with_itself_by_position(kernel: object) -> None:
    s = av.customize(kernel)
    (st,) = statements(s.module, kernel.__name__, s.ctx).values()  # type: ignore[attr-defined]
    assert fixed_order(st, st) is None


@dataclass(frozen=True)
class SplitThatAlsoShortensAnotherNest(Split):
    """Splits `q` correctly, and also shortens the untouched nest of `p`."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, op = loop_op(module, "p")
        set_upper_bound(op, T - 1)


def test_an_untouched_nest_that_lost_an_iteration_is_refuted() -> None:
    note = refute(av.customize(scale_then_sum), SplitThatAlsoShortensAnotherNest("q", 4),
                  "/onto")
    assert "p=7" in note and "never executed" in note


def test_reflexivity_applies_to_statements_left_as_they_were_only() -> None:
    s = av.customize(scale_then_sum)
    before = s.module
    s.split("q", 4)
    olds = statements(before, "scale_then_sum", s.ctx)
    news = statements(s.module, "scale_then_sum", s.ctx)
    kept = {sid for sid in olds
            if untouched(olds[sid], news[sid], IDENTITY.phi_for(olds[sid], news[sid]),
                         IDENTITY.psi_for(olds[sid], news[sid]))}
    split = {sid for sid in olds if "q" in olds[sid].loops}
    assert kept and split and kept == set(olds) - split
    # the same statement against one whose domain differs is not left as it was
    short = av.customize(scale_then_sum)
    with short.module.context:
        _, op = loop_op(short.module, "p")
        set_upper_bound(op, T - 1)
    edited = statements(short.module, "scale_then_sum", short.ctx)
    (p,) = [sid for sid in olds if "p" in olds[sid].loops]
    assert not untouched(olds[p], edited[p], IDENTITY.phi_for(olds[p], edited[p]),
                         IDENTITY.psi_for(olds[p], edited[p]))


def test_an_obligation_proved_by_a_structural_law_says_which() -> None:
    s = av.customize(K.gemm)
    s.split("i", 4)
    said = {c.name.split(")/", 1)[1]: c.statement for c in s.steps[0].checks}
    assert "by reflexivity" in said["S0/sound"] and "by reflexivity" not in said["S1/sound"]
    assert "by structure" in said["S0/order/C"]
    assert "by program order: S0 runs entirely first" in said["S0/S1/order/C"]
    assert "(by" not in said["S1/order/C"]  # the split statement's order: Z3 decides
