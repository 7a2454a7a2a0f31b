# ruff: noqa: F821, B007 - streams are declared by annotation, as Allo writes them
"""The channel checkers refuse broken regions: a FIFO too shallow for a reconvergent pair
(deadlock, with the blocked state and the minimum depth), a count mismatch, a consumer
whose loop order no longer matches the producer's (the order obligation), an undecided
deadlock question (event budget), and the bounded-FIFO run itself on hand-made networks."""

from __future__ import annotations

import pytest

import allo_verify as allo
import allo_verify.dataflow as df
from allo_verify.df import deadlock
from allo_verify.errors import FrontendError, ScheduleError
from allo_verify.ir.types import Stream, int32
from tests.dataflow_regions import designs as d


def test_reconvergent_pair_too_shallow_is_refuted_with_min_depth() -> None:
    with pytest.raises(ScheduleError) as e:
        df.customize(d.reconvergent(2))
    text = str(e.value)
    assert "depth" in text and "deadlock" in text
    assert "prod_0 waits to put into s1 (fill 2/2)" in text
    assert "cons_0 waits to get from s2 (empty)" in text
    # the consumer frees one slot of s1 before it waits on s2: depth L - 1 is the least
    assert f"depth {d.L - 1} for s1 avoids it" in text


def test_reconvergent_pair_one_short_is_still_refuted() -> None:
    with pytest.raises(ScheduleError, match=f"depth {d.L - 1} for s1 avoids it"):
        df.customize(d.reconvergent(d.L - 2))
    df.customize(d.reconvergent(d.L - 1))  # the reported minimum is proved


def test_count_mismatch_is_refused_with_both_counts() -> None:
    @df.region()
    def bad(A: int32[4], B: int32[4]):
        s: Stream[int32, 2]

        @df.kernel(mapping=[1], args=[A])
        def p(a: int32[4]):
            for i in range(4):
                s.put(a[i])

        @df.kernel(mapping=[1], args=[B])
        def c(b: int32[4]):
            for i in range(3):
                b[i] = s.get()

    with pytest.raises(FrontendError, match="4 puts but 3 gets") as e:
        df.customize(bad)
    assert e.value.filename == __file__ and "s: Stream[int32, 2]" in e.value.source_line


def test_out_of_order_consumer_is_refused_by_the_order_obligation() -> None:
    s = df.customize(d.pc_top)
    before = str(s.module)
    with pytest.raises(ScheduleError, match="same-order") as e:
        s.reorder("pc_top:j_consumer_0", "pc_top:i_consumer_0")
    assert "out-of-order" in str(e.value)
    assert str(s.module) == before  # a refused step changes nothing


def test_reordering_the_producer_alone_is_refused_too() -> None:
    s = df.customize(d.pc_top)
    with pytest.raises(ScheduleError, match="same-order"):
        s.reorder("pc_top:j_producer_0", "pc_top:i_producer_0")


def test_event_budget_makes_deadlock_freedom_undecided(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.setattr(deadlock, "DEFAULT_BUDGET", 10)
    with pytest.raises(ScheduleError, match="deadlock freedom not decided: more than 10"):
        df.customize(d.pc_top)


class _Op:
    """A stand-in stage for `deadlock.run`: its events are given."""


def _run(progs: dict[str, list[tuple[str, str]]], depth: dict[str, int], concurrent: bool
         ) -> deadlock.Outcome:
    saved = deadlock.events
    table = {id(op): ev for op, ev in ((o, progs[n]) for n, o in _ops.items())}
    try:
        deadlock.events = lambda op, channels: iter(table[id(op)])  # type: ignore[assignment]
        return deadlock.run([(n, _ops[n]) for n in progs], {}, depth, concurrent)
    finally:
        deadlock.events = saved  # type: ignore[assignment]


_ops = {n: _Op() for n in ("p", "c")}


def test_run_decides_concurrent_and_sequential_networks() -> None:
    prod = [("put", "x")] * 3 + [("put", "y")] * 3
    cons = [("get", "x"), ("get", "y")] * 3
    assert _run({"p": prod, "c": cons}, {"x": 3, "y": 1}, True).deadlock is False
    assert _run({"p": prod, "c": cons}, {"x": 2, "y": 1}, True).deadlock is False
    out = _run({"p": prod, "c": cons}, {"x": 1, "y": 1}, True)
    assert out.deadlock and out.full == ["x"]
    # in sequence the producer must queue every token
    assert _run({"p": prod, "c": cons}, {"x": 3, "y": 2}, False).deadlock is True
    assert _run({"p": prod, "c": cons}, {"x": 3, "y": 3}, False).deadlock is False
    # a consumer that gets more than is ever put blocks
    assert _run({"p": [("put", "x")], "c": [("get", "x")] * 2}, {"x": 4, "y": 1},
                True).deadlock


def test_meta_if_edges_refuse_an_instance_that_puts_without_a_consumer() -> None:
    @df.region()
    def edge(A: int32[2], B: int32[2]):
        f: Stream[int32, 2][3]

        @df.kernel(mapping=[2], args=[A, B])
        def k(a: int32[2], b: int32[2]):
            i = df.get_pid()
            with allo.meta_if(i == 0):
                for t in range(2):
                    f[i + 1].put(a[t])
            with allo.meta_else():
                for t in range(2):
                    b[t] = f[i].get()
                for t in range(2):
                    f[i + 1].put(b[t])

    with pytest.raises(FrontendError, match=r"stream f\[2\]: the counts differ: 2 puts but "
                                            "0 gets"):
        df.customize(edge)


def test_overlapping_writers_keep_the_region_sequential() -> None:
    @df.region()
    def overlap(A: int32[4], C: int32[4]):
        @df.kernel(mapping=[2], args=[A, C])
        def w(a: int32[4], c: int32[4]):
            p = df.get_pid()
            for i in range(p, p + 3):  # rows 0-2 and 1-3: rows 1 and 2 written twice
                c[i] = a[i] + p

    s = df.customize(overlap)
    assert s.df_notes and "both write C[" in s.df_notes[0]
    assert [st.primitive.name for st in s.steps] == []
    assert "#pragma HLS dataflow" not in s.build(target="vhls").body


def test_disjoint_dataflow_refutes_overlapping_writes_with_the_cell() -> None:
    from allo_verify.schedule.primitives.dataflow import Dataflow

    @df.region()
    def overlap2(A: int32[4], C: int32[4]):
        @df.kernel(mapping=[2], args=[A, C])
        def w(a: int32[4], c: int32[4]):
            p = df.get_pid()
            for i in range(p, p + 3):
                c[i] = a[i]

    s = df.customize(overlap2)
    with pytest.raises(ScheduleError, match=r"stages w_0 and w_1 both write C\[[12]\]"):
        s.apply(Dataflow("overlap2", (), ("C",)))


def halves(A: int32[8], C: int32[8]):
    for i in range(4):
        C[i] = A[i] + 1
    for j in range(4, 8):
        C[j] = A[j] * 2


def overlapping(A: int32[8], C: int32[8]):
    for i in range(5):
        C[i] = A[i] + 1
    for j in range(4, 8):
        C[j] = A[j] * 2


def test_schedule_dataflow_disjoint_on_a_plain_kernel() -> None:
    s = allo.customize(halves)
    with pytest.raises(ScheduleError, match="written by two stages"):
        s.dataflow("halves")
    s.dataflow("halves", disjoint=["C"])
    assert s.verify(trials=5).status == "proved"
    t = allo.customize(overlapping)
    with pytest.raises(ScheduleError, match=r"stages i and j both write C\[4\]"):
        t.dataflow("overlapping", disjoint=["C"])
