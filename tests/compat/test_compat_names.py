"""Issue 14, item 1: `import allo_verify as allo` as a drop-in for Allo's top-level names,
module paths, `allo.verify` and `customize(verbose=)`; every Allo name we lack raises
NotSupportedError ("not supported: X"), never a silent None."""

import importlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import allo_verify as allo
from allo_verify import int32

N = 8


def gemm(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:
    C: int32[N, N] = 0
    for i, j in allo.grid(N, N):
        for k in allo.reduction(N):
            C[i, j] += A[i, k] * B[k, j]
    return C


def gemm_swapped(A: int32[N, N], B: int32[N, N]) -> int32[N, N]:
    C: int32[N, N] = 0
    for i, j in allo.grid(N, N):
        for k in allo.reduction(N):
            C[i, j] += A[i, k] * B[j, k]  # a different kernel: B transposed
    return C


def test_type_names_resolve_to_ours():
    from allo_verify.ir.types import Fixed, Int, UFixed, UInt, float32, index, int8

    assert allo.int32 is int32 and allo.Int(32) == int32 and allo.UInt(8) == allo.uint8
    assert Int(8) == int8 and UInt(3).bits == 3
    assert allo.Fixed(8, 4) == Fixed(8, 4) and allo.UFixed(8, 4) == UFixed(8, 4)
    assert allo.float16.bits == 16 and float32.bits == 32 and allo.float64.bits == 64
    assert index is allo.index and allo.bool == allo.UInt(1)
    assert allo.Partition.Complete and allo.Partition.Block and allo.Partition.Cyclic


def test_dsl_and_customize_module_paths():
    from allo_verify.customize import Partition, Schedule, customize
    from allo_verify.dsl import grid, reduction

    assert grid is allo.grid and reduction is allo.reduction
    assert Partition is allo.Partition and Schedule is allo.Schedule
    s = customize(gemm)
    assert isinstance(s, allo.Schedule)
    # importing the module binds it on the package: it must still be callable as customize
    mod = importlib.import_module("allo_verify.customize")
    assert isinstance(allo.customize(gemm), allo.Schedule)
    assert isinstance(mod(gemm), allo.Schedule)


@pytest.mark.parametrize("name", ["bfloat16", "IPModule", "unify"])
def test_missing_top_level_names_raise_not_supported(name):
    with pytest.raises(allo.NotSupportedError, match=f"not supported: allo_verify.{name}"):
        getattr(allo, name)
    assert issubclass(allo.NotSupportedError, allo.AlloVerifyError)


@pytest.mark.parametrize("name", ["Struct", "ConstExpr", "Stateful", "Memory", "meta_if",
                                  "meta_elif", "meta_else", "meta_for"])
def test_implemented_names_resolve_under_allo_paths(name):
    import allo_verify.dsl as dsl
    import allo_verify.ir.types as types

    got = getattr(allo, name)
    assert getattr(types if name[0].isupper() else dsl, name) is got


def test_from_import_of_missing_names():
    with pytest.raises(allo.NotSupportedError, match="not supported: .*bfloat16"):
        exec("from allo_verify import bfloat16", {})
    with pytest.raises(allo.NotSupportedError, match="not supported: .*IPModule"):
        exec("from allo_verify.dsl import IPModule", {})


def test_dataflow_module_and_stream_type_resolve():
    ns: dict = {}
    exec("from allo_verify import dataflow as df\nfrom allo_verify.ir.types import Stream", ns)
    assert callable(ns["df"].region) and callable(ns["df"].kernel) and ns["df"].Stream is \
        ns["Stream"] and allo.Stream is ns["Stream"]


@pytest.mark.parametrize("module", ["allo_verify.backend.aie"])
def test_missing_modules_raise_not_supported(module):
    sys.modules.pop(module, None)
    with pytest.raises(allo.NotSupportedError, match="not supported"):
        importlib.import_module(module)


def test_backend_names():
    import allo_verify.backend as backend

    with pytest.raises(allo.NotSupportedError, match="s.build\\(target='llvm'\\)"):
        backend.llvm  # noqa: B018 - the access is the test


def test_typo_is_still_an_attribute_error():
    with pytest.raises(AttributeError):
        allo.customise  # noqa: B018
    with pytest.raises(ImportError):
        exec("from allo_verify.ir.types import int33x", {})


def test_verify_is_a_truth_value_with_certificate():
    s = allo.customize(gemm)
    s.split("i", 4)
    res = allo.verify(s, allo.customize(gemm))
    assert bool(res) and res.status == "proved"
    assert res.certificate.status == "proved"
    assert any(e.layer == "L1" for e in res.certificate.entries)


def test_verify_false_when_refuted():
    res = allo.verify(allo.customize(gemm), allo.customize(gemm_swapped))
    assert not res
    assert res.certificate.status == "refuted"


def test_verify_false_when_only_unknown():
    # L3 alone proves nothing: the truth value must be False, the certificate says unknown
    s = allo.customize(gemm)
    res = allo.verify(s, allo.customize(gemm), layers=("L3",), trials=2)
    assert res.certificate.status == "unknown" and not res


def test_customize_verbose_prints_each_verdict(capsys):
    s = allo.customize(gemm, verbose=True)
    s.split("i", 4)
    s.pipeline("k")
    out = capsys.readouterr().out
    assert "split(axis='i', factor=4): proved" in out and "pipeline" in out
    with pytest.raises(allo.ScheduleUsageError):
        allo.customize(gemm, verbose="yes")


def test_build_targets():
    s = allo.customize(gemm)
    f = s.build(target="llvm")
    a = np.arange(N * N, dtype=np.int32).reshape(N, N)
    np.testing.assert_array_equal(f(a, a.copy()), a @ a)
    code = str(s.build(target="vhls"))
    assert "void gemm(" in code


def test_customize_instantiate_keyword():
    @allo.template("T", "M")
    def vadd(A: "T[M]", B: "T[M]") -> "T[M]":  # noqa: F821 - template parameters
        C: T[M] = 0  # noqa: F821 - template parameters
        for i in range(M):  # noqa: F821
            C[i] = A[i] + B[i]
        return C

    s = allo.customize(vadd, instantiate=[int32, 4])
    a = np.arange(4, dtype=np.int32)
    np.testing.assert_array_equal(s.build()(a, a.copy()), 2 * a)


def test_cli_exits_3_on_not_supported(tmp_path):
    design = tmp_path / "design.py"
    design.write_text(textwrap.dedent("""
        import allo_verify as allo
        from allo_verify.ir.types import bfloat16
    """))
    run = subprocess.run([sys.executable, "-m", "allo_verify.cli", "verify", str(design)],
                         capture_output=True, text=True, cwd=str(tmp_path.parent), timeout=300,
                         env={**__import__("os").environ,
                              "PYTHONPATH": str(__import__("pathlib").Path(
                                  allo.__file__).parents[1])})
    assert run.returncode == 3
    assert "not supported" in run.stderr + run.stdout
