"""The pragma table on IR annotated by hand (the attribute contract other primitives rely
on), private scalars declared inside their loop, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from mlir import ir

import allo_verify as av
from allo_verify.codegen.hls import CSimError, HLSEmitError, csim_check, emit_hls
from allo_verify.codegen.hls import csim as csim_mod
from allo_verify.codegen.pipeline import clone_module
from allo_verify.lang.types import int32

M, N = 6, 4


def bump(R: int32[N]):
    for m in range(N):
        R[m] = R[m] + 1


def local_accumulator(A: int32[M, N], bias: int32[N]) -> int32[M, N]:
    out: int32[M, N] = 0
    for i, j in av.grid(M, N):
        acc: int32 = bias[j]
        for k in av.reduction(4):
            acc += A[i, j] * k
        out[i, j] = acc
    bump(bias)
    return out


def _annotated(private: str = "acc", partition: str = "cyclic") -> tuple[ir.Module, object]:
    s = av.customize(local_accumulator)
    module = clone_module(s.module)
    with module.context:
        i64 = ir.IntegerType.get_signless(64)

        def part(kind: str, dim: int, factor: int) -> ir.Attribute:
            return ir.ArrayAttr.get([ir.DictAttr.get({
                "type": ir.StringAttr.get(kind), "dim": ir.IntegerAttr.get(i64, dim),
                "factor": ir.IntegerAttr.get(i64, factor)})])

        def visit(op: ir.Operation) -> ir.WalkResult:
            name = op.name
            if name == "func.func" and ir.StringAttr(op.attributes["sym_name"]).value == \
                    "local_accumulator":
                op.attributes["arg_attrs"] = ir.ArrayAttr.get([
                    ir.DictAttr.get({"hls.partition": part(partition, 1, 2)}),
                    ir.DictAttr.get({})])
                op.attributes["hls.dataflow"] = ir.UnitAttr.get()
            elif name == "func.func":
                op.attributes["hls.inline"] = ir.UnitAttr.get()
            elif name == "memref.alloc":
                op.attributes["hls.partition"] = part("complete", 2, 0)
            elif name == "affine.for" and "loop_name" in op.attributes:
                loop = ir.StringAttr(op.attributes["loop_name"]).value
                if loop == "j":
                    op.attributes["hls.private"] = ir.ArrayAttr.get([ir.StringAttr.get(private)])
                    op.attributes["hls.parallel"] = ir.UnitAttr.get()
                if loop == "k":
                    op.attributes["hls.unroll"] = ir.IntegerAttr.get(
                        ir.IntegerType.get_signless(32), 2)
            return ir.WalkResult.ADVANCE

        module.operation.walk(visit)
    return module, s.sig


def test_pragma_table_and_private_scalar():
    module, sig = _annotated()
    mod = emit_hls(module, sig)
    code = mod.code
    assert "#pragma HLS array_partition variable=A type=cyclic factor=2 dim=1" in code
    assert "#pragma HLS array_partition variable=out0 type=complete dim=2" in code
    assert "#pragma HLS dataflow" in code
    assert "#pragma HLS inline" in code
    assert "#pragma HLS unroll factor=2" in code
    lines = [ln.strip() for ln in code.splitlines()]
    j = next(k for k, ln in enumerate(lines) if ln.startswith("l_j: for"))
    assert lines[j + 1].startswith("// parallel")
    assert lines[j + 2] == "#pragma HLS unroll"
    assert lines[j + 3] == "ap_int<32> acc = 0;"  # declared inside the loop it is private to
    top = code[code.index("void local_accumulator("):]
    assert "ap_int<32> acc" not in top[:top.index("l_i: for")]
    a = np.arange(M * N, dtype=np.int32).reshape(M, N) - 5
    bias = np.arange(N, dtype=np.int32)
    result = csim_check(module, sig, [(a, bias)], hls_module=mod)
    assert result.agreed, result.claim()


def test_bad_annotations_are_clear_errors():
    module, sig = _annotated(private="nope")
    with pytest.raises(HLSEmitError, match="hls.private on loop 'j' names 'nope'"):
        emit_hls(module, sig)
    module, sig = _annotated(partition="diagonal")
    with pytest.raises(HLSEmitError, match="type must be one of complete, block, cyclic"):
        emit_hls(module, sig)


def test_interface_option():
    s = av.customize(local_accumulator)
    code = emit_hls(s.module, s.sig, interface="ap_memory").code
    assert "#pragma HLS interface ap_memory port=A" in code
    code = emit_hls(s.module, s.sig, interface={"A": "m_axi bundle=gmem7"}).code
    assert "#pragma HLS interface m_axi port=A bundle=gmem7" in code
    assert "#pragma HLS interface" not in emit_hls(s.module, s.sig, interface="none").code
    with pytest.raises(HLSEmitError, match="unknown ports: Q"):
        emit_hls(s.module, s.sig, interface={"Q": "m_axi"})


def test_missing_tools_say_what_to_install(monkeypatch):
    monkeypatch.setattr(csim_mod.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(CSimError, match=r"pip install 'allo-verify\[csim\]'"):
        csim_mod.ap_types_dir()
    monkeypatch.undo()
    monkeypatch.setenv("CXX", "no-such-gxx")
    with pytest.raises(CSimError, match="'no-such-gxx' is not on PATH"):
        csim_mod.compiler()


def test_binaries_are_cached_by_code_hash(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    s = av.customize(local_accumulator)
    mod = emit_hls(s.module, s.sig)
    first = mod.binary()
    assert str(first.path).startswith(str(tmp_path / "allo_verify" / "csim"))
    stamp = first.path.stat().st_mtime_ns
    again = emit_hls(s.module, s.sig).binary()
    assert again.path == first.path and again.path.stat().st_mtime_ns == stamp


BITCAST = """
func.func @k(%A: memref<4xf32>, %B: memref<4xi32>) {
  affine.for %i = 0 to 4 {
    %x = affine.load %A[%i] : memref<4xf32>
    %y = arith.bitcast %x : f32 to i32
    affine.store %y, %B[%i] : memref<4xi32>
  }
  return
}
"""


def test_unsupported_op_and_wrong_signature_are_clear_errors():
    from allo_verify.lang.signature import Arg, Signature
    from allo_verify.lang.types import float32

    sig = Signature("k", (Arg("A", float32[4]), Arg("B", int32[4])), ())
    with pytest.raises(HLSEmitError, match="no C\\+\\+ spelling for arith.bitcast"):
        emit_hls(BITCAST, sig)
    wrong = Signature("k", (Arg("A", int32[4]), Arg("B", int32[4])), ())
    with pytest.raises(HLSEmitError, match="but the signature says"):
        emit_hls(BITCAST, wrong)
    with pytest.raises(HLSEmitError, match="no func.func @nope"):
        emit_hls(BITCAST, Signature("nope", (), ()))


def test_stream_shim_compiles_and_keeps_fifo_order(tmp_path):
    import shutil
    import subprocess

    from allo_verify.codegen.hls.helpers import STREAM_HEADER

    gxx = shutil.which("g++")
    if gxx is None:
        pytest.skip("g++ not installed")
    (tmp_path / "allo_verify_stream.h").write_text(STREAM_HEADER)
    (tmp_path / "t.cpp").write_text(
        '#include "allo_verify_stream.h"\n#include <cstdio>\n'
        "int main() {\n  hls::stream<int> s(\"s\");\n  for (int i = 0; i < 5; i++) s.write(i);\n"
        "  int sum = 0;\n  while (!s.empty()) sum = sum * 10 + s.read();\n"
        "  std::printf(\"%d\", sum);\n  int v;\n  return s.read_nb(v) ? 1 : 0;\n}\n")
    exe = tmp_path / "t"
    subprocess.run([gxx, "-std=c++17", "-Wall", "-Wextra", "-Werror", "-DALLO_VERIFY_CSIM",
                    str(tmp_path / "t.cpp"), "-o", str(exe)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == "1234"
