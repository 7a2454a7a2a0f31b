"""The latency estimate follows its stated model: each figure below is computed by hand from
the table in `allo_verify/estimate/optable.py` (read 2, write 1, int add 0, float add 4, loop
overhead 1, pipeline fill 1, two ports per bank)."""

from __future__ import annotations

import allo_verify as av
from allo_verify import float32, grid, int32, reduction


def _loop(est, name):
    return next(lp for lp in est.loops if lp.name == name)


def incr(A: int32[16], B: int32[16]) -> None:
    for i in range(16):
        B[i] = A[i] + 1


def test_rolled_loop_is_trip_times_iteration_plus_overhead() -> None:
    est = av.customize(incr).estimate()
    lp = _loop(est, "i")
    assert (lp.trip, lp.depth, lp.ii) == (16, 3, 0)  # load 2 + add 0 + store 1
    assert lp.cycles == 16 * (3 + 1) == est.cycles
    assert est.ms == est.cycles / 300e3


def test_pipelined_loop_starts_an_iteration_every_ii() -> None:
    s = av.customize(incr)
    s.pipeline("i")
    lp = _loop(s.estimate(), "i")
    assert (lp.ii, lp.requested_ii, lp.depth) == (1, 1, 3)
    assert lp.cycles == 15 * 1 + 3 + 1


def row_sum(A: float32[8, 32], C: float32[8]) -> None:
    for i in range(8):
        for k in reduction(32):
            C[i] += A[i, k]


def test_a_carried_float_sum_bounds_the_ii_by_its_recurrence() -> None:
    s = av.customize(row_sum)
    s.pipeline("k")
    lp = _loop(s.estimate(), "k")
    # load C (2) -> addf (4) -> store C (1): 7 cycles from the load to the store
    assert lp.ii == 7 and "recurrence through C" in lp.limited_by


def test_unrolled_copies_chain_through_a_carried_cell_but_not_otherwise() -> None:
    s = av.customize(row_sum)
    s.split("k", 4)
    s.unroll("k.inner")
    chained = _loop(s.estimate(), "k.inner")
    t = av.customize(incr)
    t.split("i", 4)
    t.unroll("i.inner")
    side = _loop(t.estimate(), "i.inner")
    assert chained.copies == 4 and chained.depth == 4 * 7
    assert side.copies == 4 and side.depth == 3  # 4 loads and 4 stores: 2 cycles of ports


def dot_rows(A: int32[16, 8], B: int32[16]) -> None:
    for i in range(16):
        acc: int32 = 0
        for j in range(8):
            acc += A[i, j]
        B[i] = acc


def test_memory_ports_bound_the_ii_and_partitioning_lifts_the_bound() -> None:
    s = av.customize(dot_rows)
    s.pipeline("i")
    lp = _loop(s.estimate(), "i")
    assert lp.ii == 4 and "memory: A (8 accesses, 1 bank(s))" == lp.limited_by
    assert _loop(s.estimate(), "j").unrolled_into == "i"
    s.partition("A", "complete", 2)
    lp2 = _loop(s.estimate(), "i")
    assert lp2.ii == 1 and lp2.cycles < lp.cycles


def tri(A: int32[10, 10]) -> None:
    for i in range(10):
        for j in range(i):
            A[i, j] = A[j, i]


def test_triangular_trip_counts_use_the_outer_mean() -> None:
    est = av.customize(tri).estimate()
    inner, outer = _loop(est, "j"), _loop(est, "i")
    assert inner.trip == 4.5  # the mean of i over 0..9: exactly 45 / 10 iterations
    assert outer.trip == 10


def two_stage(A: int32[32, 32]) -> int32[32, 32]:
    B: int32[32, 32] = 0
    C: int32[32, 32] = 0
    for i, j in grid(32, 32):
        B[i, j] = A[i, j] + 1
    for i, j in grid(32, 32):
        C[i, j] = B[i, j] * 3
    return C


def test_streams_overlap_dataflow_stages() -> None:
    s = av.customize(two_stage)
    s.pipeline("j")
    s.pipeline("j_1")
    sequential = s.estimate().cycles
    s.dataflow("two_stage")
    pingpong = s.estimate()
    s.to("B", "i_1")
    streamed = s.estimate()
    assert pingpong.cycles == sequential  # one call: the stages one after another
    assert pingpong.interval < pingpong.cycles  # the slowest stage
    assert streamed.cycles < pingpong.cycles


def test_a_schedule_that_only_renames_loops_keeps_the_estimate() -> None:
    s = av.customize(incr)
    before = s.estimate().cycles
    s.split("i", 16)
    assert abs(s.estimate().cycles - before) <= 16  # one more rolled loop level


def row_update(A: float32[8, 16], B: float32[16, 64], C: float32[8, 64]) -> None:
    for i in range(8):
        for k in range(16):
            for j in range(64):
                C[i, j] += A[i, k] * B[k, j]


