"""Three mechanisms of the latency model, each against a case the earlier model got wrong and
one it got right (so the fix is not a blanket cut): recurrences per cell at their dependence
distance, mutually exclusive `if` arms sharing ports, and triangular loops unrolled to their
bound. Figures by hand from `allo_verify/estimate/optable.py` (read 2, write 1, float add 4,
float multiply 3, int add 0, two ports per bank)."""

from __future__ import annotations

import allo_verify as av
from allo_verify import float32, int32


def _loop(est, name):
    return next(lp for lp in est.loops if lp.name == name)


def _ii(kernel, loop: str, *partitions: tuple[str, int]) -> object:
    s = av.customize(kernel)
    s.pipeline(loop)
    for arr, dim in partitions:
        s.partition(getattr(s, arr), av.Partition.Complete, dim=dim)
    return _loop(s.estimate(), loop)


# ---- 1. recurrences per cell, at their distance ----------------------------------------

def trmm_like(A: float32[12, 12], B: float32[12, 8]) -> None:
    for i in range(12):
        for j in range(8):
            for k in range(i + 1, 12):
                B[i, j] += A[k, i] * B[k, j]


def test_a_load_of_cells_the_store_never_writes_is_off_the_recurrence() -> None:
    """k stores B[i, j] and loads B[i, j] and B[k, j] with k > i: iteration k + d reads
    B[i, j] again (distance 1, the 7-cycle chain load 2, add 4, store 1) but never a cell
    B[i, j] as B[k', j]; the 10-cycle path through B[k, j] (read 2, multiply 3, add 4, store
    1) is no recurrence. The model before tracked arrays, not cells: II 10."""
    lp = _ii(trmm_like, "k")
    assert lp.ii == 7 and lp.limited_by == "recurrence through B (7 cycles)"


def shift2(A: float32[32], B: float32[32]) -> None:
    for i in range(2, 32):
        A[i] = A[i - 2] + B[i]


def shift1(A: float32[32], B: float32[32]) -> None:
    for i in range(1, 32):
        A[i] = A[i - 1] + B[i]


def scale(A: float32[32], B: float32[32]) -> None:
    for i in range(32):
        A[i] = A[i] * B[i]


def test_a_recurrence_at_distance_d_bounds_the_ii_by_its_chain_over_d() -> None:
    """A[i] = A[i - d] + B[i]: the chain load, add, store is 7 cycles; iteration i + d reads
    what i wrote, so II = ceil(7 / d): 7 at d = 1, 4 at d = 2. The model before saw no
    recurrence at all (the stored cell depends on i): II 1, an under-estimate."""
    one, two = _ii(shift1, "i"), _ii(shift2, "i")
    assert one.ii == 7 and one.limited_by == "recurrence through A (7 cycles)"
    assert two.ii == 4 and two.limited_by == "recurrence through A (7 cycles, distance 2)"


def test_an_update_in_place_of_each_iterations_own_cell_is_no_recurrence() -> None:
    """A[i] = A[i] * B[i]: no iteration reads a cell another wrote (the model before was
    right here): II 1, ports of A (a load and a store) fit in one cycle."""
    lp = _ii(scale, "i")
    assert lp.ii == 1 and lp.limited_by == ""


def row_acc(A: float32[8, 16], y: float32[8]) -> None:
    for i in range(8):
        for k in range(16):
            y[i] += A[i, k]


def test_the_same_cell_updated_in_every_iteration_is_still_a_recurrence() -> None:
    """y[i] += A[i, k] over k: every k reads what k - 1 wrote (distance 1), as before."""
    lp = _ii(row_acc, "k")
    assert lp.ii == 7 and lp.limited_by == "recurrence through y (7 cycles)"


def strided(A: float32[64], B: float32[64]) -> None:
    for i in range(32):
        A[2 * i + 1] = A[2 * i] + B[i]


def test_a_store_to_odd_cells_and_a_load_of_even_ones_never_meet() -> None:
    """A[2i + 1] = A[2i] + B[i]: the stored cells are odd, the loaded even: no dependence
    (an exact integer test, not a per-array one), II 1."""
    lp = _ii(strided, "i")
    assert lp.ii == 1


# ---- 2. mutually exclusive if arms share ports -----------------------------------------

def branches(A: int32[16, 4], B: int32[16]) -> None:
    for i in range(16):
        if i < 8:
            B[i] = A[i, 0] + A[i, 1]
        else:
            B[i] = A[i, 2] + A[i, 3]


def guarded_plus_always(A: int32[16, 4], B: int32[16], C: int32[16]) -> None:
    for i in range(16):
        if i < 8:
            B[i] = A[i, 0] + A[i, 1]
        C[i] = A[i, 2] + A[i, 3]


