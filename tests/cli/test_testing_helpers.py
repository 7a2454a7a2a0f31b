"""allo_verify.testing: assert_verified for a project's own suite, and input strategies."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import allo_verify as av
from allo_verify.design import load_designs
from allo_verify.testing import assert_verified, inputs_for
from tests.cli.test_cli import DESIGNS
from tests.schedule import kernels as K

TILED = av.customize(K.gemm)
TILED.tile(["i", "j"], [4, 4])


def test_assert_verified_passes_a_proved_schedule() -> None:
    cert = assert_verified(TILED, trials=5)
    assert cert.ok


def test_assert_verified_fails_with_the_counterexample() -> None:
    bad = load_designs(DESIGNS / "wrong_impl.py")["doubled"]
    with pytest.raises(AssertionError) as info:
        assert_verified(bad, trials=5)
    text = str(info.value)
    assert "refuted" in text and "counterexample" in text.lower()


@settings(max_examples=10)
@given(inputs_for(TILED))
def test_inputs_for_gives_valid_arguments(args: tuple) -> None:
    A, B = args
    assert A.shape == (K.M, K.K) and B.shape == (K.K, K.N)
    assert A.dtype == np.int32 and B.dtype == np.int32
    out = TILED.build()(A, B)
    np.testing.assert_array_equal(out, (A.astype(np.int64) @ B).astype(np.int32))
