"""Tensor-level operators inside kernels: `A @ B`, `A + B`, `A - B`, `A * B`, `A / B`, `-A`,
`exp(A)`, `max(A, B)`, `av.matmul`, `av.transpose`, `av.relu`, `av.linear` and template calls
of the library: each is a call of the library instance at the operands' shapes and types,
the result type is the declared target's, and misuse is a FrontendError at its line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

import allo_verify as av
from allo_verify.library import compose_defaults
from allo_verify.library import references as ref
from tests.library import tensor_kernels as tk


def _callees(s: av.Schedule) -> list[str]:
    return sorted(sym for sym in s.kernel.origins if sym != s.kernel.name)


def test_int8_matmul_takes_the_declared_result_type() -> None:
    s = av.customize(tk.mm_int8)
    assert _callees(s) == ["matmul_int8_int8_int32_4_3_5"]
    a = np.array([[127, -128, 5], [1, 2, 3], [-7, 8, 9], [100, 100, 100]], dtype=np.int8)
    b = np.full((3, 5), -128, dtype=np.int8)
    got = s.build()(a, b)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, a.astype(np.int32) @ b.astype(np.int32))


def test_assigning_into_a_declared_array_uses_its_type_and_wraps() -> None:
    s = av.customize(tk.mm_into_declared)
    a = np.full((2, 3), 127, dtype=np.int8)
    b = np.full((3, 2), 127, dtype=np.int8)
    got = s.build()(a, b)
    np.testing.assert_array_equal(got, ref.matmul(a, b, av.int16))  # 48387 wraps in int16
    assert got[0, 0] == np.int16(np.int64(3 * 127 * 127).astype(np.int16))


def test_returned_operator_takes_the_declared_result_type() -> None:
    s = av.customize(tk.returns_wider)
    a = np.full((2, 3), 100, dtype=np.int8)
    b = np.full((3, 2), 100, dtype=np.int8)
    wide, narrow = s.build()(a, b)
    np.testing.assert_array_equal(wide, np.full((2, 2), 30000, dtype=np.int32))
    np.testing.assert_array_equal(narrow, ref.matmul(a, b, av.int8))  # 30000 wraps in int8


def test_named_operator_and_operator_share_one_instance() -> None:
    s = av.customize(tk.mm_named)
    assert _callees(s) == ["matmul_float32_float32_float32_4_3_5"]
    a = np.arange(12, dtype=np.float32).reshape(4, 3)
    b = np.arange(15, dtype=np.float32).reshape(3, 5)
    np.testing.assert_allclose(s.build()(a, b), a @ b)


def test_elementwise_expression_matches_numpy() -> None:
    s = av.customize(tk.elementwise)
    rng = np.random.default_rng(1)
    a, b = (rng.uniform(-2, 2, (3, 4)).astype(np.float32) for _ in range(2))
    want = (a + b) * a - b / (np.exp(a) + b * b + np.exp(b))
    np.testing.assert_allclose(s.build()(a, b), want, rtol=1e-5)


def test_mixed_integer_types_with_a_declared_target() -> None:
    s = av.customize(tk.mixed_ints)
    a = np.full((3, 4), -128, dtype=np.int8)
    b = np.full((3, 4), -32768, dtype=np.int16)
    np.testing.assert_array_equal(s.build()(a, b), np.full((3, 4), 4194304, dtype=np.int32))


def test_negation_widens_into_the_target_then_relu() -> None:
    s = av.customize(tk.negate_and_relu)
    a = np.array([-128, -1, 0, 1, 127], dtype=np.int8)
    np.testing.assert_array_equal(s.build()(a), np.array([128, 1, 0, 0, 0], dtype=np.int16))


def test_batched_matmul_transpose_linear_and_max() -> None:
    rng = np.random.default_rng(2)
    a = rng.uniform(-1, 1, (2, 3, 4)).astype(np.float32)
    b = rng.uniform(-1, 1, (2, 4, 2)).astype(np.float32)
    np.testing.assert_allclose(av.customize(tk.batched).build()(a, b), a @ b, rtol=1e-5)
    x = rng.uniform(-1, 1, (4, 6)).astype(np.float32)
    w = rng.uniform(-1, 1, (5, 6)).astype(np.float32)
    bias = rng.uniform(-1, 1, 5).astype(np.float32)
    y, z = av.customize(tk.layer).build()(x, w, bias)
    np.testing.assert_array_equal(y, z)
    np.testing.assert_allclose(y, x @ w.T + bias, rtol=1e-5, atol=1e-6)
    m = rng.integers(-50, 50, (3, 5), dtype=np.int32)
    np.testing.assert_array_equal(av.customize(tk.transposed_square).build()(m), m @ m.T)
    p = np.array([1, -5, 7, 0], dtype=np.int8)
    q = np.array([-1, 3, 9, 0], dtype=np.int8)
    np.testing.assert_array_equal(av.customize(tk.elementwise_max).build()(p, q),
                                  np.maximum(p, q))


def test_array_and_scalar_operands() -> None:
    """A scalar beside an array applies to every cell, typed as in scalar code; the result
    is the array's element type (`3 - B` on int8 wraps) unless a target is declared."""
    s = av.customize(tk.with_scalars)
    a = np.linspace(1, 2, 12, dtype=np.float32).reshape(3, 4)
    b = np.array([-128, 0, 5, 127, 3], dtype=np.int8)
    x, y, z = s.build()(a, b, np.int32(1000))
    np.testing.assert_allclose(x, np.float32(0.5) / (a * np.float32(2) - 1 + a), rtol=1e-6)
    np.testing.assert_array_equal(y, np.array([-125, 3, -2, -124, 0], dtype=np.int8))
    np.testing.assert_array_equal(z, b.astype(np.int32) * 1000)


