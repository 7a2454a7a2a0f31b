"""Memory layout of iN cells, measured on the JIT, and the pack/unpack round trip."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mlir.execution_engine import ExecutionEngine

from allo_verify.codegen import packing
from allo_verify.codegen.llvm_runner import build_llvm
from allo_verify.codegen.pipeline import lower_to_llvm
from allo_verify.lang.signature import Arg, Signature
from allo_verify.lang.types import Fixed, Float, Int, UInt, float16, index, to_fixed

MEASURED = {1: 1, 7: 1, 8: 1, 17: 4, 33: 8, 64: 8, 65: 16, 100: 16, 128: 16, 129: 32,
            200: 32, 256: 32, 257: 48, 512: 64}


@pytest.mark.parametrize("bits", sorted(MEASURED))
def test_cell_size_measured_on_the_jit(bits: int) -> None:
    """Store all-ones at index 1 of a memref<4xiN> over a sentinel-filled buffer: the
    first byte written is at the cell size, ceil(N/8) bytes are written, padding bits 0."""
    src = f"""func.func @k(%A: memref<4xi{bits}>) {{
  %c = arith.constant -1 : i{bits}
  affine.store %c, %A[1] : memref<4xi{bits}>
  return }}"""
    engine = ExecutionEngine(lower_to_llvm(src, ("k",)), opt_level=0)
    raw = packing.aligned_bytes(4 * 80)
    raw[:] = 0x5A
    desc = packing.make_descriptor(raw.ctypes.data, (4,))
    engine.invoke("k", ctypes.pointer(ctypes.pointer(desc)))
    changed = np.flatnonzero(raw != 0x5A)
    cell = int(changed[0])
    assert cell == MEASURED[bits] == packing.cell_bytes(bits)
    store = -(-bits // 8)
    written = raw[cell:cell + store]
    assert list(written[:-1]) == [0xFF] * (store - 1)
    assert written[-1] == (1 << (bits - 8 * (store - 1))) - 1  # padding bits zero
    assert (raw[cell + store:] == 0x5A).all()


def copy_kernel(bits: int) -> str:
    m, t = f"memref<4xi{bits}>", f"i{bits}"
    return f"""
func.func @copy(%A: {m}, %s: {t}) -> ({m}, {t}) {{
  %B = memref.alloc() : {m}
  memref.copy %A, %B : {m} to {m}
  return %B, %s : {m}, {t}
}}"""


@st.composite
def typed_values(draw: st.DrawFn) -> tuple[Int, list[int], int]:
    t = Int(draw(st.integers(1, 128)), signed=draw(st.booleans()))
    vals = st.integers(t.min, t.max)
    return t, draw(st.lists(vals, min_size=4, max_size=4)), draw(vals)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(typed_values())
def test_round_trip_through_copy_kernel(case: tuple[Int, list[int], int]) -> None:
    t, values, scalar = case
    sig = Signature("copy", (Arg("A", t[4]), Arg("s", t)), (t[4], t))
    kernel = build_llvm(copy_kernel(t.bits), sig)
    arr = np.array(values, dtype=t.np_dtype)
    out, s = kernel(arr, scalar)
    assert out.dtype == t.np_dtype
    assert [int(v) for v in out] == values and s == scalar and type(s) is int


def test_wide_scalar_argument_and_result() -> None:
    t = Int(512)
    src = """
func.func @mac(%a: i512, %b: i512, %c: i512) -> i512 {
  %p = arith.muli %a, %b : i512
  %s = arith.addi %p, %c : i512
  return %s : i512
}"""
    kernel = build_llvm(src, Signature("mac", (Arg("a", t), Arg("b", t), Arg("c", t)), (t,)))
    a, b, c = 3**200, -(7**150), 12345
    assert kernel(a, b, c) == t.wrap(a * b + c)
    assert kernel(t.max, 2, 0) == -2


def test_float16_and_index_scalars() -> None:
    src = """
