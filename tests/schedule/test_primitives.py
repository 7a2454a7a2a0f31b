"""Legal schedules: they apply, match NumPy, and verify (L1 and L2 proved, L3 agrees)."""

from __future__ import annotations

import numpy as np
import pytest

import allo_verify as av
from tests.schedule import kernels as K

RNG = np.random.default_rng(7)


def ints(*shape: int) -> np.ndarray:
    return RNG.integers(-50, 50, size=shape).astype(np.int32)


def assert_proved(s: av.Schedule) -> None:
    cert = s.verify(trials=10, seed=1)
    by_layer = {}
    for e in cert.entries:
        by_layer.setdefault(e.layer, []).append(e.result.status)
    assert by_layer["L1"] and set(by_layer["L1"]) == {"proved"}, by_layer["L1"]
    assert by_layer["L2"] == ["proved"]
    assert by_layer["L3"] == ["agreed"]
    assert cert.ok and cert.status == "proved"


def test_allo_gemm_schedule() -> None:
    s = av.customize(K.gemm)
    assert s.split("i", 4) == ("i.outer", "i.inner")
    s.split("j", 4)
    s.reorder("i.outer", "j.outer", "k", "i.inner", "j.inner")
    s.pipeline("k")
    s.unroll("j.inner")
    s.unroll("i.inner", 2)
    names = [lp.name for lp in s.all_loops() if "init" not in lp.name]
    assert names == ["i.outer", "j.outer", "k", "i.inner", "j.inner"]
    A, B = ints(K.M, K.K), ints(K.K, K.N)
    np.testing.assert_array_equal(s.build()(A, B), A @ B)
    assert "hls.pipeline_ii = 1" in str(s.module) and "hls.unroll = 2" in str(s.module)
    assert_proved(s)


def test_split_with_remainder_matches_numpy() -> None:
    s = av.customize(K.gemm)
    s.split("i", 5)  # 12 = 2 * 5 + 2: the inner loop needs its remainder bound
    assert "min" in str(s.module)
    A, B = ints(K.M, K.K), ints(K.K, K.N)
    np.testing.assert_array_equal(s.build()(A, B), A @ B)
    assert_proved(s)


def test_tile_conv2d() -> None:
    s = av.customize(K.conv2d)
    order = s.tile(["y", "x"], [4, 3])
    assert order == ["y.outer", "x.outer", "y.inner", "x.inner"]
    assert [st.primitive.name for st in s.steps] == ["split", "split", "reorder"]
    img, ker = ints(K.H, K.W), ints(K.R, K.R)
    want = np.zeros((K.H - K.R + 1, K.W - K.R + 1), dtype=np.int64)
    for y in range(want.shape[0]):
        for x in range(want.shape[1]):
            want[y, x] = (img[y:y + K.R, x:x + K.R].astype(np.int64) * ker).sum()
    np.testing.assert_array_equal(s.build()(img, ker), want.astype(np.int32))
    assert_proved(s)


def test_fuse_elementwise() -> None:
    s = av.customize(K.relu)
    assert s.fuse("i", "j") == "i_j_fused"
    A = RNG.standard_normal((K.M, K.N)).astype(np.float32)
    np.testing.assert_array_equal(s.build()(A), np.maximum(A, 0))
    assert_proved(s)


def test_compute_at_producer_into_consumer() -> None:
    s = av.customize(K.producer_consumer)
    s.compute_at("j", "j_1")
    assert [lp.name for lp in s.all_loops() if "init" not in lp.name] == ["i_1", "j_1"]
    A = ints(K.M, K.N)
    np.testing.assert_array_equal(s.build()(A), A * 2 + 1)
    assert_proved(s)


def test_compute_at_outer_level_keeps_inner_producer_loop() -> None:
    s = av.customize(K.producer_consumer)
    s.compute_at("i", "i_1")
    assert [lp.name for lp in s.all_loops() if "init" not in lp.name] == ["i_1", "j", "j_1"]
    assert_proved(s)


def test_parallel_on_independent_loop() -> None:
    s = av.customize(K.gemm)
    s.parallel("j")
    assert "hls.parallel" in str(s.module)
    assert_proved(s)


