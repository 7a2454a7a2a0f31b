# ruff: noqa: F821, B007 - streams are declared by annotation, as Allo writes them
"""df.region designs: the simulator matches NumPy, verification proves the design (the
channels' L1 stream obligations, L2, L3), the HLS C++ has `hls::stream` FIFOs (and the
dataflow pragma when the stages allow it) and C simulation agrees."""

from __future__ import annotations

import numpy as np
import pytest

import allo_verify.dataflow as df
from allo_verify.codegen.hls import csim_check
from allo_verify.ir.types import Stream, float32
from tests.dataflow_regions import designs as d


def ints(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(-9, 9, shape).astype(np.int32)


def stream_names(s) -> list[str]:  # noqa: ANN001
    return [st.primitive.target for st in s.steps if st.primitive.name == "to"]


def test_producer_consumer_runs_verifies_and_emits_a_stream() -> None:
    A = np.arange(16, dtype=np.float32).reshape(4, 4)
    B = np.zeros((4, 4), np.float32)
    df.build(d.pc_top, target="simulator")(A, B)
    np.testing.assert_array_equal(B, A + 1)
    s = df.customize(d.pc_top)
    assert [st.primitive.name for st in s.steps] == ["dataflow", "to"]
    names = [c.name for st in s.steps for c in st.checks]
    for ob in ("producer-once", "consumer-once", "covers", "same-order", "depth"):
        assert any(n.endswith(ob) for n in names), ob
    cert = s.verify(trials=10, csim=True)
    assert cert.status == "proved", cert.status
    body = df.build(d.pc_top, target="vhls").body
    assert "#pragma HLS dataflow" in body
    assert 'hls::stream<float> pipe("pipe");' in body
    assert "#pragma HLS stream variable=pipe depth=4" in body
    assert body.count("pipe.write(") == 1 and body.count("pipe.read()") == 1


def test_tiled_gemm_mapping_2x2_matches_numpy_and_verifies() -> None:
    A, B = ints((4, 4), 1), ints((4, 4), 2)
    C = np.zeros((4, 4), np.int32)
    df.build(d.tiled_gemm)(A, B, C)
    np.testing.assert_array_equal(C, A @ B)
    s = df.customize(d.tiled_gemm)
    # four instances, one stage each, every local renamed per instance
    stages = [g.name for g in s.dataflow_graph().stages]
    assert stages == ["gemm_0_0", "gemm_0_1", "gemm_1_0", "gemm_1_1"]
    assert s.steps[0].primitive.disjoint == ("C",)  # four writers of C, proved disjoint
    assert any(c.name.endswith("disjoint gemm_0_0|gemm_1_1") for c in s.steps[0].checks)
    cert = s.verify(trials=10, csim=True)
    assert cert.status == "proved"
    assert "#pragma HLS dataflow" in s.build(target="vhls").body


def test_systolic_array_with_stream_arrays_and_meta_if() -> None:
    A, B = ints((d.SM, d.SK), 3), ints((d.SK, d.SN), 4)
    C = np.zeros((d.SM, d.SN), np.int32)
    df.build(d.systolic, target="simulator")(A, B, C)
    np.testing.assert_array_equal(C, A @ B)
    s = df.customize(d.systolic)
    # one checked step per concrete channel: fifo_A[i, j] feeds PE (i, j) for j = 1, 2 ...
    assert sorted(stream_names(s)) == sorted(
        [f"systolic:fifo_A__{i}__{j}" for i in (1, 2) for j in (1, 2)]
        + [f"systolic:fifo_B__{i}__{j}" for i in (1, 2) for j in (1, 2)])
    cert = s.verify(trials=10, csim=True)
    assert cert.status == "proved"
    body = s.build(target="vhls").body
    assert body.count("hls::stream<ap_int<32>>") == 8
    assert "#pragma HLS dataflow" in body and s.df_notes == []
    res = csim_check(s.module, s.sig, [(A, B, C.copy())])
    assert res.agreed, res.first_difference


def test_reconvergent_pair_with_deep_enough_fifo_is_proved() -> None:
    s = df.customize(d.reconvergent(d.L))
    assert s.df_notes == []
    depth = [c for st in s.steps for c in st.checks if c.name.endswith("s1/depth")]
    assert depth and all(c.result.status == "proved" for c in depth)
    A, B = ints((d.L,), 5), np.zeros(d.L, np.int32)
    s.build()(A, B)
    np.testing.assert_array_equal(B, 3 * A)


def test_block_stream_is_not_supported_with_a_clear_error() -> None:
    with pytest.raises(Exception, match="not supported: block stream"):
        @df.region()
        def blk(A: float32[4]):
            s: Stream[float32[4], 2]

            @df.kernel(mapping=[1], args=[A])
            def p(a: float32[4]):
                s.put(a)

        df.customize(blk)
