"""A step is applied only if its checker proves it; `unchecked=True` is the explicit way
past an undecided obligation, and the verdict never counts such a step as proved by L1.
Hardware annotations are checked by L1 whatever the layers; only registered primitives
apply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from mlir.ir import WalkResult

import allo_verify as av
from allo_verify import grid, int32
from allo_verify.equiv.verdict import HARDWARE_PRIMITIVES
from allo_verify.schedule.primitives.base import REGISTRY, Context, Primitive, register
from allo_verify.schedule.primitives.split import Split
from allo_verify.schedule.rewrite import loop_op

N = 8
LAYERS = [("L1",), ("L2",), ("L3",), ("L1", "L2"), ("L1", "L3"), ("L2", "L3"),
          ("L1", "L2", "L3")]


def gather(A: int32[N], P: int32[N]) -> int32[N]:
    B: int32[N] = 0
    C: int32[N] = 0
    for i in range(N):
        B[i] = A[i] + 1
    for j in range(N):
        C[j] = B[P[j]]
    return C


def gather2d(A: int32[N, 4], P: int32[N]) -> int32[N, 4]:
    B: int32[N, 4] = 0
    C: int32[N, 4] = 0
    for i, k in grid(N, 4):
        B[i, k] = A[i, k] * 3
    for j, q in grid(N, 4):
        C[j, q] = B[P[j] % N, q] - 1
    return C


def relu(A: int32[6, 6]) -> int32[6, 6]:
    B: int32[6, 6] = 0
    for i, j in grid(6, 6):
        if A[i, j] > 0:
            B[i, j] = A[i, j]
    return B


def databound(A: int32[N, 4], L: int32[N]) -> int32[N, 4]:
    B: int32[N, 4] = 0
    for i, k in grid(N, 4):
        for j in range(L[i] % 4):
            B[i, k] += A[i, j]
    return B


def scatter(A: int32[N], P: int32[N]) -> int32[N]:
    B: int32[N] = 0
    for i in range(N):
        B[P[i]] = A[i]
    return B


def scatter_rows(A: int32[N, 4], P: int32[N]) -> int32[N, 4]:
    B: int32[N, 4] = 0
    for i, k in grid(N, 4):
        B[P[i] % N, k] = A[i, k]
    return B


def running(A: int32[N]) -> int32[N]:
    B: int32[N] = 0
    for i in range(1, N):
        B[i] = B[i - 1] + A[i]
    return B


def scale(A: int32[N, N]) -> int32[N, N]:
    B: int32[N, N] = 0
    for i, j in grid(N, N):
        B[i, j] = A[i, j] * 3
    return B


# ---- undecided obligations refuse the step unless the user opts in ---------------------------
@pytest.mark.parametrize(("kernel", "step"), [
    (gather, lambda s, **k: s.compute_at("i", "j", **k)),   # past a data-dependent read
    (gather2d, lambda s, **k: s.compute_at("i", "j", **k)),
    (databound, lambda s, **k: s.reorder("k", "i", **k)),   # a data-dependent loop bound
    (databound, lambda s, **k: s.split("i", 4, **k)),
    (scatter, lambda s, **k: s.parallel("i", **k)),         # a data-dependent write
    (scatter_rows, lambda s, **k: s.parallel("i", **k)),
    (scatter_rows, lambda s, **k: s.parallel("k", **k)),
], ids=["compute_at-gather", "compute_at-gather2d", "reorder-databound", "split-databound",
        "parallel-scatter", "parallel-scatter-rows", "parallel-scatter-rows-inner"])
def test_undecided_step_is_refused_naming_the_obligation(kernel: Any, step: Any) -> None:
    s = av.customize(kernel)
    before, steps = str(s.module), len(s.steps)
    with pytest.raises(av.ScheduleError, match="could not be decided") as info:
        step(s)
    text = str(info.value)
    assert "obligation " in text and "unchecked=True" in text and " at " in text
    assert str(s.module) == before and len(s.steps) == steps  # nothing changed
    step(s, unchecked=True)
    last = s.steps[-1]
    assert last.unchecked and any(c.result.status != "proved" for c in last.checks)
    assert s.log()[-1]["unchecked"] is True
    cert = s.verify(layers=("L1",))
    assert cert.schedule_log[-1]["unchecked"] is True and cert.status != "proved"


def test_unchecked_compute_at_that_changes_results_is_never_proved() -> None:
    s = av.customize(gather)
    s.compute_at("i", "j", unchecked=True)
    A, P = np.arange(N, dtype=np.int32), np.arange(N, dtype=np.int32)[::-1].copy()
    assert not np.array_equal(av.customize(gather).build()(A, P), s.build()(A, P))
    for layers in LAYERS:
        assert s.verify(layers=layers, trials=20).status in ("refuted", "unknown"), layers
    assert s.verify(trials=20).status == "refuted"  # L3 finds the difference


def nonaffine(A: int32[N, N]) -> int32[N, N]:
    B: int32[N, N] = 0
    for i, j in grid(N, N):
        B[i, j] = A[i, (i * j) % N] + 1
    return B


def test_a_data_dependent_if_is_decided_by_l1() -> None:
    s = av.customize(relu)
    s.reorder("j", "i")  # the condition is part of the statement's work: proved, not unknown
    assert not s.steps[-1].unchecked
    assert s.verify(layers=("L1",)).status == "proved"


def test_unchecked_loop_step_is_proved_only_by_l2() -> None:
    s = av.customize(nonaffine)  # a non-affine subscript: L1 cannot decide, L2 executes it
    with pytest.raises(av.ScheduleError, match="could not be decided"):
        s.reorder("j", "i")
    s.reorder("j", "i", unchecked=True)
    cert = s.verify(trials=10)
    assert cert.status == "proved" and cert.verdict().proved_by == "L2"
    for layers in [("L1",), ("L3",), ("L1", "L3")]:
        assert s.verify(layers=layers, trials=10).status == "unknown", layers


def test_unchecked_hardware_annotation_is_never_proved() -> None:
    s = av.customize(scatter)
    s.parallel("i", unchecked=True)
    for layers in LAYERS:
        cert = s.verify(layers=layers, trials=10)
        assert cert.status != "proved", layers
        assert any(e.layer == "L1" for e in cert.entries), layers  # L1 ran for it anyway


def test_refuted_steps_are_refused_even_unchecked() -> None:
    s = av.customize(running)
    with pytest.raises(av.ScheduleError, match="it is false that"):
        s.parallel("i", unchecked=True)
    s.split("i", 3)
    with pytest.raises(av.ScheduleError, match="it is false that"):
        s.parallel("i.outer", unchecked=True)
    assert len(s.steps) == 1


def test_hardware_obligations_recorded_whatever_the_layers() -> None:
    s = av.customize(scale)
    s.split("i", 4)
    s.pipeline("j")
    s.parallel("i.outer")
    for layers in LAYERS:
        cert = s.verify(layers=layers, trials=5)
        l1 = [e for e in cert.entries if e.layer == "L1"]
        hw = [e for e in l1 if e.name.startswith(("pipeline", "parallel"))]
        assert hw and all(e.result.status == "proved" for e in hw), layers
        if "L1" not in layers:
            assert len(hw) == len(l1) and all(e.scope.get("forced") for e in l1)
        want = "proved" if "L1" in layers or "L2" in layers else "unknown"
        assert cert.status == want, (layers, cert.verdict())
    log = s.verify(layers=("L2",)).schedule_log
    assert [st["hardware"] for st in log] == [False, True, True]


def test_hardware_flag_matches_the_verdict_table() -> None:
    flagged = {name for name, cls in REGISTRY.items() if cls.hardware}
    assert flagged == {"parallel", "pipeline", "unroll", "partition", "dataflow", "to", "unfold"}
    assert flagged <= HARDWARE_PRIMITIVES
    assert not {name for name, cls in REGISTRY.items() if not cls.hardware} & HARDWARE_PRIMITIVES


# ---- only registered primitives apply ----------------------------------------------------------
@dataclass(frozen=True)
class DeleteLoop(Primitive):
    """A rogue primitive: deletes the stores under a loop and claims nothing."""

    axis: str
    name = "split"  # borrows a registered name

    def apply(self, module: Any, ctx: Context) -> None:
        _, op = loop_op(module, self.axis)
        stores: list[Any] = []

        def visit(o: Any) -> WalkResult:
            if o.name == "affine.store":
                stores.append(o)
            return WalkResult.ADVANCE

        op.walk(visit)
        for st in stores:
            st.erase()

    def checks(self, before: Any, after: Any, ctx: Context) -> list[Any]:
        return []


@dataclass(frozen=True)
class SplitNoChecks(Split):
    """A subclass of a registered primitive that drops its checker."""

    def checks(self, before: Any, after: Any, ctx: Context) -> list[Any]:
        return []


@pytest.mark.parametrize("prim", [DeleteLoop("i"), SplitNoChecks("i", 4),
                                  DeleteLoop("j")], ids=["rogue", "subclass", "rogue-j"])
def test_unregistered_primitives_never_apply(prim: Primitive) -> None:
    s = av.customize(scale)
    before = str(s.module)
    with pytest.raises(av.ScheduleUsageError, match="not a registered schedule primitive"):
        s.apply(prim)
    assert str(s.module) == before and not s.steps
    s.apply(Split("i", 4))  # the registered class itself still applies
    assert len(s.steps) == 1 and s.verify(layers=("L1",)).status == "proved"


def test_a_registered_primitive_without_obligations_is_refused() -> None:
    @dataclass(frozen=True)
    class Nothing(Primitive):
        axis: str
        name = "test_nothing"

        def apply(self, module: Any, ctx: Context) -> None:
            loop_op(module, self.axis)

        def checks(self, before: Any, after: Any, ctx: Context) -> list[Any]:
            return []

    register(Nothing)
    try:
        s = av.customize(scale)
        with pytest.raises(av.ScheduleError, match="gave no obligation"):
            s.apply(Nothing("i"))
        assert not s.steps
    finally:
        del REGISTRY["test_nothing"]


# ---- design files: a refusal is recorded, later steps are skipped -----------------------------
def test_collect_refusals_records_instead_of_raising() -> None:
    from allo_verify.schedule.refusals import collect_refusals

    with collect_refusals():
        s = av.customize(running)
        s.parallel("i")
        assert s.split("i", 2) == ("i.outer", "i.inner")  # skipped, names still returned
        s.unroll("i.inner")
    assert s.refusal is not None and not s.steps and len(s.skipped) == 2
    cert = s.verify()
    assert cert.status == "refused" and [e.layer for e in cert.entries] == ["L1"] * len(
        cert.entries)
    assert cert.schedule_log[-1]["refused"] and "test_verdict_steps.py" in cert.schedule_log[
        -1]["reason"]
    with collect_refusals():
        u = av.customize(scale)
        u.split("nope", 2)
    with pytest.raises(av.ScheduleUsageError, match="no loop named 'nope'"):
        u.verify()
    with pytest.raises(av.ScheduleError):  # outside the block, refusals raise as always
        av.customize(running).parallel("i")


def test_refusals_quote_the_statement_source_line() -> None:
    with pytest.raises(av.ScheduleError) as info:
        av.customize(nonaffine).reorder("j", "i")
    assert "test_verdict_steps.py" in str(info.value)
    assert "B[i, j] = A[i, (i * j) % N] + 1" in str(info.value)
    with pytest.raises(av.ScheduleError) as info:
        av.customize(running).parallel("i")
    assert "B[i] = B[i - 1] + A[i]" in str(info.value)
    cert = av.customize(scale)
    cert.split("i", 2)
    stmts = cert.verify(layers=("L1",)).statements
    assert stmts["S1"]["source"] == "B[i, j] = A[i, j] * 3"
    assert "test_verdict_steps.py:" in stmts["S1"]["location"]
