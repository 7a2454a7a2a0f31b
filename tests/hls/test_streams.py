"""Streams in the HLS C++: `hls.stream` buffers become `hls::stream` FIFOs (our shim in C
simulation) with a depth pragma; the producer's store is a `write()`, the consumer's load a
`read()`, and C simulation agrees with the LLVM simulation. Mutation: a stream whose order
L1 would refuse, forced in without its order obligations, is caught by C simulation."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np

import allo_verify as av
from allo_verify.codegen.hls import csim_check, emit_hls
from allo_verify.schedule.primitives.stream import Stream
from tests.schedule import dataflow_kernels as K

EXAMPLE = Path(__file__).parents[2] / "examples" / "three_mm_dataflow.py"


def inputs(shapes: list[tuple[int, ...]], trials: int = 3) -> list[tuple]:
    rng = np.random.default_rng(7)
    return [tuple(rng.integers(-100, 100, size=sh, dtype=np.int32) for sh in shapes)
            for _ in range(trials)]


def test_three_mm_dataflow_emits_streams_and_csim_agrees() -> None:
    s = runpy.run_path(str(EXAMPLE))["s"]
    m = emit_hls(s.module, s.sig)
    body = m.body
    assert "#pragma HLS dataflow" in body
    assert 'hls::stream<ap_int<32>> E("E");' in body
    assert "#pragma HLS stream variable=E depth=1" in body
    assert body.count("E.write(") == 1 and body.count("E.read()") == 1
    assert "E[" not in body  # no array access to the stream remains
    assert "allo_verify_stream.h" in m.prelude
    res = csim_check(s.module, s.sig, inputs([(8, 6), (6, 8), (8, 6), (6, 8)]))
    assert res.agreed, res.first_difference


def test_producer_consumer_stream_csim_agrees() -> None:
    s = av.customize(K.pc_ok)
    s.dataflow("pc_ok")
    s.to("B", "i1", depth=2)
    assert csim_check(s.module, s.sig, inputs([(K.M, K.N)])).agreed


def test_unproved_transposed_stream_is_caught_by_csim() -> None:
    class OrderUnchecked(Stream):  # keeps only the structural obligations
        def checks(self, before, after, ctx):  # noqa: ANN001, ANN202
            return [c for c in super().checks(before, after, ctx)
                    if c.obligation.name.rsplit("/", 1)[-1] in ("rewrite-only", "depth")]

    s = av.customize(K.pc_transposed)
    s._apply(OrderUnchecked("pc_transposed:B", "i1", 64))
    res = csim_check(s.module, s.sig, inputs([(K.M, K.M)]))
    assert not res.agreed and res.first_difference is not None


def test_batch_header_keeps_streams_next_to_a_wide_prelude() -> None:
    from dataclasses import replace

    from allo_verify.codegen.hls.csim import shared_header
    from allo_verify.codegen.hls.helpers import STREAM_HEADER

    s = av.customize(K.pc_ok)
    s.to("B", "i1", depth=30)
    streaming = emit_hls(s.module, s.sig)
    wide = replace(streaming, prelude="#define AP_INT_MAX_W 4096\n" + "x" * 20000)
    head = shared_header([streaming, wide])
    assert "AP_INT_MAX_W 4096" in head and STREAM_HEADER in head
