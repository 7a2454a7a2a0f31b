"""`Memory(resource=..., storage_type=..., latency=...)` on arguments and local arrays.

Law: a hardware annotation. It is recorded in the IR (`hls.bind_storage` on the argument
or the local array's alloc), the HLS emitter turns it into `#pragma HLS bind_storage`, and
it never changes what the kernel computes: the annotated kernel is equivalent to the plain
one and its C++ agrees with the LLVM simulation. Golden file: tests/lang/golden/
memory_annotation.cpp (refresh with ALLO_VERIFY_UPDATE_GOLDEN=1).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from lang_util import assert_frontend_error_at, tagged_line
from mlir import ir

import allo_verify as allo
from allo_verify import Memory, int32
from allo_verify.codegen.hls import HLSEmitError, csim_check, emit_hls

GOLDEN = Path(__file__).parent / "golden" / "memory_annotation.cpp"
UPDATE = os.environ.get("ALLO_VERIFY_UPDATE_GOLDEN") == "1"
MemUram = Memory(resource="URAM")
MemBram = Memory(resource="BRAM", storage_type="RAM_2P")
MemRom = Memory(resource="BRAM", storage_type="ROM_1P")


def k_mem(A: int32[8, 8] @ MemUram, B: int32[8] @ MemRom) -> int32[8]:
    buf: int32[8] @ Memory(resource="LUTRAM", storage_type="RAM_1P", latency=2) = 0
    C: int32[8] @ MemBram = 0
    for i in range(8):
        for j in range(8):
            buf[j] += A[i, j] * B[i]
    for j in range(8):
        C[j] = buf[j] + 1
    return C


def k_plain(A: int32[8, 8], B: int32[8]) -> int32[8]:
    buf: int32[8] = 0
    C: int32[8] = 0
    for i in range(8):
        for j in range(8):
            buf[j] += A[i, j] * B[i]
    for j in range(8):
        C[j] = buf[j] + 1
    return C


def _inputs(seed: int):
    rng = np.random.default_rng(seed)
    return (rng.integers(-50, 50, (8, 8)).astype(np.int32),
            rng.integers(-50, 50, 8).astype(np.int32))


def test_llvm_matches_numpy():
    f = allo.customize(k_mem).build()
    A, B = _inputs(0)
    want = (B.astype(np.int64) @ A.astype(np.int64) + 1).astype(np.int32)
    assert np.array_equal(f(A, B), want)


def test_recorded_in_ir():
    text = str(allo.customize(k_mem).module)
    assert 'hls.bind_storage = {impl = "URAM", type = "RAM_2P"}' in text
    assert 'hls.bind_storage = {impl = "BRAM", type = "ROM_1P"}' in text
    assert 'hls.bind_storage = {impl = "LUTRAM", latency = 2 : i64, type = "RAM_1P"}' in text


def test_emitted_pragmas_golden():
    code = emit_hls(allo.customize(k_mem).module, allo.customize(k_mem).sig).code
    assert "#pragma HLS bind_storage variable=A type=ram_2p impl=uram" in code
    assert "#pragma HLS bind_storage variable=B type=rom_1p impl=bram" in code
    assert "#pragma HLS bind_storage variable=buf type=ram_1p impl=lutram latency=2" in code
    assert "#pragma HLS bind_storage variable=out0 type=ram_2p impl=bram" in code  # C, returned
    if UPDATE or not GOLDEN.exists():
        GOLDEN.write_text(code)
    assert code == GOLDEN.read_text(), f"{GOLDEN} differs; ALLO_VERIFY_UPDATE_GOLDEN=1 refreshes"


def test_annotation_does_not_change_semantics():
    cert = allo.check_equivalent(k_plain, k_mem, csim=True, trials=20)
    assert cert.ok, cert
    assert {e.layer for e in cert.entries} == {"L2", "L3", "CSIM"}


def test_scheduled_annotated_kernel_verifies_and_keeps_both_pragmas():
    s = allo.customize(k_mem)
    s.partition("A", "cyclic", dim=2, factor=2)
    s.pipeline("j")
    cert = s.verify(csim=True, trials=20)
    assert cert.ok, cert
    code = emit_hls(s.module, s.sig).code
    assert "#pragma HLS array_partition variable=A type=cyclic factor=2 dim=2" in code
    assert "#pragma HLS bind_storage variable=A type=ram_2p impl=uram" in code
    assert csim_check(s.module, s.sig, [_inputs(k) for k in range(3)]).agreed


def inc(A: int32[8]) -> int32[8]:
    B: int32[8] = 0
    for i in range(8):
        B[i] = A[i] + 1
    return B


def k_call(A: int32[8]) -> int32[8]:
    T: int32[8] @ Memory(resource="BRAM", storage_type="RAM_S2P") = inc(A)
    C: int32[8] = 0
    for i in range(8):
        C[i] = T[i] * 2
    return C


def test_memory_on_an_array_from_a_kernel_call_is_kept():
    s = allo.customize(k_call)
    code = emit_hls(s.module, s.sig).code
    assert "#pragma HLS bind_storage variable=T type=ram_s2p impl=bram" in code
    A = np.arange(8, dtype=np.int32)
    assert np.array_equal(s.build()(A), (A + 1) * 2)
    assert csim_check(s.module, s.sig, [(A,)]).agreed


def test_emitter_rejects_malformed_attribute():
    s = allo.customize(k_plain)
    text = str(s.module).replace("func.func @k_plain(%arg0: memref<8x8xi32>",
                                 'func.func @k_plain(%arg0: memref<8x8xi32> {hls.bind_storage '
                                 '= {impl = "DRAM", type = "RAM_2P"}}')
    with s.module.context:
        bad = ir.Module.parse(text)
    with pytest.raises(HLSEmitError, match="impl one of"):
        emit_hls(bad, s.sig)


# ------------------------------------------------------------------ errors at file:line


def _line(tag: str) -> int:
    return tagged_line(__file__, tag)


def e_rom_written(A: int32[4] @ MemRom) -> int32:  # <- rom-written
    A[0] = 1
    return A[1]


def e_bad_resource(A: int32[4]) -> int32:
    b: int32[4] @ Memory(resource="DRAM") = 0  # <- bad-resource
    return b[0] + A[0]


def e_scalar(A: int32[4]) -> int32:
    b: int32 @ Memory(resource="URAM") = 0  # <- scalar
    return b + A[0]


def e_rom_local(A: int32[4]) -> int32:
    b: int32[4] @ MemRom = 0  # <- rom-local
    return b[0] + A[0]


ERRORS = [(e_rom_written, "rom-written", "read-only ROM_1P"),
          (e_bad_resource, "bad-resource", "resource must be one of"),
          (e_scalar, "scalar", "annotates arrays"),
          (e_rom_local, "rom-local", "read-only ROM_1P")]


@pytest.mark.parametrize("kernel,tag,words", ERRORS, ids=[t for _, t, _ in ERRORS])
def test_bad_memory_uses_are_frontend_errors(kernel, tag, words):
    assert_frontend_error_at(kernel, __file__, tag, words)
