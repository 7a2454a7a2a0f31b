"""Kernel templates, decorator spelling (runs on Python 3.11): instantiation at customize
time, instances called from other kernels (one function per arguments and instance name),
results against NumPy, verification, and every misuse refused with a clear error."""

from __future__ import annotations

import numpy as np
import pytest

import allo_verify as av
from allo_verify import float32, int8, int16, int32
from allo_verify.lang.templates import TemplateError, mangle
from tests.lang import template_kernels as T

RNG = np.random.default_rng(7)


def ints(shape: tuple[int, ...], dtype: type = np.int32) -> np.ndarray:
    return RNG.integers(-50, 50, shape).astype(dtype)


def test_customize_instantiates_at_the_given_arguments() -> None:
    s = av.customize(T.gemm, instantiate=[int32, 5, 3, 4])
    assert s.kernel.name == "gemm"
    assert [repr(a.type) for a in s.sig.args] == ["int32[5, 4]", "int32[4, 3]"]
    assert repr(s.sig.results[0]) == "int32[5, 3]"
    a, b = ints((5, 4)), ints((4, 3))
    assert np.array_equal(s.build()(a, b), a @ b)
    f = av.customize(T.gemm, instantiate=[float32, 2, 2, 3])
    x, y = RNG.standard_normal((2, 3)).astype(np.float32), \
        RNG.standard_normal((3, 2)).astype(np.float32)
    out = f.build()(x, y)
    assert out.dtype == np.float32 and np.allclose(out, x @ y, rtol=1e-5)


def test_named_instances_are_distinct_functions() -> None:
    s = av.customize(T.two_mm)
    assert list(s.kernel.functions) == ["two_mm", "gemm_mm1", "gemm_mm2"]
    text = str(s.module)
    assert "func.func private @gemm_mm1" in text and "func.func private @gemm_mm2" in text
    assert "call @gemm_mm1" in text and "call @gemm_mm2" in text
    o1, o2 = s.kernel.origins["gemm_mm1"], s.kernel.origins["gemm_mm2"]
    assert (o1.id, o1.args) == ("mm1", (int32, 8, 4, 6))
    assert (o2.id, o2.args) == ("mm2", (int32, 8, 8, 4))
    a, b, c = ints((8, 6)), ints((6, 4)), ints((4, 8))
    assert np.array_equal(s.build()(a, b, c), (a @ b) @ c)


def test_same_arguments_unnamed_share_one_function() -> None:
    s = av.customize(T.twice_unnamed)
    assert list(s.kernel.functions) == ["twice_unnamed", "gemm_int32_4_4_4"]
    assert str(s.module).count("call @gemm_int32_4_4_4") == 2
    a, b = ints((4, 4)), ints((4, 4))
    assert np.array_equal(s.build()(a, b), (a @ b) @ b)


def test_two_sizes_and_types_give_two_functions_both_verified() -> None:
    s = av.customize(T.mixed)
    assert list(s.kernel.functions) == ["mixed", "gemm_int32_6_5_4", "gemm_float32_3_3_2"]
    s.split("gemm_int32_6_5_4:i", 2)
    s.split("gemm_float32_3_3_2:j", 2)
    a, b = ints((6, 4)), ints((4, 5))
    x = RNG.standard_normal((3, 2)).astype(np.float32)
    y = RNG.standard_normal((2, 3)).astype(np.float32)
    c, z = s.build()(a, b, x, y)
    assert np.array_equal(c, a @ b) and np.allclose(z, x @ y, rtol=1e-5)
    cert = s.verify(trials=10)
    assert cert.status == "proved", cert.verdict().reasons
    names = {e.name.split("/")[0] for e in cert.entries if e.layer == "L1"}
    assert any("gemm_int32_6_5_4:i" in n for n in names)
    assert any("gemm_float32_3_3_2:j" in n for n in names)


def test_templates_calling_templates_with_their_own_parameters() -> None:
    s = av.customize(T.calls_nested)
    assert list(s.kernel.functions) == ["calls_nested", "nested_int16_8", "scale_int16_8",
                                        "nested_int8_4", "scale_int8_4"]
    a = ints((8,), np.int16)
    x = RNG.integers(-20, 20, (4,)).astype(np.int8)
    b, y = s.build()(a, x)
    assert np.array_equal(b, (a * 3 + 1).astype(np.int16))
    assert np.array_equal(y, (x.astype(np.int32) * 3 + 1).astype(np.int8))
    assert s.verify(layers=("L2",)).status == "proved"


def test_template_arguments_mangle_readably() -> None:
    assert mangle([int32, 32, 16]) == "int32_32_16"
    assert mangle([av.Fixed(8, 3), -2, 0.5]) == "Fixed_8_3_m2_0p5"
    assert mangle([int8, int16]) == "int8_int16"