def test_a_load_of_one_cell_in_every_unrolled_copy_is_one_read() -> None:
    """Pipelining k unrolls j: the 64 copies read the same A[i, k] (one read, as HLS merges
    them) but 64 cells of B and C (ports bound the II unless partitioned). The update of
    C[i, j], nested in j, is carried across k: a recurrence of k."""
    s = av.customize(row_update)
    s.pipeline("k")
    s.partition(s.B, av.Partition.Complete, dim=2)
    s.partition(s.C, av.Partition.Complete, dim=2)
    lp = _loop(s.estimate(), "k")
    # one read of A: no port bound; what is left is C[i, j]'s update carried across k
    # (load 2, add 4, store 1), nested in the unrolled j loop
    assert lp.ii == 7 and lp.limited_by == "recurrence through C (7 cycles)"
    t = av.customize(row_update)
    t.pipeline("k")
    t.partition(t.C, av.Partition.Complete, dim=2)
    bound = _loop(t.estimate(), "k")
    assert bound.ii == 32 and "memory: B (64 accesses" in bound.limited_by
    u = av.customize(row_update)
    u.pipeline("k")
    u.partition(u.B, av.Partition.Complete, dim=2)
    varying = _loop(u.estimate(), "k")  # C[i, j] varies with j: 64 loads + 64 stores
    assert varying.ii == 64 and "memory: C (128 accesses" in varying.limited_by


def accumulate_rows(A: float32[8, 16], x: float32[16], y: float32[8]) -> None:
    for i in range(8):
        for k in range(16):
            y[i] += A[i, k] * x[k]


def test_a_chain_carried_by_an_inner_loop_does_not_bound_the_outer_pipeline() -> None:
    """Pipelining i unrolls k: the 16 copies chain through y[i], but the iterations of i
    update different cells, so the chain does not bound i's II; pipelining k instead is
    bounded by the chain (carried by k)."""
    s = av.customize(accumulate_rows)
    s.pipeline("i")
    s.partition(s.A, av.Partition.Complete, dim=2)
    s.partition(s.x, av.Partition.Complete, dim=1)
    s.partition(s.y, av.Partition.Complete, dim=1)  # every dimension: registers
    outer = _loop(s.estimate(), "i")
    assert outer.ii == 1 and outer.limited_by == ""
    assert outer.depth == 5 + 16 * 4  # the first product (read 2, multiply 3), 16 adds chained
    t = av.customize(accumulate_rows)
    t.pipeline("k")
    inner = _loop(t.estimate(), "k")
    # the cycle is load y[i] (2), add (4), store (1); the product A[i, k] * x[k] is off it
    assert inner.ii == 7 and "recurrence through y" in inner.limited_by


def test_chained_unrolled_copies_overlap_all_but_their_recurrence() -> None:
    """Four copies of y[i] += A[i, k] * x[k] chained through y[i]: the first takes its whole
    body (10 cycles: load 2, multiply 3, add 4, store 1), each later one only the recurrence
    (load y, add, store: 7), its product computed meanwhile."""
    s = av.customize(accumulate_rows)
    s.split("k", 4)
    s.unroll("k.inner")
    lp = _loop(s.estimate(), "k.inner")
    assert lp.copies == 4 and lp.depth == 10 + 3 * 7


def local_grid(A: float32[4, 8], B: float32[4, 8]) -> None:
    T: float32[4, 8] = 0
    for r in range(2):  # noqa: B007 - the loop pipelined
        for i in range(4):
            for j in range(8):
                T[i, j] = A[i, j] + B[i, j]
        for i in range(4):
            for j in range(8):
                B[i, j] = T[i, j]
        for i in range(4):
            for j in range(8):
                A[i, j] = T[i, j]


def test_an_array_partitioned_completely_on_every_dimension_is_registers() -> None:
    """`partition(T)` of a local array is recorded as complete on each dimension: registers,
    no port bound (as 32 banks of two ports would be for its 96 accesses per iteration);
    complete on its rows alone is 4 banks."""
    def design(*dims: int) -> int:
        s = av.customize(local_grid)
        s.pipeline("r")
        s.partition(s.A)
        s.partition(s.B)
        for d in dims:
            s.partition(s.T, av.Partition.Complete, dim=d)
        return _loop(s.estimate(), "r").ii

    assert design(0) == 1 and design(1, 2) == 1
    assert design(1) == 12


def col_sums(A: float32[8, 16], y: float32[16]) -> None:
    for i in range(8):
        for j in range(16):
            y[j] += A[i, j]


def test_an_update_nested_in_an_unrolled_loop_is_a_recurrence_of_the_pipeline() -> None:
    """Pipelining i unrolls j; every iteration of i updates all of y, so each y[j] waits for
    the previous i's add (y in registers: the add's 4 cycles), as an HLS scheduler sees."""
    s = av.customize(col_sums)
    s.pipeline("i")
    s.partition(s.A, av.Partition.Complete, dim=2)
    s.partition(s.y, av.Partition.Complete, dim=1)
    lp = _loop(s.estimate(), "i")
    assert lp.ii == 4 and lp.limited_by == "recurrence through y (4 cycles)"
