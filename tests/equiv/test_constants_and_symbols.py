"""Inputs that crashed L2 or the frontend (issue 8) now give the LLVM simulation's answer or a
clear reason: integer constants wider than 64 bits, NumPy constant arrays of odd and wide
integer types (small ones printed as lists, large ones as the hex blob MLIR prints), index
constants from NumPy or lists, index results computed from data, the direct conversion of a
very wide integer to float32; and `check_equivalent` of kernels whose sub-kernels share a
name with the other top function or with each other."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import mlir.ir as ir
import numpy as np
import pytest

from allo_verify import check_equivalent
from allo_verify.codegen.llvm_runner import build_llvm
from allo_verify.equiv.api import renamed_symbol
from allo_verify.equiv.counterexample import bits_of
from allo_verify.equiv.results import Proved, Refuted, Unknown
from allo_verify.equiv.symexec import Buffer, execute
from allo_verify.equiv.terms import TermStore
from allo_verify.equiv.tv import check_equivalent_modules
from allo_verify.lang.kernel import build_kernel
from allo_verify.lang.types import Int, UInt, float32, index, int4, int32, int64

ROOT = Path(__file__).resolve().parents[2]


def l2_outputs_equal_llvm(fn: Any, *args: np.ndarray, expected: Any = None) -> None:
    """L2's output terms, evaluated on `args`, equal the LLVM simulation's outputs (or
    `expected`, where the LLVM runner cannot build the kernel)."""
    k = build_kernel(fn)
    store = TermStore()
    names = [a.name for a in k.sig.args]
    with k.module.context:
        run = execute(k.module, store, k.sig.name, names)
    res = expected if expected is not None else \
        build_llvm(k.module, k.sig)(*[np.array(a, copy=True) for a in args])
    env = {lf: bits_of(args[names.index(n)][c], store.ty[lf])
           for lf, (n, c) in store.leaf_info.items() if n in names}
    out = run.results[0]
    cells = out.cells if isinstance(out, Buffer) else [out]
    got = store.evaluate(cells, env)
    want = np.asarray(res).reshape(-1)
    for c, w in zip(cells, want, strict=True):
        assert got[c] == bits_of(w, store.ty[c]), (fn.__name__, got[c], w)


# ----- wide integer constants --------------------------------------------------------------

RISKY = textwrap.dedent("""
    import allo_verify as av
    from allo_verify.lang.types import Int, UInt
    BIG = 2**100 + 12345
    NEG = -(2**126) + 7
    def a(A: Int(128)[2]) -> Int(128)[2]:
        B: Int(128)[2] = 0
        for i in range(2):
            B[i] = A[i] + BIG
        return B
    def b(A: Int(128)[2]) -> Int(128)[2]:
        B: Int(128)[2] = 0
        for i in range(2):
            B[i] = BIG + A[i]
        return B
    def c(A: Int(128)[2]) -> Int(128)[2]:
        B: Int(128)[2] = 0
        for i in range(2):
            B[i] = A[i] + NEG
        return B
    def u(A: UInt(200)[1]) -> UInt(200)[1]:
        B: UInt(200)[1] = 0
        B[0] = A[0] ^ (2**199 + 1)
        return B
    print(av.check_equivalent(a, b).status, av.check_equivalent(a, c).status,
          av.check_equivalent(u, u).status)
