"""The fast LLVM simulation (`fast_llvm`, opt_level 3) computes the same bits as the
unoptimized build, and the facts it gives LLVM are where they belong."""

# no `from __future__ import annotations`: the kernel factories close over T

import re
import shutil
import subprocess

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
from allo_verify.library.linalg import schedule_matmul_blocked

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


def _blocked(s, kblock: int, kunroll: int):  # noqa: ANN001, ANN202
    """bench/build_and_run.py's schedule on `s` (`schedule_matmul_blocked` with a 4x16 tile)."""
    return schedule_matmul_blocked(s, (4, 16), kblock, kunroll)
    s.split("k", kblock)
    ks = ["k.inner"]
    if kunroll > 1:
        s.split("k.inner", kunroll)
        ks = ["k.inner.outer", "k.inner.inner"]
    s.reorder("k.outer", "i.outer", "j.outer", *ks, "i.inner", "j.inner")
    return s


def _scheduled_gemm_4x16(T):  # noqa: ANN001, ANN202
    """The bench's schedule at N=24: partial j tiles (24 = 16 + 8); k blocked by 8, not 16,
    since split refuses to split a loop with a min bound (k.inner of a 16-split of 24)."""
    return _blocked(av.customize(_gemm(T)), 8, 4)


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
                                  lambda: _scheduled_gemm_4x16(float32),
                                  lambda: av.customize(_gemm(float32)), _float_sum],
                         ids=["gemm-tiled-f32", "gemm-tiled-f64", "gemm-4x16-k8x4-f32", "gemm-f32",
                              "float-sum"])
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


# ---------------------------------------------------------------- the object code

M = 64


def _gemm64():  # noqa: ANN202 - the bench's kernel at a size whose tiles are all full
    def gemm(A: float32[M, M], B: float32[M, M]) -> float32[M, M]:
        C: float32[M, M] = 0
        for i, j in grid(M, M):
            for k in reduction(M):
                C[i, j] += A[i, k] * B[k, j]
        return C
    return gemm


def _cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo") as f:
            return next((set(line.split(":", 1)[1].split()) for line in f
                         if line.startswith("flags")), set())
    except OSError:
        return set()


def _disassembly(kernel, tmp_path) -> list[str]:  # noqa: ANN001
    """The instructions of the compiled `gemm` function, as objdump prints them
    ("ADDRESS: OPCODE OPERANDS"). The expected shape is that of an x86-64 host with AVX2
    and without AVX-512 (the JIT compiles for the host), as this project's machines are."""
    objdump = shutil.which("objdump")
    if objdump is None:
        pytest.skip("objdump (binutils) is not installed")
    flags = _cpu_flags()
    if "avx2" not in flags or "avx512f" in flags:
        pytest.skip("the expected vector shape is for an AVX2 host without AVX-512")
    path = tmp_path / "kernel.o"
    kernel.engine.dump_to_object_file(str(path))
    text = subprocess.run([objdump, "-d", "--no-show-raw-insn", str(path)], check=True,
                          capture_output=True, text=True).stdout
    body = text.split("<gemm>:", 1)[1].split("\n\n", 1)[0]
    return [" ".join(line.split()) for line in body.splitlines() if ":\t" in line]


def _register_tile_loop(insns: list[str]) -> list[str] | None:
    """The innermost loop (a backward conditional jump and the instructions from its
    target) that multiplies 256-bit vectors (vmulps, or a fused multiply-add), or None.
    The law the tiled schedule relies on: its body multiplies and adds whole ymm vectors
    separately (no FMA: contraction would change the bits) and stores nothing, i.e. the C
    tile stays in registers across k."""
    addr = [int(i.split(":", 1)[0], 16) for i in insns]
    ops = [i.split(":", 1)[1].strip() for i in insns]
    best: list[str] | None = None
    for end, op in enumerate(ops):
        jump = re.match(r"j\w+\s+([0-9a-f]+)\b", op)
        if not jump or int(jump.group(1), 16) > addr[end]:
            continue
        start = addr.index(int(jump.group(1), 16)) if int(jump.group(1), 16) in addr else -1
        body = ops[start:end + 1] if start >= 0 else []
        if any(re.match(r"v(mulps|fn?m(add|sub)\w*ps)\s.*%ymm", x) for x in body) and \
                (best is None or len(body) < len(best)):
            best = body
    return best


@pytest.mark.parametrize(("kblock", "kunroll"), [(0, 1), (16, 1), (16, 4)],
                         ids=["k-whole", "k-blocked", "k-blocked-unrolled"])
def test_tiled_gemm_keeps_its_tile_in_vector_registers(tmp_path, kblock: int,  # noqa: ANN001
                                                       kunroll: int) -> None:
    """In the optimized build of the 4x16-tiled GEMM (bench/build_and_run.py's schedules:
    k whole; split by 16 with k.outer outermost; and k.inner split by 4 again) the loop over
    k is one loop of 256-bit vmulps and vaddps (eight each per k step: 4 rows x 2 vectors of
    8 floats; 4 k steps per iteration when the 4-trip loop is unrolled), no fused
    multiply-add, no store; the unoptimized build (the bit-exactness reference) has no such
    loop, so the check can fail."""
    s = _blocked(av.customize(_gemm64()), kblock, kunroll)
    text, sig = str(s.module), s.kernel.sig
    fast = _disassembly(build_llvm(text, sig, 3, True), tmp_path)
    assert _tile_loop_problems(fast, products=8 * kunroll) == []
    slow = _tile_loop_problems(_disassembly(build_llvm(text, sig, 0, False), tmp_path))
    assert slow == ["no loop multiplies ymm vectors"]


def _tile_loop_problems(insns: list[str], products: int = 8) -> list[str]:
    """What is wrong with the register-tile loop of `insns` (empty: nothing)."""
    loop = _register_tile_loop(insns)
    if loop is None:
        return ["no loop multiplies ymm vectors"]
    problems = []
    for op in ("vmulps", "vaddps"):
        count = sum(bool(re.match(op + r"\s.*%ymm", x)) for x in loop)
        if count != products:
            problems.append(f"{count} {op}")
    problems += [f"fused: {x}" for x in loop if re.match(r"vfn?m(add|sub)", x)]
    problems += [f"store: {x}" for x in loop if re.match(r"v?mov\w*\s+%[xy]mm\d+,.*\(", x)]
    return problems


def test_tile_loop_check_rejects_fma_stores_and_narrow_vectors() -> None:
    """The object-code check above fails on what it must: a loop that fuses multiply and
    add, one that stores the tile each iteration, one on 128-bit vectors."""
    good = ["10: vbroadcastss (%rbx),%ymm10", "16: vmulps %ymm8,%ymm10,%ymm11",
            "1b: vaddps %ymm7,%ymm11,%ymm7", "20: add $0x4,%r9", "24: jne 10 <gemm+0x10>"]
    assert _tile_loop_problems(good, products=1) == []
    fused = [good[0], "16: vfmadd231ps %ymm8,%ymm10,%ymm7", *good[2:]]
    assert _tile_loop_problems(fused, products=1) == ["0 vmulps",
                                                      "fused: vfmadd231ps %ymm8,%ymm10,%ymm7"]
    stored = [*good[:3], "1f: vmovups %ymm7,(%rax)", *good[3:]]
    assert _tile_loop_problems(stored, products=1) == ["store: vmovups %ymm7,(%rax)"]
    narrow = [x.replace("ymm", "xmm") for x in good]
    assert _tile_loop_problems(narrow, products=1) == ["no loop multiplies ymm vectors"]
