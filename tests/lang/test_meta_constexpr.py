"""`ConstExpr[T]` and compile-time `meta_if` / `meta_elif` / `meta_else` / `meta_for`.

The unrolled, branch-selected program is the kernel: the LLVM simulation matches NumPy, a
schedule of it verifies (L1, L2, L3), the emitted C++ agrees under C simulation, and the
bad uses are FrontendErrors at the offending line of this file.
"""

from __future__ import annotations

import numpy as np
import pytest
from lang_util import assert_frontend_error_at, code_of_line, tagged_line

import allo_verify as allo
from allo_verify import ConstExpr, int8, int32, template
from allo_verify.codegen.hls import csim_check

M = 4


def k_meta(A: int32[16]) -> int32[16]:
    B: int32[16] = 0
    K: ConstExpr[int32] = 4 * M
    for i in allo.meta_for(K):
        with allo.meta_if(i % 3 == 0):
            B[i] = A[i] * 2
        with allo.meta_elif(i % 3 == 1):
            B[i] = A[i] + K
        with allo.meta_else():
            B[i] = -A[i]
    return B


def ref_meta(A: np.ndarray) -> np.ndarray:
    B = np.zeros(16, dtype=np.int64)
    for i in range(16):
        B[i] = A[i] * 2 if i % 3 == 0 else (A[i] + 16 if i % 3 == 1 else -A[i])
    return B.astype(np.int32)


def k_with_form(A: int32[8, 4]) -> int32[8]:
    """Allo's `with allo.meta_for(...) as j:` form, nested in a real loop; a ConstExpr in
    a bound and a local array declared inside the unrolled body (fresh in every copy)."""
    out: int32[8] = 0
    for i in range(8):
        with allo.meta_for(0, 4, 2) as j:
            tmp: int32[2] = 0
            tmp[0] = A[i, j]
            tmp[1] = A[i, j + 1]
            out[i] += tmp[0] * (j + 1) - tmp[1]
    return out


def ref_with_form(A: np.ndarray) -> np.ndarray:
    out = np.zeros(8, dtype=np.int64)
    for i in range(8):
        for j in (0, 2):
            out[i] += A[i, j] * (j + 1) - A[i, j + 1]
    return out.astype(np.int32)


@template("T", "N")
def k_tmpl(A: "T[N]") -> "T[N]":  # noqa: F821, UP037
    B: T[N] = 0  # noqa: F821 - template parameters
    with allo.meta_if(N > 4):  # noqa: F821
        for i in range(N):  # noqa: F821
            B[i] = A[i] + A[N - 1 - i]  # noqa: F821
    with allo.meta_else():
        for i in range(N):  # noqa: F821
            B[i] = A[i] * 3   # only built for N <= 4
    return B


def _ints(shape, seed, lo=-1000, hi=1000, dtype=np.int32):
    return np.random.default_rng(seed).integers(lo, hi, shape).astype(dtype)


def test_meta_chain_matches_numpy():
    f = allo.customize(k_meta).build()
    for seed in range(3):
        A = _ints(16, seed)
        assert np.array_equal(f(A), ref_meta(A))


def test_meta_chain_builds_no_branches():
    """The untaken branches are not built: the IR is straight-line code (no loop, no if)."""
    text = str(allo.customize(k_meta).module)
    assert text.count("affine.for") == 1  # only the zero fill of B
    assert "scf.if" not in text and "affine.if" not in text
    assert text.count("affine.store") == 1 + 16  # the fill, then one store per copy


def test_with_form_and_local_arrays_match_numpy():
    f = allo.customize(k_with_form).build()
    A = _ints((8, 4), 7)
    assert np.array_equal(f(A), ref_with_form(A))


def test_template_parameter_selects_branch():
    big = allo.customize(k_tmpl, instantiate=[int32, 8]).build()
    small = allo.customize(k_tmpl, instantiate=[int8, 4]).build()
    A = _ints(8, 1)
    assert np.array_equal(big(A), (A + A[::-1]).astype(np.int32))
    a = _ints(4, 2, -40, 40, np.int8)
    assert np.array_equal(small(a), (a.astype(np.int64) * 3).astype(np.int8))


def test_scheduled_meta_kernel_verifies_and_csim_agrees():
    s = allo.customize(k_with_form)
    s.split("i", 4)
    s.pipeline("i.inner")
    cert = s.verify(csim=True, trials=20)
    assert cert.ok, cert
    assert {e.layer for e in cert.entries} >= {"L1", "L2", "L3", "CSIM"}


def test_meta_kernel_csim_agrees_on_inputs():
    s = allo.customize(k_meta)
    ins = [(_ints(16, k),) for k in range(5)]
    assert csim_check(s.module, s.sig, ins).agreed


def test_meta_mutation_is_refuted():
    """A kernel whose meta condition picks another branch is not equivalent: L2/L3 refute."""
    def k_other(A: int32[16]) -> int32[16]:
        B: int32[16] = 0
        K: ConstExpr[int32] = 4 * M
        for i in allo.meta_for(K):
            with allo.meta_if(i % 3 == 0 and i != 9):
                B[i] = A[i] * 2
            with allo.meta_elif(i % 3 == 1):
                B[i] = A[i] + K
            with allo.meta_else():
                B[i] = -A[i]
        return B
    cert = allo.check_equivalent(k_meta, k_other)
    assert not cert.ok
    assert all(e.result.status == "refuted" for e in cert.entries), cert


