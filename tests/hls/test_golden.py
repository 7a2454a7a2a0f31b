"""Golden files of the emitted C++ for GEMM with Allo's schedule, the tiled convolution,
the fixed-point FIR, and the memory designs (jacobi-2d, reuse_at convolution, buffer_at
GEMM). Refresh with ALLO_VERIFY_UPDATE_GOLDEN=1 after a deliberate change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import UPDATE_GOLDEN

GOLDEN = Path(__file__).parent / "golden"
DESIGNS = {"gemm": "examples.gemm.gemm_schedule", "conv2d": "examples.conv2d.conv_tiled",
           "fir_fixed": "examples.fir_fixed.fir_schedule",
           # issue 10's memory designs: line/window buffers, buffer_at, partition pragmas
           "jacobi2d": "examples.jacobi2d.jacobi_2d_schedule",
           "conv_reuse": "examples.conv_reuse.conv_schedule",
           "gemm_buffer": "examples.gemm_buffer.gemm_schedule"}


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_golden(emitted, name):
    _, mod = emitted[DESIGNS[name]]
    path = GOLDEN / f"{name}.cpp"
    if UPDATE_GOLDEN or not path.exists():
        path.write_text(mod.code)
    assert mod.code == path.read_text(), f"{path} differs; ALLO_VERIFY_UPDATE_GOLDEN=1 refreshes"


def _loop_openings(code: str) -> list[tuple[str, str]]:
    """(label, first line of the body) for every labelled loop."""
    lines = code.splitlines()
    out = []
    for k, line in enumerate(lines):
        m = re.match(r"\s*(l_\w+): for \(", line)
        if m:
            out.append((m.group(1), lines[k + 1].strip()))
    return out


def test_gemm_pragmas_where_vitis_expects_them(emitted):
    _, mod = emitted[DESIGNS["gemm"]]
    first = dict(_loop_openings(mod.code))
    assert set(first) >= {"l_i_outer", "l_j_outer", "l_k", "l_i_inner", "l_j_inner"}
    assert first["l_k"] == "#pragma HLS pipeline II=1"
    assert first["l_j_inner"] == "#pragma HLS unroll"
    assert not first["l_i_outer"].startswith("#pragma")
    assert "void gemm(int32_t A[64][64], int32_t B[64][64], int32_t out0[64][64])" in mod.code
    assert "#pragma HLS interface m_axi port=A offset=slave bundle=gmem0" in mod.code


def test_fir_types_and_pragmas(emitted):
    _, mod = emitted[DESIGNS["fir_fixed"]]
    assert "ap_fixed<16, 4, AP_TRN, AP_WRAP> x[32]" in mod.code
    first = dict(_loop_openings(mod.code))
    assert first["l_n_inner"] == "#pragma HLS pipeline II=1"
    assert first["l_t"] == "#pragma HLS unroll"
