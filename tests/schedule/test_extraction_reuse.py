"""Statement extraction is shared across steps only through a key holding everything
`extract` reads: a rewrite that touches a nest the step did not mean to touch, after
earlier steps warmed the cache, is still refuted; an edit made in place after an extraction
is seen; annotations that `extract` does not read share one extraction."""

from __future__ import annotations

from dataclasses import dataclass

import z3
from mlir.ir import IntegerAttr, IntegerType, Module, StringAttr

import allo_verify as av
from allo_verify.schedule.primitives.base import (
    Context,
    extraction_key,
    function,
    statements,
)
from allo_verify.schedule.primitives.reorder import Reorder
from allo_verify.schedule.primitives.split import Split
from allo_verify.schedule.primitives.unroll import Unroll
from allo_verify.schedule.rewrite import loop_op
from tests.schedule import kernels as K
from tests.schedule.test_mutations import refute, set_upper_bound


def warmed() -> av.Schedule:
    """GEMM after loop and annotation steps, so both nests' statements were extracted and
    reused several times."""
    s = av.customize(K.gemm)
    s.split("i", 4)
    s.pipeline("j")
    s.unroll("k")
    s.reorder("i.inner", "j")
    return s


@dataclass(frozen=True)
class SplitThatAlsoShortensTheInitNest(Split):
    """Splits its loop correctly, and silently shortens the other nest (C's zero fill)."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, op = loop_op(module, "C.init1")
        set_upper_bound(op, 2)


@dataclass(frozen=True)
class ReorderThatAlsoRenumbersTheInitStore(Reorder):
    """Reorders correctly, and silently makes the zero fill store a different value."""

    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, op = loop_op(module, "C.init1")
        store = list(op.regions[0].blocks[0].operations)[0].operation
        const = store.operands[0].owner.operation
        const.attributes["value"] = IntegerAttr.get(IntegerType.get_signless(32), 1)


@dataclass(frozen=True)
class UnrollThatAlsoShortensTheInitNest(Unroll):
    def apply(self, module: Module, ctx: Context) -> None:
        super().apply(module, ctx)
        _, op = loop_op(module, "C.init0")
        set_upper_bound(op, 1)


def test_an_edit_of_a_nest_the_step_does_not_target_is_refuted_after_reuse() -> None:
    note = refute_after(warmed(), SplitThatAlsoShortensTheInitNest("k", 2), "/S0/onto")
    assert "never executed" in note
    msg = refute_message(warmed(), ReorderThatAlsoRenumbersTheInitStore(("k", "j")))
    assert "/S0/same-work" in msg
    note = refute_after(warmed(), UnrollThatAlsoShortensTheInitNest("k", 0), "/attributes-only")
    assert "differs beyond hls" in note


def refute_after(s: av.Schedule, prim: object, expect: str) -> str:
    steps, module, seal = list(s.steps), s.module, s._seal
    s.steps = []  # `refute` checks that no step was added
    s._seal = steps[-1].seal  # what the design was left as (see schedule.edits)
    try:
        return refute(s, prim, expect)
    finally:
        assert s.module is module
        s.steps, s._seal = steps, seal


def refute_message(s: av.Schedule, prim: object) -> str:
    before = str(s.module)
    try:
        s._apply(prim)  # type: ignore[arg-type]
    except av.ScheduleError as e:
        assert str(s.module) == before
        return str(e)
    raise AssertionError("the broken rewrite was accepted")


def test_an_edit_in_place_after_an_extraction_is_seen() -> None:
    s = warmed()
    ctx = s.ctx
    with s.module.context:
        first = statements(s.module, "gemm", ctx)
        _, op = loop_op(s.module, "C.init1")
        set_upper_bound(op, 3)
        again = statements(s.module, "gemm", ctx)
    assert again[0] is not first[0]
    domain = again[0].domain
    j = z3.Int("C.init1")
    solver = z3.Solver()
    solver.add(domain, j == 3)
    assert solver.check() == z3.unsat  # the new bound, not the remembered one
    # and a step from the edited design checks the edited design
    s.split("C.init1", 2)
    assert all(c.result.status == "proved" for c in s.steps[-1].checks)


def test_the_key_ignores_only_what_extract_does_not_read() -> None:
    s = warmed()
    with s.module.context:
        fop = function(s.module, "gemm")
        key = extraction_key(fop)
        _, loop = loop_op(s.module, "j")
        loop.attributes["hls.pipeline_ii"] = IntegerAttr.get(IntegerType.get_signless(32), 3)
        fop.attributes["hls.dataflow"] = StringAttr.get("x")
        assert extraction_key(fop) == key  # annotations of ops without results
        loop.attributes["hls.private"] = StringAttr.get("t")
        assert extraction_key(fop) != key  # extract reads hls.private
        del loop.attributes["hls.private"]
        assert extraction_key(fop) == key
        alloc = next(o.operation for o in fop.regions[0].blocks[0].operations
                     if o.operation.name == "memref.alloc")
        alloc.attributes["hls.partition"] = StringAttr.get("x")
        assert extraction_key(fop) != key  # an op with results keeps every attribute
        del alloc.attributes["hls.partition"]
        assert extraction_key(fop) == key
        loop.attributes["loop_name"] = StringAttr.get("jj")
        assert extraction_key(fop) != key


def test_a_refuted_check_after_reuse_names_the_same_obligation_as_a_cold_start() -> None:
    from allo_verify.schedule.primitives.base import forget_statements

    prim = SplitThatAlsoShortensTheInitNest("k", 2)
    warm = refute_message(warmed(), prim)
    s = warmed()
    forget_statements()
    cold = refute_message(s, prim)
    assert warm == cold


def _fresh_keys(monkeypatch, s: av.Schedule, step) -> list[object]:  # noqa: ANN001
    """The `remembered` keys computed afresh (not carried, not reused) for the design `s`
    holds while `step` runs."""
    from allo_verify.schedule.primitives import base

    start, computed = s.module, []
    real = base.remembered

    def spy(module, key, compute):  # noqa: ANN001, ANN202
        def counted():  # noqa: ANN202
            if module is start:
                computed.append(key)
            return compute()
        return real(module, key, counted)

    monkeypatch.setattr(base, "remembered", spy)
    step()
    monkeypatch.setattr(base, "remembered", real)
    return computed


def test_bytecodes_reach_the_next_step_only_while_the_design_is_unchanged(monkeypatch) -> None:  # noqa: ANN001
    s = av.customize(K.gemm)
    s.split("i", 4)
    # unchanged since the split checked it: its function's key bytes are carried over
    assert _fresh_keys(monkeypatch, s, lambda: s.split("j", 4)) == []
    # edited in place (not an annotation): every key of the edited design is computed
    # afresh, and the step checks the edited design (C's fill now stops at 3)
    with s.module.context:
        _, op = loop_op(s.module, "C.init1")
        set_upper_bound(op, 3)
    fresh = _fresh_keys(monkeypatch, s, lambda: s.split("k", 4))
    assert "extraction-key" in fresh
    assert s.steps[-1].edited_before
    j = z3.Int("C.init1")
    solver = z3.Solver()
    solver.add(statements(s.steps[-1].after, "gemm", s.ctx)[0].domain, j == 3)
    assert solver.check() == z3.unsat
