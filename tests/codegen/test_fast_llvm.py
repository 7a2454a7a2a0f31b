"""The fast LLVM simulation (`fast_llvm`, opt_level 3) computes the same bits as the
unoptimized build, and the facts it gives LLVM are where they belong."""

# no `from __future__ import annotations`: the kernel factories close over T

import re

import numpy as np
import pytest

import allo_verify as av
from allo_verify import float32, float64, grid, reduction
from allo_verify.codegen.fast_llvm import aligned_positions, mark_noalias, memref_ranks
from allo_verify.codegen.llvm_runner import build_llvm
from allo_verify.codegen.pipeline import (
    clone_module,
    find_func,
    lower_in_place,
    prepare_in_place,
)
from allo_verify.lang.signature import Arg, Signature

N = 24


def _gemm(T):  # noqa: ANN001, ANN202 - a frontend kernel factory
    def gemm(A: T[N, N], B: T[N, N]) -> T[N, N]:
        C: T[N, N] = 0
        for i, j in grid(N, N):
            for k in reduction(N):
                C[i, j] += A[i, k] * B[k, j]
        return C
    return gemm


def _scheduled_gemm(T):  # noqa: ANN001, ANN202
    s = av.customize(_gemm(T))
    s.split("i", 8)
    s.split("j", 8)
    s.reorder("i.outer", "j.outer", "k", "i.inner", "j.inner")
    return s


def _float_sum():  # noqa: ANN202 - a float reduction in program order, then a scaled copy
    def fsum(A: float32[N, N], y: float32[N]) -> float32[N]:
        s: float32[N] = 0
        for i in range(N):
            for j in reduction(N):
                s[i] += A[i, j] * 0.1 + A[i, j] * y[j]
        for i in range(N):
            y[i] = s[i] * 3.0 - y[i]
        return s
    return av.customize(fsum)


def _bits(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x).view(f"u{x.dtype.itemsize}")


def _inputs(sig: Signature, rng: np.random.Generator, special: bool) -> list[np.ndarray]:
    out = []
    for a in sig.args:
        dt = a.type.dtype.np_dtype
        mag = 10.0 ** rng.integers(-30, 30, a.type.shape) if special else 1.0
        x = (rng.standard_normal(a.type.shape) * mag).astype(dt)
        if special:  # extremes: NaN, infinities, subnormals, signed zeros
            flat = x.reshape(-1)
            info = np.finfo(dt)
            flat[:6] = [np.nan, np.inf, -np.inf, info.smallest_subnormal, -0.0, info.max]
        out.append(x)
    return out


@pytest.mark.parametrize("make", [lambda: _scheduled_gemm(float32),
                                  lambda: _scheduled_gemm(float64),
                                  lambda: av.customize(_gemm(float32)), _float_sum],
                         ids=["gemm-tiled-f32", "gemm-tiled-f64", "gemm-f32", "float-sum"])
def test_optimized_build_is_bit_exact_with_unoptimized(make) -> None:  # noqa: ANN001
    """Law: opt_level 3 with noalias and rolled inner loops gives the bits of opt_level 0
    without them, on every output (returned arrays and written arguments): no
    reassociation, no contraction into FMA. (On these inputs NaN payloads agree too; in
    general a NaN's sign may differ: test_fast_llvm_nan.py.)"""
    s = make()
    text, sig = str(s.module), s.kernel.sig
    fast, slow = build_llvm(text, sig, 3, True), build_llvm(text, sig, 0, False)
    assert fast is not slow
    rng = np.random.default_rng(7)
    for trial in range(4):
        args = _inputs(sig, rng, special=trial % 2 == 1)
        fa, sa = [a.copy() for a in args], [a.copy() for a in args]
        rf, rs = fast(*fa), slow(*sa)
        assert np.array_equal(_bits(np.asarray(rf)), _bits(np.asarray(rs)))
        for x, y in zip(fa, sa, strict=True):
            assert np.array_equal(_bits(x), _bits(y))


