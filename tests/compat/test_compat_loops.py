"""Issue 14, item 2: `s.get_loops()` indexable as in Allo (bands `S_<vars>_<n>` or `name=`,
loops by variable, `i.outer`/`i.inner`), Allo's loop spellings in every step method, and
Allo's keyword names for the primitives."""

import numpy as np
import pytest

import allo_verify as allo
from allo_verify import float32, int32

N = 8


def gemm(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:
    C: int32[N, N] = 0
    for i, j in allo.grid(N, N):
        for k in allo.reduction(N):
            C[i, j] += A[i, k] * B[k, j]
    return C


def two_nests(A: int32[N, N]) -> int32[N, N]:
    B: int32[N, N] = 0
    for i, j in allo.grid(N, N, name="row"):
        B[i, j] = A[i, j] + 1
    for i in range(N):
        for j in range(N):
            B[i, j] = B[i, j] * 2
    return B


def top(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:
    C = gemm(A, B)
    D: int32[N, N] = 0
    for i, j in allo.grid(N, N):
        D[i, j] = C[i, j] + 1
    return D


def conv(A: float32[N, N]) -> float32[N - 2, N - 2]:
    B: float32[N - 2, N - 2] = 0.0
    for y, x in allo.grid(N - 2, N - 2):
        v: float32 = 0.0
        for r in range(3):
            for c in range(3):
                v += A[y + r, x + c]
        B[y, x] = v
    return B


def test_band_names_follow_allo():
    loops = allo.customize(gemm).get_loops()
    assert "S_i_j_0" in loops
    band = loops.S_i_j_0
    assert [name for name, _ in band] == ["i", "j", "k"]
    assert band.i.qualified == "gemm:i" and loops["S_i_j_0"]["k"].name == "k"
    assert band[0].name == "i" and band[-1].name == "k"


def test_named_band_and_statement_count():
    loops = allo.customize(two_nests).get_loops()
    names = [name for name, _ in loops]
    # `row` is named; the second nest follows one for statement: S_i_1
    assert "row" in names and "S_i_1" in names
    assert loops.row.i.name == "row.i"
    assert loops.S_i_1.j.name == "j"
    assert list(loops.S_i_1.loops) == ["i", "j"]


def test_iterating_bands_and_unknown_names():
    loops = allo.customize(two_nests).get_loops()
    for name, band in loops:
        assert isinstance(name, str) and len(band) >= 1
    with pytest.raises(allo.ScheduleUsageError, match="no loop band 'S_x_9'.*bands:"):
        loops["S_x_9"]
    with pytest.raises(allo.ScheduleUsageError, match="has no loop 'z'"):
        loops.row.z  # noqa: B018


def test_other_kernels_by_name():
    s = allo.customize(top)
    loops = s.get_loops()
    assert loops["gemm"]["S_i_j_0"]["i"].qualified == "gemm:i"
    assert s.get_loops("gemm").S_i_j_0.k.qualified == "gemm:k"
    assert s.get_loops(gemm).S_i_j_0.k.qualified == "gemm:k"
    with pytest.raises(allo.ScheduleUsageError, match="no kernel named 'nope'"):
        s.get_loops("nope")


def test_split_through_handles_and_after_transforms():
    s = allo.customize(gemm)
    loops = s.get_loops()
    s.split(loops.S_i_j_0.i, 4)
    loops = s.get_loops()
    assert list(loops.S_i_j_0.loops) == ["i.outer", "i.inner", "j", "k"]
    s.reorder("i.outer", "j", "i.inner")
    assert list(s.get_loops().S_i_j_0.loops) == ["i.outer", "j", "i.inner", "k"]
    s.pipeline(s.get_loops().S_i_j_0["i.inner"])
    assert s.verify().status == "proved"


def test_allo_spelling_of_a_named_band_loop():
    s = allo.customize(two_nests)
    # Allo writes "i" for the loop of band row; ours is "row.i" (and plain "i" is the other)
    s.split("S_i_1.j", 2)
    assert s.log()[-1]["args"]["axis"] == "two_nests:j"
    with pytest.raises(allo.ScheduleUsageError, match="no loop named 'zz'"):
        s.split("zz", 2)


def test_old_flat_list_is_all_loops():
    s = allo.customize(gemm)
    assert [lp.name for lp in s.all_loops() if "init" not in lp.name] == ["i", "j", "k"]


def test_allo_keyword_names():
    s = allo.customize(gemm)
    s.split("i", factor=4)
    s.reorder("i.outer", "j", "i.inner")
    s.unroll("i.inner", factor=2)
    s.pipeline("k", initiation_interval=1)
    s.partition(s.A, partition_type=allo.Partition.Block, dim=1, factor=2)
    s.partition(s.B, partition_type=allo.Partition.Cyclic, dim=2, factor=2)
    g = allo.customize(gemm)
    g.buffer_at(g.C, axis="i")
    c = allo.customize(conv)
    c.reuse_at(c.A, "y")
    for d in (s, g, c):
        assert d.verify().status == "proved"
    a = np.arange(N * N, dtype=np.float32).reshape(N, N)
    out = c.build()(a)
    ref = sum(a[r:r + N - 2, q:q + N - 2] for r in range(3) for q in range(3))
    np.testing.assert_allclose(out, ref)


def test_compose_keywords():
    sub = allo.customize(gemm)
    sub.split("i", factor=2)
    t = allo.customize(top)
    t.compose(sub, id=None)
    assert any(st.get("instance") is not None for st in t.log())


def multiline(A: int32[N, N]) -> int32[N, N]:
    B: int32[N, N] = 0
    for i, j in allo.grid(
            N, N):
        B[i, j] = A[i, j]
    for k in range(N): B[k, 0] = 1  # noqa: E701 - a one-line loop is the test
    return B


def test_band_names_of_multiline_and_one_line_headers():
    loops = allo.customize(multiline).get_loops()
    assert "S_i_j_0" in loops and "S_k_1" in loops
