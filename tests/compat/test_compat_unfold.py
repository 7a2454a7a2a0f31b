"""Issue 14, item 3: `s.unfold(band, axes)`, Allo's unfolding of loops into independent
instances (PEs): proved when no two instances share a cell with a write, refuted with the
two instances and the cell otherwise (mutations: a carried dependence, a reduction loop),
emitted as a full unroll per instance."""

import numpy as np
import pytest

import allo_verify as allo
from allo_verify import int32
from allo_verify.schedule.primitives.unfold import Unfold

M, K = 4, 8


def rows(A: int32[M, K], B: int32[K]) -> int32[M]:
    C: int32[M] = 0
    for i in range(M):
        acc: int32 = 0
        for k in range(K):
            acc += A[i, k] * B[k]
        C[i] = acc
    return C


def systolic(A: int32[M, M], B: int32[M, M]) -> int32[M, M]:
    C: int32[M, M] = 0
    for i, j in allo.grid(M, M, name="PE"):
        for k in allo.reduction(M):
            C[i, j] += A[i, k] * B[k, j]
    return C


def carried(A: int32[K]) -> int32[K]:
    for i in range(1, K):
        A[i] = A[i - 1] + 1
    return A


def shared_acc(A: int32[M, K]) -> int32:
    total: int32 = 0
    for i in range(M):
        for k in range(K):
            total += A[i, k]
    return total


def triangular(A: int32[M, M]) -> int32[M, M]:
    B: int32[M, M] = 0
    for i in range(M):
        for j in range(i + 1):
            B[i, j] = A[i, j]
    return B


def test_unfold_independent_rows_is_proved_and_emitted():
    s = allo.customize(rows)
    s.unfold("S_i_0", [0])
    assert s.log()[-1] == {"primitive": "unfold", "args": {"loops": ("rows:i",)}}
    code = str(s.build(target="vhls"))
    body = code.split("l_i:", 1)[1]
    assert "// unfold: one instance (PE) per iteration" in body
    assert "#pragma HLS unroll" in body.split("l_k", 1)[0]
    assert "ap_int<32> acc" in body.split("l_k", 1)[0]  # the scalar is private per PE
    cert = s.verify()
    assert cert.status == "proved"
    assert any("instances-independent" in e.name and e.layer == "L1" for e in cert.entries)
    a = np.arange(M * K, dtype=np.int32).reshape(M, K)
    b = np.arange(K, dtype=np.int32)
    np.testing.assert_array_equal(s.build()(a, b), a @ b)


def test_unfold_two_axes_of_a_named_band():
    s = allo.customize(systolic)
    band = s.get_loops().PE
    s.unfold(band, [0, 1])
    assert s.verify().status == "proved"


def test_carried_dependence_is_refused_with_instances():
    s = allo.customize(carried)
    before = str(s.module)
    with pytest.raises(allo.ScheduleError, match=r"S0\(i=\d\) and S0\(i=\d\) are in different "
                                                 r"unfolded instances \(i\) and touch the same "
                                                 r"cell of A") as e:
        s.unfold("S_i_0", [0])
    assert not isinstance(e.value, allo.ScheduleUsageError)
    assert str(s.module) == before and not s.steps


def test_unfolding_a_reduction_loop_is_refused():
    s = allo.customize(systolic)
    with pytest.raises(allo.ScheduleError, match="instances-independent/C"):
        s.unfold("PE", [2])


def test_shared_scalar_accumulator_is_refused():
    s = allo.customize(shared_acc)
    with pytest.raises(allo.ScheduleError, match="refused"):
        s.unfold("S_i_0", [0])


def test_non_constant_bounds_are_refused():
    s = allo.customize(triangular)
    with pytest.raises(allo.ScheduleError, match="no constant bounds"):
        s.unfold("S_i_0", [1])
    s.unfold("S_i_0", [0])  # the outer loop has constant bounds and independent rows


def test_usage_errors():
    s = allo.customize(systolic)
    with pytest.raises(allo.ScheduleUsageError, match="consecutive"):
        s.unfold("PE", [0, 2])
    with pytest.raises(allo.ScheduleUsageError, match="no loop band 'PX'"):
        s.unfold("PX", [0])
    with pytest.raises(allo.ScheduleUsageError, match="each axis"):
        s.unfold("PE", [5])
    with pytest.raises(allo.ScheduleUsageError, match="list or tuple"):
        s.unfold("PE", 0)
    assert not s.steps


def test_the_checker_rejects_a_dependent_pair_directly():
    """Mutation: apply the registered primitive to the carried kernel through `apply`, the
    path a saved schedule replays; the checker, not the method, must refuse it."""
    s = allo.customize(carried)
    with pytest.raises(allo.ScheduleError, match="instances-independent/A"):
        s.apply(Unfold(("carried:i",)))


def test_imperfect_chain_is_refused():
    s = allo.customize(rows)
    with pytest.raises(allo.ScheduleError, match="perfectly nested"):
        s.apply(Unfold(("rows:i", "rows:k")))


def test_saved_schedule_replays_unfold(tmp_path):
    s = allo.customize(rows)
    s.unfold("S_i_0", [0])
    path = tmp_path / "rows.json"
    s.save(path)
    again = allo.Schedule.load(path, rows)
    assert str(again.module) == str(s.module)