# ---- misuse ------------------------------------------------------------------------------
def test_template_without_instantiate_is_refused() -> None:
    with pytest.raises(av.ScheduleUsageError, match=r"gemm' is a template: customize it with "
                                                    r"instantiate=\[T, M, N, K\]"):
        av.customize(T.gemm)


def test_instantiate_on_a_plain_kernel_is_refused() -> None:
    with pytest.raises(av.ScheduleUsageError, match="'two_mm' is not a kernel template"):
        av.customize(T.two_mm, instantiate=[int32])


@pytest.mark.parametrize("args, msg", [
    ([int32, 4, 4], r"takes 4 argument\(s\) \[T, M, N, K\], got 3"),
    ([int32, 4, 4, 4, "mm1"], r"takes 4 argument\(s\)"),
    ([int32, 4, "4", 4], "parameter 'N' of template 'gemm' must be a kernel type"),
    ([int32, 4, True, 4], "parameter 'N'"),
    ("int32", "takes a list of template arguments"),
])
def test_bad_instantiate_arguments(args: object, msg: str) -> None:
    with pytest.raises(TemplateError, match=msg):
        av.customize(T.gemm, instantiate=args)


def test_template_decorator_checks_its_parameters() -> None:
    with pytest.raises(TemplateError, match="at least one parameter"):
        av.template()
    with pytest.raises(TemplateError, match="identifiers"):
        av.template("T", "2x")
    with pytest.raises(TemplateError, match="repeat"):
        av.template("T", "T")
    with pytest.raises(TemplateError, match="applies to a kernel function"):
        av.template("T")(42)


def test_python_level_misuse_is_clear() -> None:
    with pytest.raises(TemplateError, match=r"must be instantiated before it is called"):
        T.gemm(1, 2)
    inst = T.gemm[int32, 2, 2, 2]
    assert inst.symbol() == "gemm_int32_2_2_2"
    with pytest.raises(TemplateError, match="call it from inside another kernel"):
        inst(1, 2)
    with pytest.raises(TemplateError, match="instance name 'a-b'"):
        T.gemm[int32, 2, 2, 2, "a-b"]


def _fails(src_fn: object, match: str) -> av.FrontendError:
    with pytest.raises(av.FrontendError, match=match) as info:
        av.customize(src_fn)
    return info.value


def test_calling_a_template_without_arguments_is_a_frontend_error() -> None:
    def bad(A: int32[4, 4], B: int32[4, 4]) -> int32[4, 4]:
        return T.gemm(A, B)

    e = _fails(bad, r"'T.gemm' is a kernel template: call an instance, "
                    r"T.gemm\[T, M, N, K\]\(...\)")
    assert e.lineno > 0 and "return T.gemm(A, B)" in e.source_line


def test_wrong_count_inside_a_kernel_names_the_line() -> None:
    def bad(A: int32[4, 4], B: int32[4, 4]) -> int32[4, 4]:
        return T.gemm[int32, 4, 4](A, B)

    e = _fails(bad, r"takes 4 argument\(s\)")
    assert "T.gemm[int32, 4, 4](A, B)" in e.source_line


def test_instance_name_reused_with_other_arguments_is_refused() -> None:
    def bad(A: int32[4, 4], B: int32[4, 4], C: int32[2, 2]) -> int32[4, 4]:
        X = T.gemm[int32, 4, 4, 4, "mm"](A, B)
        Y = T.gemm[int32, 2, 2, 2, "mm"](C, C)
        return X + Y[0, 0]

    _fails(bad, r"instance name 'mm' of template 'gemm' is already used by gemm_mm "
                r"\(gemm\[int32, 4, 4, 4, 'mm'\]\)")


def test_kernel_variable_as_template_argument_is_refused() -> None:
    def bad(A: int32[4, 4], n: int32) -> int32[4, 4]:
        return T.gemm[int32, 4, 4, n](A, A)

    _fails(bad, "template argument 'n' is a kernel variable")


def test_subscripting_a_plain_kernel_is_refused() -> None:
    def bad(A: int32[8, 6], B: int32[6, 4], C: int32[4, 8]) -> int32[8, 8]:
        return T.two_mm[int32](A, B, C)

    _fails(bad, r"'T.two_mm' is not a kernel template")


def test_instance_arguments_of_the_wrong_shape_are_frontend_errors() -> None:
    def bad(A: int32[4, 4], B: int32[4, 4]) -> int32[4, 4]:
        return T.gemm[int32, 4, 4, 3](A, B)

    _fails(bad, r"argument 'A' of 'gemm\[int32, 4, 4, 3\]' must be int32\[4, 3\]")