def test_legal_gauss_seidel_free_interchange() -> None:
    s = av.customize(K.row_scale)
    s.reorder("j", "i")
    A, v = ints(K.M, K.N), ints(K.M)
    want = A * v[:, None]
    s.build()(A, v)
    np.testing.assert_array_equal(A, want)
    assert_proved(s)


def test_step_log_and_loop_lookup_errors() -> None:
    s = av.customize(K.gemm)
    s.split("i", 4)
    assert s.log() == [{"primitive": "split", "args": {"axis": "i", "factor": 4}}]
    with pytest.raises(av.ScheduleError, match="no loop named 'i'"):
        s.split("i", 2)
    with pytest.raises(av.ScheduleError, match=r"integer in 1..2\*\*40"):
        s.split("j", 0)
    assert len(s.steps) == 1


def test_l1_checks_are_proved_for_this_instance_quickly() -> None:
    s = av.customize(K.gemm)
    s.tile(["i", "j"], [4, 4])
    checks = [c for st in s.steps for c in st.checks]
    assert len(checks) > 10
    assert all(c.result.status == "proved" for c in checks)
    assert all(c.cost.queries <= 1 for c in checks)


def test_loops_addressed_by_handle_and_qualified_name() -> None:
    s = av.customize(K.gemm)
    handle = next(lp for lp in s.all_loops() if lp.name == "i")
    assert s.split(handle, 4) == ("i.outer", "i.inner")
    s.pipeline("gemm:k")
    assert [st.primitive.args() for st in s.steps] == [
        {"axis": "gemm:i", "factor": 4}, {"axis": "gemm:k", "initiation_interval": 1}]


def test_registry_refuses_a_primitive_without_a_checker() -> None:
    from dataclasses import dataclass

    from allo_verify.schedule.primitives.base import REGISTRY, Primitive, register

    @dataclass(frozen=True)
    class Unchecked(Primitive):
        axis: str
        name = "unchecked"

        def apply(self, module, ctx) -> None:  # noqa: ANN001
            pass

    with pytest.raises(TypeError, match="apply\\(\\) and checks\\(\\)"):
        register(Unchecked)
    assert "unchecked" not in REGISTRY
    assert {"split", "reorder", "fuse", "unroll", "pipeline", "parallel", "compute_at"} <= set(
        REGISTRY)


def test_calls_are_statements_with_unknown_cells() -> None:
    # the call reads and writes R; moving the row loop around it is not provable at L1
    from allo_verify.schedule.primitives.base import statements

    s = av.customize(K.calls_in_loop)
    stmts = statements(s.module, "calls_in_loop", s.ctx)
    call = next(st for st in stmts.values() if st.tree[0] == "call")
    assert [(a.buffer, a.subscripts, a.write) for a in call.accesses] == [
        ("R", None, False), ("R", None, True)]
    s.split("calls_in_loop:j", 4)  # untouched by the call: still proved
    assert {c.result.status for c in s.steps[0].checks} == {"proved"}
    assert_proved(s)


def test_compute_at_inside_a_shared_time_loop() -> None:
    s = av.customize(K.time_loop_stages)
    s.compute_at("i", "i_1")
    assert [lp.name for lp in s.all_loops() if "init" not in lp.name] == ["t", "i_1"]
    A, C = np.arange(K.T, dtype=np.int32), np.zeros(K.T, dtype=np.int32)
    s.build()(A, C)
    np.testing.assert_array_equal(C, 3 * A + 3)
    assert_proved(s)


def test_numpy_integer_factors_are_accepted_and_booleans_refused() -> None:
    s = av.customize(K.gemm)
    s.split("i", np.int64(4))
    assert s.steps[0].primitive.args()["factor"] == 4
    with pytest.raises(av.ScheduleUsageError):
        s.split("j", True)
    with pytest.raises(av.ScheduleUsageError):
        s.split("j", 10**30)


def test_fused_names_stay_unique() -> None:
    s = av.customize(K.conv2d)
    assert s.fuse("y", "x") == "y_x_fused"
    assert s.fuse("ry", "rx") == "ry_rx_fused"
    names = [lp.name for lp in s.all_loops()]
    assert len(names) == len(set(names))
