"""The memory examples match NumPy and verify on every layer (L1, L2, L3)."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@functools.cache
def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", ["jacobi2d", "conv_reuse", "gemm_buffer"])
def test_example_matches_numpy(name: str) -> None:
    assert load(name).main() == 0


def test_jacobi2d_verifies_on_every_layer() -> None:
    s = load("jacobi2d").customize(8, 2)
    cert = s.verify(trials=5)
    assert cert.status == "proved"
    assert {e.layer for e in cert.entries} >= {"L1", "L2", "L3"}


def test_conv_and_gemm_verify() -> None:
    for name, attr in (("conv_reuse", "conv_schedule"), ("gemm_buffer", "gemm_schedule")):
        s = getattr(load(name), attr)
        assert s.verify(trials=5).status == "proved", name
        assert any(st.primitive.name == "partition" for st in s.steps)