def test_reassociation_would_be_seen() -> None:
    """The comparison above can fail: summing the same float32 values in another order
    gives other bits (so an optimizer that reassociated would be caught)."""
    rng = np.random.default_rng(1)
    x = (rng.standard_normal(1000) * 10.0 ** rng.integers(-8, 8, 1000)).astype(np.float32)
    fwd = np.float32(0)
    for v in x:
        fwd = np.float32(fwd + v)
    back = np.float32(0)
    for v in x[::-1]:
        back = np.float32(back + v)
    assert _bits(np.array([fwd])) != _bits(np.array([back]))


def test_lowered_kernel_has_noalias_on_aligned_pointers_only() -> None:
    s = _scheduled_gemm(float32)
    k = build_llvm(str(s.module), s.kernel.sig, 3, True)
    text = str(k.llvm_module)
    head = re.search(r"llvm\.func @gemm\(([^)]*)\)", text)
    assert head is not None
    params = [p.strip() for p in re.split(r",\s*(?=%arg)", head.group(1))]
    marked = [i for i, p in enumerate(params) if "llvm.noalias" in p]
    # A, B and the out parameter C: rank 2 each -> 7 parameters per memref
    assert marked == [1, 8, 15]
    assert "unroll = #" in text or "loop_unroll" in text
    slow = build_llvm(str(s.module), s.kernel.sig, 0, False)
    assert "llvm.noalias" not in str(slow.llvm_module)


def test_aligned_positions_follow_the_descriptor_layout() -> None:
    # rank 2: 7 parameters (0-6); scalar: 7; rank 1: 5 parameters (8-12); rank 0: 3 (13-15)
    assert aligned_positions([2, None, 1, 0]) == [1, 9, 14]
    assert aligned_positions([None, None]) == []


def test_mark_noalias_refuses_an_unexpected_layout() -> None:
    """A lowered function whose parameters are not the assumed expansion gets no mark."""
    m = clone_module("""
    func.func @k(%a: memref<4xf32>, %b: memref<4xf32>) {
      %c0 = arith.constant 0 : index
      %x = memref.load %a[%c0] : memref<4xf32>
      memref.store %x, %b[%c0] : memref<4xf32>
      return
    }""")
    prepare_in_place(m)
    func = find_func(m, "k")
    assert func is not None
    ranks = memref_ranks(func)
    lower_in_place(m)
    assert mark_noalias(m, "k", [2, 2]) == []  # wrong ranks: count mismatch
    assert mark_noalias(m, "k", [None] * 10) == []  # wrong kinds: count mismatch
    assert mark_noalias(m, "nope", ranks) == []
    assert "llvm.noalias" not in str(m)
    assert mark_noalias(m, "k", ranks) == [1, 6]
    assert str(m).count("llvm.noalias") == 2


def test_noalias_is_sound_because_shared_memory_is_refused() -> None:
    """The runner refuses two array arguments that overlap (the same array, a view, a
    reshaped alias) before native code runs, and leaves the arrays untouched."""
    sig = Signature("k", (Arg("a", float32[4]), Arg("b", float32[4])), ())
    k = build_llvm("""
    func.func @k(%a: memref<4xf32>, %b: memref<4xf32>) {
      affine.for %i = 0 to 4 {
        %x = affine.load %a[%i] : memref<4xf32>
        %y = arith.addf %x, %x : f32
        affine.store %y, %b[%i] : memref<4xf32>
      }
      return
    }""", sig)
    base = np.arange(8, dtype=np.float32)
    before = base.copy()
    for a, b in ((base[:4], base[:4]), (base[:4], base[2:6]),
                 (base[:4], base.reshape(2, 4)[0])):
        with pytest.raises(ValueError, match="share memory"):
            k(a, b)
    assert np.array_equal(base, before)
    a, b = base[:4].copy(), np.zeros(4, np.float32)
    k(a, b)
    assert np.array_equal(b, 2 * a)
