"""A design edited in place on `s.module` between steps (the design a step leaves is the
object the user holds) is never certified as if the steps alone made it: a hand-made hls.*
annotation, which no obligation covers and only L1 could vouch for, is a usage error at the
next step and at verify; any other edit breaks the chain L1 proves, so only L2 (original vs
final) can prove the design. Found by the qa4 attack: both were "proved" before."""

from __future__ import annotations

import pytest
from mlir.ir import UnitAttr

import allo_verify as av
from allo_verify.schedule.loops import describe_loops
from allo_verify.schedule.rewrite import loop_op
from tests.schedule import kernels as K
from tests.schedule.test_mutations import set_upper_bound


def _annotate(s: av.Schedule, axis: str, name: str) -> None:
    with s.module.context:
        _, op = loop_op(s.module, axis)
        op.attributes[name] = UnitAttr.get()


def test_a_hand_made_annotation_is_refused_at_the_next_step_and_at_verify() -> None:
    for steps in (0, 1):
        s = av.customize(K.gemm)
        if steps:
            s.pipeline("j")
        _annotate(s, "k", "hls.parallel")  # k carries the reduction: never parallel
        text = str(s.module)
        with pytest.raises(av.ScheduleUsageError, match="hls.parallel = unit on loop 'k'"):
            s.verify(layers=("L1", "L2"), trials=3)
        with pytest.raises(av.ScheduleUsageError, match="edited outside the schedule"):
            s.unroll("i", 2)
        assert str(s.module) == text and len(s.steps) == steps


def test_an_edit_between_steps_leaves_only_l2_to_prove_the_design() -> None:
    s = av.customize(K.gemm)
    s.pipeline("j")
    assert s.verify(layers=("L1",)).verdict().proved_by == "L1"
    _annotate(s, "i", "qa_note")  # not hls.*: no meaning, but the chain is broken
    cert = s.verify(layers=("L1",))
    entry = next(e for e in cert.entries if e.name == "schedule/unbroken")
    assert entry.result.status == "unknown" and "after the last step" in entry.result.reason
    v = cert.verdict()
    assert v.status == "unknown" and "L1 covers only the steps" in v.reasons[0]
    v = s.verify(layers=("L1", "L2"), trials=3).verdict()
    assert (v.status, v.proved_by) == ("proved", "L2")
    s.unroll("k", 2)  # the step itself is proved; the edit before it is still recorded
    cert = s.verify(layers=("L1",))
    assert "before step 2" in next(e for e in cert.entries
                                   if e.name == "schedule/unbroken").result.reason
    assert cert.verdict().status == "unknown"


def test_a_changed_computation_between_steps_is_not_proved() -> None:
    s = av.customize(K.gemm)
    s.pipeline("j")
    with s.module.context:
        _, op = loop_op(s.module, "C.init1")
        set_upper_bound(op, 3)  # C[:, 3:] is no longer zeroed
    s.split("C.init1", 2)  # proved: it rewrites the design it was given
    assert all(c.result.status == "proved" for c in s.steps[-1].checks)
    for layers in (("L1",), ("L1", "L2")):
        assert s.verify(layers=layers, trials=3).verdict().status != "proved"


def test_the_log_lists_the_loops_of_the_edited_design() -> None:
    s = av.customize(K.gemm)
    s.pipeline("j")
    with s.module.context:
        _, op = loop_op(s.module, "C.init1")
        set_upper_bound(op, 3)
    s.unroll("k", 2)
    assert "  gemm:C.init1  0 to 3" in s.steps[-1].loops_before


def test_a_step_describes_the_loops_it_left_even_after_an_in_place_edit() -> None:
    s = av.customize(K.gemm)
    s.split("i", 4)
    expected = describe_loops(s.module)
    with s.module.context:
        _, op = loop_op(s.module, "i.inner")
        set_upper_bound(op, 2)
    step = s.steps[-1]
    assert list(step.loops_after) == expected and step.loops_after == expected
    assert "gemm:i.inner  0 to 4" in [ln.strip() for ln in step.loops_after]
    s.pipeline("j")  # the edit is seen: the next step describes the edited design before
    assert "gemm:i.inner  0 to 2" in [ln.strip() for ln in s.steps[-1].loops_before]
    assert s.steps[-1].to_dict(detail=True)["loops_after"] == list(s.steps[-1].loops_after)
