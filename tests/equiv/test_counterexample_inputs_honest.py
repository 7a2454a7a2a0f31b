"""A counterexample's large input arrays show a few cells; "others": 0 must be true of the
input actually run. The symbolic tier confirms candidates on wide random draws, whose other
cells are not zero: the record said "others": 0, an input on which nothing differs."""

import numpy as np

from allo_verify.equiv import check_equivalent
from allo_verify.equiv.counterexample import OTHERS_NOT_SHOWN, summarize
from tests.equiv import symbolic_kernels as K


def test_others_zero_only_when_true() -> None:
    z = np.zeros(100, np.float32)
    assert summarize("A", z, [(3,)])["others"] == 0
    z[50] = -0.0  # not zero bit for bit
    assert summarize("A", z, [(3,)])["others"] == OTHERS_NOT_SHOWN
    x = np.zeros(100, np.int32)
    x[3] = 7
    assert summarize("A", x, [(3,)]) == {"shape": [100], "cells": {"3": 7}, "others": 0}
    x[4] = 1
    assert summarize("A", x, [(3,)])["others"] == OTHERS_NOT_SHOWN


def test_symbolic_refutation_does_not_claim_zero_inputs() -> None:
    cert = check_equivalent(K.jacobi(256, 4), K.gauss_seidel(256, 4), layers=("L2",))
    (e,) = cert.entries
    cex = e.result.counterexample
    assert e.scope["tier"] == "symbolic" and cex is not None
    big = [v for v in cex.inputs.values() if isinstance(v, dict)]
    assert big and all(v["others"] == OTHERS_NOT_SHOWN for v in big), cex.inputs