func.func @f(%x: f16, %i: index) -> (f16, index) {
  %y = arith.mulf %x, %x : f16
  %c = arith.constant 3 : index
  %j = arith.muli %i, %c : index
  return %y, %j : f16, index
}"""
    sig = Signature("f", (Arg("x", float16), Arg("i", index)), (float16, index))
    y, j = build_llvm(src, sig)(np.float16(1.5), -(2**40))
    assert type(y) is np.float16 and y == np.float16(2.25)
    assert j == -3 * 2**40


def test_fixed_point_crosses_as_scaled_integers() -> None:
    t = Fixed(12, 4)
    src = """
func.func @mul(%A: memref<3xi12>, %B: memref<3xi12>, %C: memref<3xi12>) {
  affine.for %i = 0 to 3 {
    %a = affine.load %A[%i] : memref<3xi12>
    %b = affine.load %B[%i] : memref<3xi12>
    %aw = arith.extsi %a : i12 to i24
    %bw = arith.extsi %b : i12 to i24
    %p = arith.muli %aw, %bw : i24
    %c4 = arith.constant 4 : i24
    %q = arith.shrsi %p, %c4 : i24
    %r = arith.trunci %q : i24 to i12
    affine.store %r, %C[%i] : memref<3xi12>
  }
  return
}"""
    sig = Signature("mul", (Arg("A", t[3]), Arg("B", t[3]), Arg("C", t[3])), ())
    kernel = build_llvm(src, sig)
    a, b = to_fixed([1.5, -2.25, 3.0], t), to_fixed([2.0, 1.5, -0.0625], t)
    c = np.zeros(3, t.np_dtype)
    kernel(a, b, c)
    want = [t.storage.wrap((int(x) * int(y)) >> 4) for x, y in zip(a, b, strict=True)]
    assert [int(v) for v in c] == want


def test_read_only_input_is_fine_until_written() -> None:
    t = Int(17)
    sig = Signature("copy", (Arg("A", t[4]), Arg("s", t)), (t[4], t))
    kernel = build_llvm(copy_kernel(17), sig)
    arr = np.array([1, -2, 3, -4], np.int32)
    arr.flags.writeable = False
    out, _ = kernel(arr, 0)
    assert list(out) == [1, -2, 3, -4]
    src = """
func.func @neg(%A: memref<2xi32>) {
  %z = arith.constant 0 : i32
  affine.store %z, %A[0] : memref<2xi32>
  return
}"""
    neg = build_llvm(src, Signature("neg", (Arg("A", Int(32)[2]),), ()))
    ro = np.array([5, 6], np.int32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="'A' is a read-only array"):
        neg(ro)


@pytest.mark.parametrize("dtype", [Int(1), UInt(7), Int(17), UInt(64), Int(65), UInt(129),
                                   Int(512), Float(16), Float(64), index], ids=repr)
def test_pack_unpack_law(dtype: Int | Float) -> None:
    """unpack(pack(v)) == v for in-range values, and the packed bytes are the N-bit two's
    complement pattern in cells of cell_bytes(N)."""
    elem = packing.elem_of(dtype)
    if elem.is_int:
        lo, hi = elem.range
        values = [lo, hi, 0, lo // 3, hi // 5, 1 if hi else 0]
    else:
        values = [0.0, -1.5, 2.0**-3, 1e4, -0.0, 3.0]
    arr = np.array(values, dtype=elem.carrier)
    raw = packing.pack(arr, elem, (2, 3))
    back = packing.unpack(raw, elem, (2, 3))
    assert back.dtype == elem.carrier and back.shape == (2, 3)
    expected = values if elem.wide else [elem.carrier.type(v) for v in values]
    assert list(back.ravel()) == expected
    if elem.is_int:
        cell = packing.cell_bytes(elem.bits)
        for i, v in enumerate(values):
            pattern = (v & ((1 << elem.bits) - 1)).to_bytes(cell, "little")
            assert bytes(raw[i * cell:(i + 1) * cell]) == pattern