""")


def test_integer_constants_wider_than_64_bits_in_a_subprocess(tmp_path: Path) -> None:
    """Was a C++ assertion (process abort, exit 134) inside L2: run where an abort cannot
    take the test run down with it."""
    script = tmp_path / "wide_constants.py"
    script.write_text(RISKY)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                       text=True, timeout=300, env=env)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.split() == ["proved", "refuted", "proved"]


BIG = 2**100 + 12345


def add_big(A: Int(128)[2]) -> Int(128)[2]:
    B: Int(128)[2] = 0
    for i in range(2):
        B[i] = A[i] * 3 + BIG
    return B


def test_wide_constant_value_matches_llvm() -> None:
    l2_outputs_equal_llvm(add_big, np.array([-5, 2**120], dtype=object))


# ----- odd and wide NumPy constant arrays ------------------------------------------------

T4 = np.array([1, -2, 3, 7], dtype=np.int8)
T128 = np.array([2**90, -3, 5, -(2**120)], dtype=object)
RNG = np.random.default_rng(0)
BIG4 = RNG.integers(-8, 8, size=300)  # large: MLIR prints it as a hex blob
BIG100 = np.array([int(x) * 2**70 - 11 for x in RNG.integers(-2**20, 2**20, size=150)],
                  dtype=object)
BIGU17 = RNG.integers(0, 2**17, size=200)


def with_int4(A: int4[4]) -> int4[4]:
    K: int4[4] = T4
    B: int4[4] = 0
    for i in range(4):
        B[i] = A[i] + K[i]
    return B


def with_int128(A: Int(128)[4]) -> Int(128)[4]:
    K: Int(128)[4] = T128
    B: Int(128)[4] = 0
    for i in range(4):
        B[i] = A[i] * K[i]
    return B


def with_big_int4(A: int4[300]) -> int4[300]:
    K: int4[300] = BIG4
    B: int4[300] = 0
    for i in range(300):
        B[i] = A[i] ^ K[i]
    return B


def with_big_int100(A: Int(100)[150]) -> Int(100)[150]:
    K: Int(100)[150] = BIG100
    B: Int(100)[150] = 0
    for i in range(150):
        B[i] = A[i] - K[i]
    return B


def with_big_uint17(A: UInt(17)[200]) -> UInt(17)[200]:
    K: UInt(17)[200] = BIGU17
    B: UInt(17)[200] = 0
    for i in range(200):
        B[i] = A[i] + K[i]
    return B


@pytest.mark.parametrize("fn,arg", [
    (with_int4, np.array([7, -8, 0, 1], dtype=np.int8)),
    (with_int128, np.array([3, -1, 2**100, 0], dtype=object)),
    (with_big_int100, np.array([int(x) for x in RNG.integers(-2**40, 2**40, size=150)],
                               dtype=object)),
    (with_big_uint17, RNG.integers(0, 2**17, size=200).astype(np.uint32)),
], ids=["int4", "int128", "int100-hex", "uint17-hex"])
def test_numpy_constant_arrays_of_odd_and_wide_types(fn: Any, arg: np.ndarray) -> None:
    assert check_equivalent(fn, fn, layers=("L2",)).status == "proved"
    l2_outputs_equal_llvm(fn, arg)


def test_large_sub_byte_constant_array_printed_as_hex() -> None:
    """i4 cells of a hex blob are one byte each. (The LLVM runner cannot build this kernel
    yet: codegen's widening of sub-byte globals refuses hex initializers.)"""
    a = RNG.integers(-8, 8, size=300).astype(np.int8)
    assert check_equivalent(with_big_int4, with_big_int4, layers=("L2",)).status == "proved"
    l2_outputs_equal_llvm(with_big_int4, a, expected=a ^ BIG4.astype(np.int8))


# ----- index constants and index results ---------------------------------------------------

TI = np.array([3, 1, 2, 0])


def index_numpy(A: int32[4]) -> int32[4]:
    K: index[4] = TI
    B: int32[4] = 0
    for i in range(4):
        B[i] = A[i] + K[i]
    return B


def index_list(A: int32[2]) -> int32[2]:
    K: index[2] = [1, -7]
    B: int32[2] = 0
    for i in range(2):
        B[i] = A[i] * K[i]
    return B


def test_index_constants_from_numpy_and_lists() -> None:
    l2_outputs_equal_llvm(index_numpy, np.array([10, 20, 30, 40], dtype=np.int32))
    l2_outputs_equal_llvm(index_list, np.array([5, 6], dtype=np.int32))
    out = build_llvm(*(lambda k: (k.module, k.sig))(build_kernel(index_list)))(
        np.array([5, 6], dtype=np.int32))
    assert list(out) == [5, -42]


def index_sum(A: index[4]) -> index:
    return A[0] + A[3] * 2


def test_index_result_computed_from_data() -> None:
    """Was `DataDependent`: now an i64 term, equal to LLVM's 64-bit value."""
    assert check_equivalent(index_sum, index_sum, layers=("L2",)).status == "proved"
    l2_outputs_equal_llvm(index_sum, np.array([2**62, 0, 0, 2**62], dtype=np.int64))


WIDE_TO_F32 = """
func.func @k(%A: memref<2xi200>, %B: memref<2xf32>) {{
  affine.for %i = 0 to 2 {{
    %x = affine.load %A[%i] : memref<2xi200>
    %y = arith.{op} %x : i200 to f32
    affine.store %y, %B[%i] : memref<2xf32>
  }}
  return
}}
"""


def test_direct_wide_int_to_float32_is_unknown_with_reason() -> None:
    """LLVM 22 converts i200 to f32 wrongly (test_fold_vs_llvm): L2 says so, not 'proved'."""
    with ir.Context():
        a = ir.Module.parse(WIDE_TO_F32.format(op="sitofp"))
        b = ir.Module.parse(WIDE_TO_F32.format(op="sitofp"))
        r = check_equivalent_modules(a, b).result
    assert isinstance(r, Unknown) and "128 bits" in r.reason, r


NAN_CONST = """
func.func @k(%B: memref<1xf32>) {{
  %c = arith.constant {c} : f32
  affine.store %c, %B[0] : memref<1xf32>
  return
}}
"""


def test_float_constants_keep_their_exact_bits() -> None:
    """A NaN payload printed in hex is read as its bits (a Python float would drop it)."""
    with ir.Context():
        a = ir.Module.parse(NAN_CONST.format(c="0x7FC00001"))
        b = ir.Module.parse(NAN_CONST.format(c="0x7FC00001"))
        assert isinstance(check_equivalent_modules(a, b).result, Proved)
        store = TermStore()
        run = execute(a, store, "k", ["B"])
    assert store.cval[run.args[0].cells[0]] == 0x7FC00001


# ----- symbol names across the two kernels -------------------------------------------------

def f(A: int32[4]) -> int32[4]:
    B: int32[4] = 0
    for i in range(4):
        B[i] = A[i] * 2
    return B


def g(A: int32[4]) -> int32[4]:
    return f(A)


def make_top(factor: int) -> Any:
    def helper(A: int32[4]) -> int32[4]:
        B: int32[4] = 0
        for i in range(4):
            B[i] = A[i] * factor
        return B

    def top(A: int32[4]) -> int32[4]:
        return helper(A)
    return top


def make_top_sum() -> Any:
    def helper(A: int32[4]) -> int32[4]:
        B: int32[4] = 0
        for i in range(4):
            B[i] = A[i] + A[i]
        return B

    def top(A: int32[4]) -> int32[4]:
        return helper(A)
    return top


def test_top_function_named_like_the_other_kernels_sub_kernel() -> None:
    assert check_equivalent(f, g).status == "proved"
    assert check_equivalent(g, f).status == "proved"


def test_sub_kernels_of_the_same_name_are_kept_apart() -> None:
    assert check_equivalent(make_top(2), make_top_sum()).status == "proved"
    cert = check_equivalent(make_top(2), make_top(3))
    assert cert.status == "refuted"
    assert all(isinstance(e.result, Refuted) for e in cert.entries)
    assert check_equivalent(f, make_top(2)).status == "proved"


def test_renamed_symbol_leaves_the_original_module_alone() -> None:
    k = build_kernel(g)
    before = str(k.module)
    copy = renamed_symbol(k.module, "g", "f")
    assert str(k.module) == before
    text = str(copy)
    assert "func.func @f(" in text and "@f_1(" in text and "call @f_1(" in text


# ----- the issue's unsound fold, at kernel level -------------------------------------------

C60 = 2**60 + 2**36 + 1


def sitofp_folded(A: int64[1]) -> float32[1]:
    B: float32[1] = 0.0
    x: int64 = C60
    B[0] = float32(x) + A[0]
    return B


def once_rounded(A: int64[1]) -> float32[1]:
    B: float32[1] = 0.0
    B[0] = 1152921642045800448.0 + A[0]  # 2**60 + 2**37: C60 rounded once
    return B


def twice_rounded(A: int64[1]) -> float32[1]:
    B: float32[1] = 0.0
    B[0] = 1152921504606846976.0 + A[0]  # 2**60: C60 rounded through float64
    return B


def test_issue_pair_sitofp_constant_fold() -> None:
    """L2 folded float32(int64 C60) through float64 and proved it equal to 2**60."""
    assert check_equivalent(sitofp_folded, once_rounded).status == "proved"
    cert = check_equivalent(sitofp_folded, twice_rounded)
    assert cert.status == "refuted"
    l2r = next(e.result for e in cert.entries if e.layer == "L2")
    assert isinstance(l2r, Refuted) and l2r.counterexample.confirmed == "llvm"
