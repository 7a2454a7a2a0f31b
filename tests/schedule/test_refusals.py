"""Illegal requests are refused with a counterexample and leave the schedule unchanged."""

from __future__ import annotations

import re

import pytest

import allo_verify as av
from tests.schedule import kernels as K


def refused(s: av.Schedule, fn, *args) -> av.ScheduleError:  # noqa: ANN001
    before, steps = str(s.module), list(s.steps)
    with pytest.raises(av.ScheduleError) as info:
        fn(*args)
    assert str(s.module) == before
    assert s.steps == steps
    return info.value


def test_seidel_interchange_refused() -> None:
    s = av.customize(K.seidel)
    e = refused(s, s.reorder, "j", "i")
    assert e.counterexample is not None
    note = e.counterexample.note
    # two source-named instances, the shared cell, and the order violated
    assert re.search(r"S0\(i=\d+, j=\d+\) and S0\(i=\d+, j=\d+\)", note), note
    assert re.search(r"A\[\d+, \d+\]", note) and "originally" in note, note
    assert "kernels.py" in str(e)


def test_reorder_of_triangular_bound_refused() -> None:
    s = av.customize(K.triangular)
    e = refused(s, s.reorder, "j", "i")
    assert "bounds of loop 'j' use 'i'" in str(e)


def test_parallel_on_carried_dependence_refused() -> None:
    s = av.customize(K.prefix_sum)
    e = refused(s, s.parallel, "i")
    note = e.counterexample.note
    assert re.search(r"S0\(i=\d+\) and S0\(i=\d+\) touch the same cell of A", note), note


def test_parallel_on_reduction_loop_refused() -> None:
    s = av.customize(K.gemm)
    e = refused(s, s.parallel, "k")
    assert "different iterations of 'k'" in e.counterexample.note


def test_compute_at_read_before_write_refused() -> None:
    s = av.customize(K.shifted_consumer)
    e = refused(s, s.compute_at, "i", "i_1")
    note = e.counterexample.note
    assert "S2(" in note and "S3(" in note and re.search(r"B\[\d+, \d+\]", note), note
    assert "writes it" in note and "reads it" in note


def test_tile_refusal_rolls_back_every_part() -> None:
    s = av.customize(K.seidel)
    e = refused(s, s.tile, ["i", "j"], [2, 2])
    assert "refused" in str(e)


def test_unknown_and_ambiguous_names() -> None:
    s = av.customize(K.producer_consumer)
    refused(s, s.split, "q", 2)
    s2 = av.customize(K.gemm)
    e = refused(s2, s2.fuse, "j", "i")  # the loops named inner first: a usage mistake
    assert "outermost first" in str(e) and type(e).__name__ == "ScheduleUsageError"


def test_compute_at_past_a_whole_array_copy_refused() -> None:
    s = av.customize(K.copy_between)
    e = refused(s, s.compute_at, "j", "j_1")
    assert "/order/B" in str(e) and e.counterexample is not None