def test_constexpr_values_fold_and_convert():
    def k(A: int32[4]) -> int32[4]:
        W: ConstExpr[int8] = 100 + 27
        S: ConstExpr[int32] = W * 2
        B: int32[4] = 0
        for i in range(S - 250):
            B[i] = A[i] + W
        return B
    f = allo.customize(k).build()
    A = _ints(4, 3)
    assert np.array_equal(f(A), A + 127)


def test_constexpr_in_annotations_and_meta_for_variables_as_sizes():
    def k(A: int32[8]) -> int32[4]:
        K: ConstExpr[int32] = M
        B: int32[K] = 0
        for j in allo.meta_for(1, 3):
            T: int32[j] = 0  # a fresh array of size j in every copy
            T[j - 1] = A[j]
            B[j] = T[j - 1]
        for i in range(K):
            B[i] += A[2 * i]
        return B
    f = allo.customize(k).build()
    A = _ints(8, 9)
    want = A[::2].astype(np.int64)
    want[1:3] += A[1:3]
    assert np.array_equal(f(A), want.astype(np.int32))


@template("N")
def k_ret(A: "int32[N]") -> "int32":  # noqa: F821, UP037
    with allo.meta_if(N > 4):  # noqa: F821
        return A[0] + A[N - 1]  # noqa: F821
    with allo.meta_elif(N > 2):  # noqa: F821
        return A[1]
    with allo.meta_else():
        return A[0] * 2


def test_meta_branches_may_each_return():
    A8, A3, A2 = _ints(8, 1), _ints(3, 2), _ints(2, 3)
    assert allo.customize(k_ret, instantiate=[8]).build()(A8) == A8[0] + A8[7]
    assert allo.customize(k_ret, instantiate=[3]).build()(A3) == A3[1]
    assert allo.customize(k_ret, instantiate=[2]).build()(A2) == A2[0] * 2


# ------------------------------------------------------------------ errors at file:line


def _line(tag: str) -> int:
    return tagged_line(__file__, tag)


def e_nonconst_if(A: int32[4]) -> int32:
    s: int32 = 0
    with allo.meta_if(A[0] > 0):  # <- nonconst-if
        s = 1
    return s


def e_loopvar_if(A: int32[4]) -> int32:
    s: int32 = 0
    for i in range(4):
        with allo.meta_if(i > 1):  # <- loopvar-if
            s += A[i]
    return s


def e_nonconst_constexpr(A: int32[4]) -> int32:
    n: ConstExpr[int32] = A[0] + 1  # <- nonconst-constexpr
    return n


def e_overflow_constexpr(A: int32[4]) -> int32:
    n: ConstExpr[int8] = 200  # <- overflow-constexpr
    return A[0] + n


def e_orphan_else(A: int32[4]) -> int32:
    s: int32 = 0
    s = A[0]
    with allo.meta_else():  # <- orphan-else
        s = 2
    return s


def e_nonconst_for(A: int32[4]) -> int32:
    s: int32 = 0
    for i in allo.meta_for(A[0]):  # <- nonconst-for
        s += i
    return s


def e_plain_with(A: int32[4]) -> int32:
    with open("x"):  # <- plain-with
        pass
    return A[0]


def e_else_after_nonmeta_with(A: int32[4]) -> int32:
    s: int32 = 0
    with allo.meta_if(M > 100):
        s = 1
    s += 1
    with allo.meta_elif(M > 1):  # <- separated-elif
        s = 2
    return s


def e_assign_constexpr(A: int32[4]) -> int32:
    n: ConstExpr[int32] = 3
    n = A[0]  # <- assign-constexpr
    return n


ERRORS = [(e_assign_constexpr, "assign-constexpr", "compile-time constant"),
          (e_nonconst_if, "nonconst-if", "compile-time"),
          (e_loopvar_if, "loopvar-if", "compile-time"),
          (e_nonconst_constexpr, "nonconst-constexpr", "compile-time"),
          (e_overflow_constexpr, "overflow-constexpr", "does not fit"),
          (e_orphan_else, "orphan-else", "must directly follow"),
          (e_nonconst_for, "nonconst-for", "compile-time"),
          (e_plain_with, "plain-with", "with is not supported"),
          (e_else_after_nonmeta_with, "separated-elif", "must directly follow")]


@pytest.mark.parametrize("kernel,tag,words", ERRORS, ids=[t for _, t, _ in ERRORS])
def test_bad_meta_uses_are_frontend_errors(kernel, tag, words):
    err = assert_frontend_error_at(kernel, __file__, tag, words)
    assert code_of_line(__file__, _line(tag)) in str(err)


def test_markers_outside_kernels_say_so():
    with pytest.raises(TypeError, match="only inside a kernel"):
        allo.meta_if(True)
