"""dataflow and to (streams): every obligation proves the good designs and refutes a
mutation of its own, with a counterexample naming the buffer, the stages or the cell."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
import z3
from mlir.ir import DictAttr, IntegerAttr, StringAttr, WalkResult

import allo_verify as av
from allo_verify.equiv.l1 import run_check
from allo_verify.equiv.polyhedral import Statement
from allo_verify.equiv.results import Proved, Refuted
from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.schedule.buffers import functions
from allo_verify.schedule.primitives.stream import Stream, order_checks
from tests.schedule import dataflow_kernels as K

EXAMPLE = Path(__file__).parents[2] / "examples" / "three_mm_dataflow.py"


def refusal(kernel: str, action) -> str:  # noqa: ANN001
    s = av.customize(getattr(K, kernel))
    before = str(s.module)
    with pytest.raises(ScheduleError) as e:
        action(s)
    assert str(s.module) == before and not s.steps  # a refused step changes nothing
    return str(e.value)


def stream_attr(s: av.Schedule, func: str, name: str) -> int | None:
    found: list = []

    def visit(op):  # noqa: ANN001, ANN202
        if op.name == "memref.alloc" and StringAttr(op.attributes["buffer_name"]).value == name:
            found.append(op)
        return WalkResult.ADVANCE

    functions(s.module)[func].walk(visit)
    if "hls.stream" not in found[0].attributes:
        return None
    return IntegerAttr(DictAttr(found[0].attributes["hls.stream"])["depth"]).value


# ---- to: accepted designs -----------------------------------------------------------------
def test_in_order_stream_is_proved_and_recorded() -> None:
    s = av.customize(K.pc_ok)
    s.to("B", "i1", depth=30)
    assert stream_attr(s, "pc_ok", "B") == 30
    assert "B.init0" not in str(s.module)  # the dead initialization is gone
    names = [c.name.split("/", 1)[1] for c in s.steps[-1].checks]
    assert names == ["rewrite-only", "producer-once", "consumer-once", "covers",
                     "written-is-read", "read-is-written", "same-order", "B/depth"]
    assert all(isinstance(c.result, Proved) for c in s.steps[-1].checks)
    assert s.verify(trials=5).verdict().status == "proved"


def test_dataflow_region_allows_depth_one() -> None:
    s = av.customize(K.pc_ok)
    s.dataflow("pc_ok")
    s.to("B", "i1", depth=1)
    assert stream_attr(s, "pc_ok", "B") == 1


# ---- to: one mutation per obligation ------------------------------------------------------
def test_transposed_consumer_refused_with_first_out_of_order_cell() -> None:
    msg = refusal("pc_transposed", lambda s: s.to("B", "i1", depth=64))
    assert "same-order" in msg
    assert ("first out-of-order cell: the consumer reads B[1, 0] at (i1=0, j1=1) before "
            "B[0, 1] at (i1=1, j1=0), but the producer writes B[0, 1] at (i=0, j=1) before "
            "B[1, 0] at (i=1, j=0)") in msg


def test_reversed_rows_refused() -> None:
    msg = refusal("pc_reversed", lambda s: s.to("B", "i1", depth=64))
    assert "same-order" in msg and "consumer reads B[5, 0] at (i1=0, j1=0)" in msg


def test_read_twice_refused() -> None:
    msg = refusal("pc_read_twice", lambda s: s.to("B", "r", depth=64))
    assert "consumer-once" in msg and "B[0, 0] twice" in msg


def test_write_twice_refused() -> None:
    msg = refusal("pc_write_twice", lambda s: s.to("B", "i1", depth=64))
    assert "producer-once" in msg and "B[0, 0] twice" in msg


def test_unread_cells_refused() -> None:
    msg = refusal("pc_read_part", lambda s: s.to("B", "i1", depth=64))
    assert "written-is-read" in msg and "B[5, 0]" in msg and "never reads" in msg


def test_unwritten_cells_refused() -> None:
    msg = refusal("pc_write_part", lambda s: s.to("B", "i1", depth=64))
    assert "covers" in msg and "never writes B[5, 0]" in msg


@pytest.mark.parametrize("depth", [1, 29])
def test_too_shallow_sequential_fifo_names_channel_and_minimum(depth: int) -> None:
    msg = refusal("pc_ok", lambda s: s.to("B", "i1", depth=depth))
    assert f"channel B: depth {depth} is too shallow" in msg
    assert "the minimum depth is 30" in msg


def test_reconvergent_path_needs_full_depth_even_in_dataflow() -> None:
    s = av.customize(K.pc_reconverge)
    s.dataflow("pc_reconverge")
    with pytest.raises(ScheduleError, match="channel B: .*minimum depth is 30"):
        s.to("B", "i1", depth=1)
    s.to("B", "i1", depth=30)


def test_dataflow_after_to_rechecks_depths() -> None:
    s = av.customize(K.pc_reconverge)
    s.to("B", "i1", depth=30)
    s.dataflow("pc_reconverge")  # deep enough either way
    assert any(c.name.endswith("B/depth") for c in s.steps[-1].checks)


def test_rewrite_beyond_attributes_refused() -> None:
    class Tampering(Stream):
        def apply(self, module, ctx):  # noqa: ANN001, ANN202
            super().apply(module, ctx)
            for op in functions(module)["pc_ok"].regions[0].blocks[0].operations:
                if op.operation.name == "affine.for" and \
                        StringAttr(op.operation.attributes["loop_name"]).value == "C.init0":
                    op.operation.erase()
                    break

    s = av.customize(K.pc_ok)
    with pytest.raises(ScheduleError, match="rewrite-only"):
        s._apply(Tampering("pc_ok:B", "i1", 30))


def _stmt(sid: int, loops: tuple[str, ...], bounds: dict[str, int]) -> Statement:
    dom = z3.And(*[z3.And(0 <= z3.Int(n), z3.Int(n) < b) for n, b in bounds.items()])
    chain = tuple(((k,), n) for k, n in enumerate(loops))
    return Statement(sid, loops, chain, dom, [], None)


def test_read_of_unwritten_cell_refuted_by_its_own_obligation() -> None:
    # producer writes B[i] for i < 4 (all cells of a 4-cell buffer); the consumer reads
    # B[i + 1] for i < 4: one read (B[4]) is never written; only read-is-written sees it
    sp = _stmt(0, ("i",), {"i": 4})
    sc = _stmt(1, ("i1",), {"i1": 4})
    checks = order_checks(sp, (z3.Int("i"),), sc, (z3.Int("i1") + 1,), "B", (4,), "t")
    got = {c.obligation.name.split("/")[1]: run_check(c)[0] for c in checks}
    assert isinstance(got["read-is-written"], Refuted)
    assert "reads B[4] at (i1=3), which the producer never writes" in \
        got["read-is-written"].counterexample.note
    assert isinstance(got["producer-once"], Proved) and isinstance(got["covers"], Proved)


def test_usage_errors() -> None:
    s = av.customize(K.pc_ok)
    with pytest.raises(ScheduleUsageError, match="consumer of B is stage i1"):
        s.to("B", "i", depth=30)
    with pytest.raises(ScheduleUsageError, match="depth"):
        s.to("B", "i1", depth=0)
    with pytest.raises(ScheduleError, match="not a local array"):
        s.to("A", "i", depth=30)
    assert not s.steps


# ---- dataflow ------------------------------------------------------------------------------
def test_dataflow_sets_attribute() -> None:
    s = av.customize(K.pc_ok)
    s.dataflow("pc_ok")
    assert "hls.dataflow" in functions(s.module)["pc_ok"].attributes
    assert all(isinstance(c.result, Proved) for c in s.steps[-1].checks)


def test_two_producers_refused_naming_both() -> None:
    msg = refusal("two_producers", lambda s: s.dataflow("two_producers"))
    assert "B/single-producer" in msg and "written by two stages, i and i1" in msg


def test_two_consumers_refused_naming_both() -> None:
    msg = refusal("two_consumers", lambda s: s.dataflow("two_consumers"))
    assert "B/single-consumer" in msg and "read by two stages, i1 and i2" in msg


def test_feedback_refused_unless_declared() -> None:
    msg = refusal("feedback", lambda s: s.dataflow("feedback"))
    assert "no-feedback" in msg and "stage i reads buffer B, which the later stage i1" in msg
    s = av.customize(K.feedback)
    s.dataflow("feedback", feedback=["B"])


def test_access_outside_stages_refused() -> None:
    msg = refusal("loose_access", lambda s: s.dataflow("loose_access"))
    assert "/stages" in msg and "affine.load at top level of loose_access" in msg


def test_unknown_region_is_usage_error() -> None:
    s = av.customize(K.pc_ok)
    with pytest.raises(ScheduleUsageError):
        s.dataflow("nowhere")


# ---- the 3mm dataflow design and the graph -------------------------------------------------
def test_three_mm_dataflow_design_verifies_and_graph() -> None:
    s = runpy.run_path(str(EXAMPLE))["s"]
    assert s.verify(trials=5).verdict().status == "proved"
    g = s.dataflow_graph()
    assert [st.name for st in g.stages] == ["i", "i1", "i2"]
    chans = {c.buffer: c for c in g.channels}
    assert chans["E"].layout == "stream(depth=1)" and chans["E"].producers == ["i"] \
        and chans["E"].consumers == ["i2"]
    assert chans["F"].layout == "memory" and chans["F"].shape == (8, 8)
    assert "acc" not in chans  # stage-private accumulators are no channels
    dot = g.to_dot()
    assert dot.startswith('digraph "mm3"')
    assert '"i" -> "i2" [label="E [8, 8] stream(depth=1)", style=dashed];' in dot
    assert '"i1" -> "i2" [label="F [8, 8] memory"];' in dot


def test_calls_are_stages_and_graph_shows_them() -> None:
    from tests.schedule import memory_kernels as MK

    s = av.customize(MK.passes_down)
    s.dataflow("passes_down")
    g = s.dataflow_graph()
    assert [st.name for st in g.stages] == ["i", "bump"]
    b = {c.buffer: c for c in g.channels}["B"]
    assert (b.producers, b.consumers, b.layout) == (["i"], ["bump"], "memory")
    with pytest.raises(ScheduleError, match="stage bump is a call; streams between "
                                            "sub-kernel calls are not supported yet"):
        s.to("B", "bump", depth=80)


def test_two_calls_of_one_kernel_are_distinct_stages() -> None:
    s = av.customize(K.two_calls)
    s.dataflow("two_calls")
    names = [st.name for st in s.dataflow_graph().stages]
    assert names == ["twice", "twice#2"]


def test_dataflow_on_a_loop_body() -> None:
    s = av.customize(K.rows)
    s.dataflow("r")
    assert all(isinstance(c.result, Proved) for c in s.steps[-1].checks)
    g = s.dataflow_graph("r")
    assert [st.name for st in g.stages] == ["j", "j1"]
    msg = refusal("rows_two_writers", lambda t: t.dataflow("r"))
    assert "written by two stages, j and j1" in msg


def test_three_mm_acceptance_refusals() -> None:
    mm3 = runpy.run_path(str(EXAMPLE))["mm3"]
    s = av.customize(mm3)
    with pytest.raises(ScheduleError, match=r"channel E: depth 1 is too shallow \(sequential "
                                            r"stages.*the minimum depth is 64"):
        s.to("E", "i2", depth=1)  # no dataflow region: the producer finishes first
    s.to("E", "i2", depth=64)
    t = av.customize(K.mm3_transposed)
    t.dataflow("mm3_transposed")
    before = str(t.module)
    with pytest.raises(ScheduleError) as e:
        t.to("E", "i2", depth=1)
    assert str(t.module) == before and len(t.steps) == 1
    assert "same-order" in str(e.value)
    assert "first out-of-order cell: the consumer reads E[1, 0]" in str(e.value)