def test_the_arms_of_an_if_else_share_the_ports() -> None:
    """Each arm reads A twice; only one arm runs in an iteration, so the two ports of A's one
    bank suffice: II 1. The model before added the arms: 4 reads, II 2."""
    lp = _ii(branches, "i")
    assert lp.ii == 1 and lp.limited_by == ""


def test_a_guarded_arm_still_takes_ports_beside_unguarded_accesses() -> None:
    """An `if` without `else` is not exclusive with what follows it: a statically scheduled
    pipeline reserves ports for the arm in every iteration (2 guarded + 2 unguarded reads of
    A: II 2, as before)."""
    lp = _ii(guarded_plus_always, "i")
    assert lp.ii == 2 and "memory: A (4 accesses, 1 bank(s))" == lp.limited_by


# ---- 3. triangular loops unrolled to their bound ---------------------------------------

def lower(A: int32[16, 16], B: int32[16, 16]) -> None:
    for i in range(16):
        for j in range(i + 1):
            B[i, j] = A[i, j] + 1


def square(A: int32[16, 16], B: int32[16, 16]) -> None:
    for i in range(16):
        for j in range(16):
            B[i, j] = A[i, j] + 1


def test_a_triangular_loop_unrolls_to_its_largest_trip_count() -> None:
    """Pipelining i unrolls j, whose trip count i + 1 runs from 1 to 16: HLS makes 16 guarded
    copies, each with its read of A and write of B in every iteration: 16 accesses of A on one
    bank, II 8. The model before made 8 copies (the mean 8.5): II 4. The mean trip count is
    still what `trip` reports, and a square loop is unchanged."""
    tri, sq = av.customize(lower), av.customize(square)
    tri.pipeline("i")
    sq.pipeline("i")
    t_est, s_est = tri.estimate(), sq.estimate()
    assert _loop(t_est, "j").copies == 16 and _loop(t_est, "j").trip == 8.5
    assert _loop(t_est, "i").ii == 8
    assert _loop(s_est, "j").copies == 16 and _loop(s_est, "i").ii == 8


def test_a_partial_unroll_of_a_triangular_loop_is_capped_by_its_bound() -> None:
    s = av.customize(lower)
    s.split("j", 4)
    s.unroll("j.inner")
    assert _loop(s.estimate(), "j.inner").copies == 4


def histogram(X: int32[32], H: float32[16]) -> None:
    for i in range(32):
        H[X[i]] += 1.0


def test_an_index_it_cannot_read_is_assumed_to_meet() -> None:
    """H[X[i]] += 1: the cell is data, unknown statically; a dependence analysis (and HLS)
    must assume iteration i + 1 may read what i wrote: the 7-cycle chain bounds the II."""
    lp = _ii(histogram, "i")
    assert lp.ii == 7 and lp.limited_by == "recurrence through H (7 cycles)"


def test_a_query_z3_cannot_answer_keeps_the_dependence(monkeypatch) -> None:
    """Unknown is never "independent": with no resource budget, Z3 cannot show that the odd
    and even cells of `strided` never meet, so the chain (7 cycles) bounds the II."""
    from allo_verify.estimate import dependence

    monkeypatch.setattr(dependence, "RLIMIT", 1)
    lp = _ii(strided, "i")
    assert lp.ii == 7 and lp.limited_by == "recurrence through A (7 cycles)"


def row_from_previous(A: float32[8, 16]) -> None:
    for i in range(1, 8):
        for j in range(16):
            A[i, j] = A[i - 1, j] + 1.0


def row_prefix(A: float32[8, 16]) -> None:
    for i in range(8):
        for j in range(1, 16):
            A[i, j] = A[i, j - 1] + 1.0


def test_a_dependence_through_the_unrolled_inner_loop_is_found_per_cell() -> None:
    """Pipelining i unrolls j. A[i, j] = A[i - 1, j] + 1: iteration i + 1 reads the row i
    wrote (distance 1 over i): II 7. A[i, j] = A[i, j - 1] + 1: no iteration of i reads
    another's row (II 1), but each copy of j reads what the copy before it wrote: the 15
    copies chain (7 cycles each), as the serial prefix they are."""
    carried = _ii(row_from_previous, "i", ("A", 2))
    assert carried.ii == 7 and "recurrence through A" in carried.limited_by
    s = av.customize(row_prefix)
    s.pipeline("i")
    s.partition(s.A, av.Partition.Complete, dim=2)
    est = s.estimate()
    assert _loop(est, "i").ii == 1
    assert _loop(est, "j").depth == 7 + 14 * 7