def test_allo_template_spellings() -> None:
    """`nn.layer_norm`, `nn.relu2d`, `nn.GeLU` as template calls (Allo's names); the inner
    elementwise instances get their default schedule by `compose_defaults`."""
    s = av.customize(tk.allo_spellings)
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1, (4, 6)).astype(np.float32)
    g, b = rng.normal(1, 0.1, 6).astype(np.float32), rng.normal(0, 0.1, 6).astype(np.float32)
    r, h = s.build()(x, g, b)
    np.testing.assert_allclose(r, np.maximum(ref.layernorm(x, g, b), 0), rtol=1e-6)
    np.testing.assert_allclose(h, av.gelu(x), rtol=1e-6, atol=1e-7)
    assert sorted(compose_defaults(s)) == ["layernorm_float32_4_6",
                                           "unary2d_float32_float32_0_4_6",
                                           "unary2d_float32_float32_2_4_6"]
    assert s.verify(trials=3).status == "proved"


def test_same_array_twice_is_allowed_for_read_only_library_operands() -> None:
    x = np.arange(9, dtype=np.float32).reshape(3, 3)
    np.testing.assert_array_equal(av.customize(tk.square).build()(x), x * x)


def test_composed_default_schedules_verify_with_csim() -> None:
    s = av.customize(tk.elementwise)
    composed = compose_defaults(s)
    assert len(composed) == len(_callees(s)) and composed
    cert = s.verify(trials=3, csim=True)
    assert cert.status == "proved"
    assert {e.result.status for e in cert.entries if e.layer == "L1"} == {"proved"}
    assert next(e for e in cert.entries if e.layer == "CSIM").result.status == "agreed"


BAD = {
    "inner": ("def k(A: float32[2, 3], B: float32[4, 2]) -> float32[2, 2]:\n"
              "    return A @ B\n", "inner dimensions differ"),
    "shapes": ("def k(A: float32[2, 3], B: float32[3, 2]) -> float32[2, 3]:\n"
               "    return A + B\n", "different shapes"),
    "types": ("def k(A: int8[2, 3], B: int16[2, 3]) -> int16[2, 3]:\n"
              "    C = A + B\n    return C\n", "different element types"),
    "scalar_matmul": ("def k(A: float32[2, 3]) -> float32[2, 3]:\n"
                      "    return A @ 2.0\n", "both operands of @ must be arrays"),
    "modulo": ("def k(A: int8[2, 3], B: int8[2, 3]) -> int8[2, 3]:\n"
               "    return A % B\n", "not defined on arrays"),
    "exp_int": ("def k(A: int8[2, 3]) -> int8[2, 3]:\n"
                "    return exp(A)\n", "needs a float element type"),
    "sqrt_array": ("def k(A: float32[2, 3]) -> float32[2, 3]:\n"
                   "    return sqrt(A)\n", "not defined on arrays"),
    "rank": ("def k(A: float32[2, 3, 4], B: float32[4, 2]) -> float32[2, 3, 2]:\n"
             "    return A @ B\n", "rank-2"),
    "softmax_target": ("def k(A: float32[2, 3]) -> float64[2, 3]:\n"
                       "    Z: float64[2, 3] = av.softmax(A)\n    return Z\n",
                       "target is declared float64"),
    "maxpool_window": ("def k(A: float32[1, 1, 4, 4]) -> float32[1, 1, 4, 4]:\n"
                       "    return av.maxpool2d(A, 5)\n", "1 <= K <= min(H, W)"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_misuse_is_a_frontend_error_naming_file_and_line(name: str, tmp_path: Path) -> None:
    body, words = BAD[name]
    src = ("import allo_verify as av\n"
           "from allo_verify import exp, sqrt, float32, float64, int8, int16\n\n" + body)
    path = tmp_path / f"bad_{name}.py"
    path.write_text(textwrap.dedent(src))
    import runpy

    k = runpy.run_path(str(path))["k"]
    with pytest.raises(av.FrontendError) as e:
        av.customize(k)
    text = str(e.value)
    assert words in text, text
    assert f"{path}:5" in text, text  # the operator's line (line 4 is the def)
