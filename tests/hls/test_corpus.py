"""Every example design and every corpus kernel: the emitted C++ compiles with
`-Wall -Wextra` without a warning from the generated code, and its C simulation agrees with
the LLVM simulation bit for bit on random inputs with type extremes (hypothesis)."""

from __future__ import annotations

import warnings

import pytest
from corpus import corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allo_verify.codegen.hls import csim_check
from allo_verify.codegen.hls.csim import generated_warnings
from allo_verify.equiv.cosim import args_strategy, array_strategy
from allo_verify.lang.types import ArrayType

NAMES = sorted(corpus())
# kernels whose scalar arguments are loop bounds: keep the trip counts small
SMALL_SCALARS = {"test_qa_regressions.reversed_runtime"}


def strategy(name, sig):
    if name not in SMALL_SCALARS:
        return args_strategy(sig)
    return st.tuples(*[array_strategy(a.type) if isinstance(a.type, ArrayType)
                       else st.integers(-4, 12) for a in sig.args])


def test_corpus_is_the_whole_frontend_corpus():
    assert len(NAMES) >= 100
    assert any(n.startswith("examples.gemm") for n in NAMES)
    for needed in ("test_int_widths.", "test_fixed_point.", "test_float_math.",
                   "test_control_flow.", "test_module_structure.", "kernels."):
        assert any(n.startswith(needed) for n in NAMES), needed


@pytest.mark.parametrize("name", NAMES)
def test_compiles_without_warnings(emitted, name):
    _, mod = emitted[name]
    log = mod.binary().log
    assert generated_warnings(log) == [], "\n".join(generated_warnings(log))


@pytest.mark.parametrize("name", NAMES)
def test_csim_agrees_with_llvm(emitted, name):
    s, mod = emitted[name]

    @settings(max_examples=2, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(strategy(name, s.sig), min_size=4, max_size=4))
    def run(inputs):
        result = csim_check(s.module, s.sig, inputs, hls_module=mod)
        assert result.agreed, result.claim()
        assert result.trials == len(inputs)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy casts of random extremes
        run()
