"""Project folders (`write`), `s.build(target=...)`, and the Vitis-missing error."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

import allo_verify as av
from allo_verify.codegen.hls import HLSModule, VitisNotFoundError
from allo_verify.codegen.hls.csim import ap_types_dir
from allo_verify.codegen.hls.testbench import unpack
from allo_verify.codegen.hls.types import storage_for_dtype
from allo_verify.lang.types import int32

M = 6


def scale(A: int32[M, M], k: int32) -> (int32[M, M], int32):
    B: int32[M, M] = 0
    s: int32 = 0
    for i, j in av.grid(M, M):
        B[i, j] = A[i, j] * k - i
        s += A[i, j]
    return B, s


def _inputs():
    return np.arange(M * M, dtype=np.int32).reshape(M, M) - 17, 3


def test_build_vhls_returns_the_module_and_csim_matches_llvm():
    s = av.customize(scale)
    mod = s.build(target="vhls")
    assert isinstance(mod, HLSModule)
    assert str(mod) == mod.code and "void scale(" in mod.code
    assert "void scale(int32_t A[6][6], int32_t k, int32_t out0[6][6], int32_t &out1);" \
        in mod.header
    a, k = _inputs()
    b, total = mod.csim(a, k)
    b2, total2 = s.build()(a, k)
    np.testing.assert_array_equal(b, b2)
    assert total == total2 and isinstance(total, int)


def test_csim_validates_arguments_like_llvm():
    mod = av.customize(scale).build(target="vhls")
    with pytest.raises(TypeError):
        mod.csim(np.zeros((M, M), np.int64), 1)
    with pytest.raises(ValueError):
        mod.csim(np.zeros((M, M + 1), np.int32), 1)
    with pytest.raises(ValueError):
        mod.csim(np.zeros((M, M), np.int32), 2**40)


def test_written_folder_compiles_and_runs_on_its_own(tmp_path):
    s = av.customize(scale)
    mod = s.build(target="vhls")
    a, k = _inputs()
    out = mod.write(tmp_path / "prj", inputs=(a, k))
    names = {p.name for p in out.iterdir()}
    assert {"kernel.cpp", "kernel.h", "testbench.cpp", "allo_verify_tb.h",
            "allo_verify_stream.h", "run.tcl", "hls_config.cfg", "data"} <= names
    tcl = (out / "run.tcl").read_text()
    for step in ("csim_design", "csynth_design", "cosim_design", "export_design", "set_top scale"):
        assert step in tcl
    cfg = (out / "hls_config.cfg").read_text()
    for entry in ("syn.top=scale", "syn.file=kernel.cpp", "tb.file=testbench.cpp"):
        assert entry in cfg
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.skip("g++ not installed")
    exe = tmp_path / "tb"
    cmd = [gxx, "-std=c++17", "-O1", "-DALLO_VERIFY_CSIM", "-isystem", str(ap_types_dir()),
           "-I", str(out), str(out / "kernel.cpp"), str(out / "testbench.cpp"), "-o", str(exe)]
    subprocess.run(cmd, check=True, capture_output=True)
    subprocess.run([str(exe)], check=True, cwd=out, capture_output=True)
    st = storage_for_dtype(int32)
    b = unpack((out / "data" / "out0_out0.bin").read_bytes(), int32, st, (M, M))
    total = unpack((out / "data" / "out0_out1.bin").read_bytes(), int32, st, (1,))[0]
    b2, total2 = s.build()(a, k)
    np.testing.assert_array_equal(b, b2)
    assert int(total) == total2


def test_write_replaces_a_folder_atomically(tmp_path):
    mod = av.customize(scale).build(target="vhls")
    target = tmp_path / "prj"
    target.mkdir()
    (target / "stale.txt").write_text("old")
    mod.write(target)
    assert not (target / "stale.txt").exists()
    assert (target / "kernel.cpp").read_text() == mod.code
    assert [p.name for p in tmp_path.iterdir()] == ["prj"]  # no staging folder left


def test_vitis_modes_need_vitis(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    s = av.customize(scale)
    project = tmp_path / "x.prj"
    with pytest.raises(VitisNotFoundError, match="needs AMD Vitis HLS"):
        s.build(target="vitis_hls", mode="csyn", project=str(project))
    assert (project / "run.tcl").is_file()  # written before the error
    assert "csynth_design" in (project / "run.tcl").read_text()
    mod = s.build(target="vitis_hls", mode=None, project=str(tmp_path / "y.prj"))
    assert isinstance(mod, HLSModule) and (tmp_path / "y.prj" / "kernel.cpp").is_file()
    with pytest.raises(ValueError, match="unknown mode"):
        s.build(target="vitis_hls", mode="synth", project=str(project))
    with pytest.raises(av.ScheduleUsageError, match="unknown target"):
        s.build(target="verilog")
