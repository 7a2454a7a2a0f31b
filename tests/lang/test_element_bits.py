"""Bits of array elements as Allo writes them (`A[i][k]`, `B[i][lo:hi] = v`, `v[k] = b` with
k computed, `x[lo:hi].reverse()`): the same meaning in the LLVM simulation, the proofs and
the emitted C++ (C simulation), and clear errors for what has no meaning."""

from pathlib import Path

import numpy as np
import pytest

import allo_verify as allo
from allo_verify import FrontendError, int8, int32, uint8

N = 6


def get_set(A: int32[N, 2], P: int32[N]) -> int32[N]:
    B: int32[N] = 0
    for i in range(N):
        B[i] = A[i, 1]
        B[i][P[i]] = A[i, 0][3]
        B[i][8:12] = A[i, 0][0:4].reverse()
    return B


def ref_get_set(a: np.ndarray, p: np.ndarray) -> np.ndarray:
    out = a[:, 1].astype(np.int64) & 0xFFFFFFFF
    for i in range(N):
        bit = (int(a[i, 0]) >> 3) & 1
        if 0 <= p[i] < 32:
            out[i] = (out[i] & ~(1 << int(p[i]))) | (bit << int(p[i]))
        nib = int(a[i, 0]) & 0xF
        rev = int(f"{nib:04b}"[::-1], 2)
        out[i] = (out[i] & ~0xF00) | (rev << 8)
    return out.astype(np.uint32).view(np.int32)


def test_element_bits_match_reference_and_verify_with_csim() -> None:
    s = allo.customize(get_set)
    s.pipeline("i")
    rng = np.random.default_rng(3)
    a = rng.integers(-2**31, 2**31, (N, 2)).astype(np.int32)
    p = np.array([0, 5, 31, 32, -3, 17], dtype=np.int32)
    np.testing.assert_array_equal(s.build()(a, p), ref_get_set(a, p))
    assert s.verify(trials=6, csim=True).status == "proved"


def other_bits(A: int32[N, 2], P: int32[N]) -> int32[N]:
    B: int32[N] = 0
    for i in range(N):
        B[i] = A[i, 1]
        B[i][P[i]] = A[i, 0][2]  # mutation: another source bit
        B[i][8:12] = A[i, 0][0:4].reverse()
    return B


def test_a_different_bit_is_refuted() -> None:
    res = allo.verify(allo.customize(get_set), allo.customize(other_bits))
    assert not res and res.certificate.status == "refuted"


def test_reverse_keeps_the_type_width() -> None:
    def k(A: uint8[N], B: int8[N]) -> (uint8[N], int8[N]):
        C: uint8[N] = 0
        D: int8[N] = 0
        for i in range(N):
            C[i] = A[i].reverse()
            D[i] = B[i].reverse()
        return C, D

    a = np.array([1, 2, 128, 0, 255, 6], dtype=np.uint8)
    b = np.array([1, -128, 64, 0, -1, 3], dtype=np.int8)
    c, d = allo.customize(k).build()(a, b)
    np.testing.assert_array_equal(c, [128, 64, 1, 0, 255, 96])
    np.testing.assert_array_equal(d, np.array([128, 1, 2, 0, 255, 192], dtype=np.uint8)
                                  .view(np.int8))


@pytest.mark.parametrize("body, msg", [
    ("A[i][0] = 1", "bit assignment needs an integer"),
    ("B[i] = A[i][0]", "bit access needs an integer"),
    ("B[i] = A[i].reverse()", r"\.reverse\(\) needs an integer"),
])
def test_bits_of_a_float_element_are_errors(body: str, msg: str, tmp_path: Path) -> None:
    src = ("from allo_verify import float32, int32\n\n"
           "def k(A: float32[6], B: int32[6]):\n    for i in range(6):\n        " + body + "\n")
    path = tmp_path / "bad_bits.py"
    path.write_text(src)
    ns: dict = {}
    exec(compile(src, str(path), "exec"), ns)  # noqa: S102
    with pytest.raises(FrontendError, match=msg) as e:
        allo.customize(ns["k"])
    assert f"{path}:5" in str(e.value)
