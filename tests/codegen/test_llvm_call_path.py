"""The call path of the LLVM simulation hands results over without copying them, and passes
each buffer through the packed argument array by the address of a pointer to its descriptor.
These are what keep a call's own cost (outside the kernel) small; the laws below are what
they must not break: every result is a fresh array of its own, never shared between calls
or with an argument, and the packed slot is exactly what `ExecutionEngine.invoke` expects."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from allo_verify.codegen import packing
from allo_verify.codegen.llvm_runner import build_llvm
from allo_verify.lang.signature import Arg, Signature
from allo_verify.lang.types import Float, Int

F32 = Float(32)
SCALE = """
func.func @scale(%A: memref<4x8xf32>) -> memref<4x8xf32> {
  %C = memref.alloc() : memref<4x8xf32>
  %two = arith.constant 2.0 : f32
  affine.for %i = 0 to 4 {
    affine.for %j = 0 to 8 {
      %x = affine.load %A[%i, %j] : memref<4x8xf32>
      %y = arith.mulf %x, %two : f32
      affine.store %y, %C[%i, %j] : memref<4x8xf32>
    }
  }
  return %C : memref<4x8xf32>
}"""
SIG = Signature("scale", (Arg("A", F32[4, 8]),), (F32[4, 8],))


def test_results_are_fresh_arrays_never_shared() -> None:
    kernel = build_llvm(SCALE, SIG)
    a = np.arange(32, dtype=np.float32).reshape(4, 8)
    first = kernel(a)
    second = kernel(a)
    assert np.array_equal(first, 2 * a) and np.array_equal(second, 2 * a)
    assert first.shape == (4, 8) and first.dtype == np.float32
    assert first.flags.c_contiguous and first.flags.writeable
    assert not np.shares_memory(first, second)
    assert not np.shares_memory(first, a)
    first[...] = -1.0  # the caller owns it: writing it changes no later result
    assert np.array_equal(kernel(a), 2 * a)
    assert np.array_equal(second, 2 * a)
    assert packing.address(first) % packing.ALIGNMENT == 0


def test_unpack_copies_unless_told_the_buffer_is_handed_over() -> None:
    elem = packing.elem_of(F32)
    raw = packing.pack(np.arange(6, dtype=np.float32), elem, (2, 3))
    copied = packing.unpack(raw, elem, (2, 3))
    handed = packing.unpack(raw, elem, (2, 3), copy=False)
    assert not np.shares_memory(copied, raw) and np.shares_memory(handed, raw)
    assert np.array_equal(copied, handed) and handed.shape == (2, 3)
    # masked (odd-width) and wide integers are always rebuilt, whatever `copy` says
    for dtype in (Int(17), Int(100)):
        e = packing.elem_of(dtype)
        r = packing.pack(np.array([1, -2, 3], dtype=e.carrier), e, (3,))
        out = packing.unpack(r, e, (3,), copy=False)
        assert [int(v) for v in out] == [1, -2, 3]
        assert not (isinstance(out, np.ndarray) and out.dtype != object
                    and np.shares_memory(out, r))


def test_slot_is_what_the_packed_argument_array_expects() -> None:
    buf = packing.result_buffer(F32, (4, 8))
    slot = buf.slot()
    assert slot == ctypes.cast(buf.argument(), ctypes.c_void_p).value
    # the slot holds a pointer to the descriptor, whose aligned pointer is the storage
    held = ctypes.c_void_p.from_address(slot).value
    assert held == ctypes.addressof(buf.descriptor)
    assert buf.descriptor.aligned == packing.address(buf.storage)


def test_address_is_the_first_byte() -> None:
    x = np.zeros(64, np.uint8)
    assert packing.address(x) == x.ctypes.data
    assert packing.address(x[5:]) == x.ctypes.data + 5


def test_check_array_still_names_what_it_wants() -> None:
    with pytest.raises(TypeError, match=r"argument 'A' expects a numpy array of dtype "
                                        r"float32 and shape \(4, 8\)"):
        packing.check_array("A", [[0.0] * 8] * 4, F32, (4, 8))
