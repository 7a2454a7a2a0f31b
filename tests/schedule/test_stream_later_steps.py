"""A step applied after to() re-proves every stream's order, once, cover and depth
obligations: a reorder that changes the producer's write order or the consumer's read order
is refused (the LLVM simulation still sees an array, so L2/L3 cannot see the FIFO deliver
cells to the wrong reads), while steps that keep the order stay accepted."""

from __future__ import annotations

import numpy as np
import pytest

import allo_verify as av
from tests.schedule import dataflow_kernels as D


def streamed() -> av.Schedule:
    s = av.customize(D.pc_ok)
    s.to("B", "i1", depth=64)
    return s


@pytest.mark.parametrize("axes", [("j1", "i1"), ("j", "i")])
def test_reorder_of_one_side_of_a_stream_is_refused(axes: tuple[str, str]) -> None:
    s = streamed()
    before = (str(s.module), len(s.steps))
    with pytest.raises(av.ScheduleError, match="in the order the consumer reads them"):
        s.reorder(*axes)
    assert (str(s.module), len(s.steps)) == before


def test_stream_after_a_matching_reorder_is_accepted_and_later_steps_too() -> None:
    s = av.customize(D.pc_transposed)  # the consumer reads B column by column
    s.reorder("j", "i")  # the producer now writes it column by column as well
    s.to("B", "i1", depth=64)
    s.pipeline("j1")
    assert all(c.result.status == "proved" for c in s.steps[-1].checks)
    with pytest.raises(av.ScheduleError, match="in the order the consumer reads them"):
        s.reorder("i", "j")


def test_order_keeping_steps_are_accepted_and_rechecked() -> None:
    s = streamed()
    s.split("i1", 4)
    s.pipeline("j1")
    for st in s.steps[1:]:
        assert any("same-order" in c.name for c in st.checks), st.primitive.label()
        assert all(c.result.status == "proved" for c in st.checks)
    a = np.random.default_rng(0).integers(-9, 9, (D.M, D.N), dtype=np.int32)
    assert np.array_equal(s.build()(a), a * 3 + 1 - 2)
