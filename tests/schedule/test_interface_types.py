"""Interface unification: a buffer class (buffers bound through calls) has one interface type,
plain memory, partitioned memory or stream; a step giving it a second type is refused with
ScheduleError naming both steps (or the stream step and the call binding), and the schedule
is unchanged."""

from __future__ import annotations

import pytest

import allo_verify as av
from allo_verify.errors import ScheduleError
from allo_verify.schedule.saved import _hash
from tests.schedule import dataflow_kernels as K
from tests.schedule import interface_kernels as IK


def _refused(s: av.Schedule, step, *needles: str) -> None:  # noqa: ANN001
    before, n = _hash(s.module), len(s.steps)
    with pytest.raises(ScheduleError) as err:
        step(s)
    msg = str(err.value)
    assert "interface types disagree" in msg or "already a stream" in msg, msg
    for needle in needles:
        assert needle in msg, msg
    assert _hash(s.module) == before and len(s.steps) == n  # nothing applied


def test_stream_of_a_partitioned_buffer_names_both_steps() -> None:
    s = av.customize(K.pc_ok)
    s.partition("B", dim=1)
    _refused(s, lambda s: s.to("B", "i1", depth=30),
             "to(target='pc_ok:B'", "step 1 (partition(target='pc_ok:B'", "a stream",
             "a partition")


def test_partition_of_a_streamed_buffer_names_both_steps() -> None:
    s = av.customize(K.pc_ok)
    s.to("B", "i1", depth=30)
    _refused(s, lambda s: s.partition("B", dim=2, partition_type=av.Partition.Cyclic,
                                      factor=5),
             "partition(target='pc_ok:B'", "step 1 (to(target='pc_ok:B'")


def test_a_second_stream_on_one_buffer_is_refused() -> None:
    s = av.customize(K.pc_ok)
    s.to("B", "i1", depth=30)
    _refused(s, lambda s: s.to("B", "i1", depth=31), "step 1 (to(target='pc_ok:B'")


def test_stream_bound_through_a_call_to_plain_memory_is_refused() -> None:
    """`consume` is called with B and with the top argument A: streaming B would make the
    parameter X a stream at one call site and plain memory at the other."""
    s = av.customize(IK.two_sites)
    _refused(s, lambda s: s.to("B", "consume", depth=30),
             "to(target='two_sites:B'", "two_sites:A", "plain memory")


def test_consistent_types_are_accepted_and_other_buffers_stay_free() -> None:
    s = av.customize(K.pc_ok)
    s.to("B", "i1", depth=30)
    s.partition("A", dim=1)  # a different buffer: its own type
    s.partition("C", dim=2)
    s.partition("C", dim=1)  # partition + partition on one buffer: one type
    assert [st.primitive.name for st in s.steps] == ["to", "partition", "partition",
                                                     "partition"]
    assert s.verify(layers=("L1",)).status == "proved"


def test_saved_log_with_a_conflict_is_refused_on_load(tmp_path) -> None:  # noqa: ANN001
    """The check runs in every apply, so an edited log cannot smuggle a conflict in."""
    import json

    s = av.customize(K.pc_ok)
    s.partition("B", dim=1)
    path = tmp_path / "s.json"
    s.save(path)
    data = json.loads(path.read_text())
    other = av.customize(K.pc_ok)
    other.to("B", "i1", depth=30)
    other.save(tmp_path / "o.json")
    data["steps"].append(json.loads((tmp_path / "o.json").read_text())["steps"][0])
    path.write_text(json.dumps(data))
    with pytest.raises(ScheduleError) as err:
        av.Schedule.load(path, K.pc_ok)
    assert "interface types disagree" in str(err.value)
