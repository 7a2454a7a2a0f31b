"""`Struct({...})` types: local structs and arrays of structs, scalarized (one slot or array
per field). The LLVM simulation matches a NumPy model, a scheduled kernel verifies (L1, L2,
L3) and its C++ agrees under C simulation; a kernel that swaps two fields is refuted; bad
uses are FrontendErrors at their line.
"""

from __future__ import annotations

import numpy as np
import pytest
from lang_util import assert_frontend_error_at, tagged_line

import allo_verify as allo
from allo_verify import Struct, float32, int8, int32
from allo_verify.codegen.hls import csim_check, emit_hls

N = 8
Point = Struct({"x": int32, "y": int32})
Sample = Struct({"v": float32, "tag": int8})


def k_points(A: int32[N], B: int32[N]) -> int32[N]:
    P: Point[N] = 0
    for i in range(N):
        P[i] = {"x": A[i], "y": B[i]}
    acc: Point = {"x": 0}
    out: int32[N] = 0
    for i in range(N):
        acc.x += P[i].x
        acc.y = acc.y * 2 + P[i].y
        out[i] = acc.x - acc.y
    return out


def ref_points(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    x = y = 0
    out = np.zeros(N, dtype=np.int64)
    for i in range(N):
        x = int(np.int32(x + int(A[i])))
        y = int(np.int32(y * 2 + int(B[i])))
        out[i] = np.int32(x - y)
    return out.astype(np.int32)


def k_samples(V: float32[N], T: int8[N]) -> float32[N]:
    S: Sample[N] = 0
    for i in range(N):
        S[i].v = V[i] * 2.0
        S[i].tag = T[i]
    out: float32[N] = 0.0
    for i in range(N):
        s: Sample = S[i]
        if s.tag > 0:
            out[i] = s.v
        else:
            out[i] = -s.v
    return out


def k_swap(A: int32[N]) -> int32[N]:
    p: Point = {"x": 1, "y": 2}
    out: int32[N] = 0
    for i in range(N):
        p = {"x": p.y, "y": p.x + A[i]}  # every source field is read before any write
        out[i] = p.x * 100 + p.y
    return out


def _ints(seed: int, lo: int = -1000, hi: int = 1000) -> np.ndarray:
    return np.random.default_rng(seed).integers(lo, hi, N).astype(np.int32)


def test_points_match_numpy():
    f = allo.customize(k_points).build()
    for seed in range(3):
        A, B = _ints(seed), _ints(seed + 10)
        assert np.array_equal(f(A, B), ref_points(A, B))


def test_samples_float_fields_match_numpy():
    f = allo.customize(k_samples).build()
    rng = np.random.default_rng(4)
    V = rng.standard_normal(N).astype(np.float32)
    T = rng.integers(-3, 3, N).astype(np.int8)
    want = np.where(T > 0, V * np.float32(2.0), -(V * np.float32(2.0))).astype(np.float32)
    assert np.array_equal(f(V, T), want)


def test_whole_struct_assignment_reads_before_writing():
    f = allo.customize(k_swap).build()
    A = _ints(5, -9, 9)
    x, y = 1, 2
    want = []
    for a in A:
        x, y = y, x + int(a)
        want.append(x * 100 + y)
    assert f(A).tolist() == want


def test_scalarized_ir_and_cpp():
    s = allo.customize(k_points)
    text = str(s.module)
    assert 'buffer_name = "P.x"' in text and 'buffer_name = "P.y"' in text
    assert 'buffer_name = "acc.x"' in text
    code = emit_hls(s.module, s.sig).code
    assert "P_x[8]" in code and "P_y[8]" in code


def test_scheduled_struct_kernel_verifies_and_csim_agrees():
    s = allo.customize(k_samples)
    s.split("i", 4)
    s.pipeline("i.inner")
    cert = s.verify(csim=True, trials=20)
    assert cert.ok, cert
    rng = np.random.default_rng(1)
    ins = [(rng.standard_normal(N).astype(np.float32), rng.integers(-3, 3, N).astype(np.int8))
           for _ in range(3)]
    assert csim_check(s.module, s.sig, ins).agreed


def test_points_csim_agrees():
    s = allo.customize(k_points)
    assert csim_check(s.module, s.sig, [(_ints(k), _ints(k + 1)) for k in range(4)]).agreed


def test_swapped_fields_are_refuted():
    def k_points_swapped(A: int32[N], B: int32[N]) -> int32[N]:
        P: Point[N] = 0
        for i in range(N):
            P[i] = {"x": B[i], "y": A[i]}
        acc: Point = {"x": 0}
        out: int32[N] = 0
        for i in range(N):
            acc.x += P[i].x
            acc.y = acc.y * 2 + P[i].y
            out[i] = acc.x - acc.y
        return out

    cert = allo.check_equivalent(k_points, k_points_swapped)
    assert not cert.ok
    assert all(e.result.status == "refuted" for e in cert.entries), cert


def test_struct_type_validation():
    with pytest.raises(TypeError, match="non-empty dict"):
        Struct({})
    with pytest.raises(TypeError, match="scalar kernel type"):
        Struct({"a": int32[4]})


# ------------------------------------------------------------------ errors at file:line


def _line(tag: str) -> int:
    return tagged_line(__file__, tag)


def e_unknown_field(A: int32[N]) -> int32:
    p: Point = {"x": 1}
    return p.z  # <- unknown-field


def e_arg(P: Point[N]) -> int32:  # <- struct-arg
    return 0


def e_whole_value(A: int32[N]) -> int32:
    p: Point = {"x": 1}
    return p  # <- whole-value


def e_bad_key(A: int32[N]) -> int32:
    p: Point = {"x": 1, "w": 2}  # <- bad-key
    return p.x


def e_wrong_struct(A: int32[N]) -> int32:
    p: Point = {"x": 1}
    s: Sample = p  # noqa: F841  # <- wrong-struct
    return p.x


def e_unsubscripted(A: int32[N]) -> int32:
    P: Point[N] = 0
    return P.x  # <- unsubscripted


ERRORS = [(e_unknown_field, "unknown-field", "has no field 'z'"),
          (e_arg, "struct-arg", "local variables only"),
          (e_whole_value, "whole-value", "used through its fields"),
          (e_bad_key, "bad-key", "has no field 'w'"),
          (e_wrong_struct, "wrong-struct", "cannot assign"),
          (e_unsubscripted, "unsubscripted", "array of structs")]


@pytest.mark.parametrize("kernel,tag,words", ERRORS, ids=[t for _, t, _ in ERRORS])
def test_bad_struct_uses_are_frontend_errors(kernel, tag, words):
    assert_frontend_error_at(kernel, __file__, tag, words)
