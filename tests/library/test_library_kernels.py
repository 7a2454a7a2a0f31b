"""Every library kernel matches its NumPy reference on the LLVM simulation (hypothesis
inputs), and its default schedule verifies: every step proved (L1), the whole kernel proved
(L2), co-simulation agreed (L3) and the emitted C++ agreed bit for bit under C simulation,
transcendental functions (exp, tanh, sqrt) included."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import allo_verify as av
from allo_verify.lang.types import Float, Int
from allo_verify.library import default_schedule, linalg
from allo_verify.library import references as ref
from tests.library.cases import CASES, Case

_BUILT: dict[str, Any] = {}


def _built(case: Case) -> tuple[Any, Any]:
    if case.id not in _BUILT:
        s = av.customize(case.template, instantiate=list(case.args))
        _BUILT[case.id] = (s, s.build())
    return _BUILT[case.id]


def _inputs(sig: Any) -> st.SearchStrategy[tuple[np.ndarray, ...]]:
    """Arrays for the kernel's arguments: integers over their whole range, floats in
    [-4, 4] (finite, so the float references are meaningful)."""
    parts: list[Any] = []
    for a in sig.args:
        t = a.type.dtype if isinstance(a.type, av.ArrayType) else a.type
        if isinstance(t, Float):
            elems = st.floats(-4, 4, width=t.bits)
        else:
            assert isinstance(t, Int)
            elems = st.integers(t.min, t.max)
        if isinstance(a.type, av.ArrayType):
            parts.append(hnp.arrays(t.np_dtype, a.type.shape, elements=elems))
        else:
            parts.append(elems.map(t.np_dtype.type))
    return st.tuples(*parts)


def _agree(case: Case, got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape == want.shape and got.dtype == want.dtype, (got.dtype, want.dtype)
    if case.tol is None:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=case.tol, atol=case.tol)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_kernel_matches_numpy_reference(case: Case) -> None:
    s, f = _built(case)

    @settings(max_examples=15)
    @given(_inputs(s.kernel.sig))
    def check(args: tuple[np.ndarray, ...]) -> None:
        _agree(case, f(*[np.copy(a) if isinstance(a, np.ndarray) else a for a in args]),
               case.reference(*args))

    check()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_default_schedule_verifies_with_csim(case: Case) -> None:
    s = default_schedule(case.template, case.args)
    assert s.steps, "a default schedule applies at least one step"
    cert = s.verify(trials=4, csim=True)
    by_layer = {e.layer: e.result.status for e in cert.entries if e.layer != "L1"}
    l1 = [e.result.status for e in cert.entries if e.layer == "L1"]
    assert l1 and set(l1) == {"proved"}, l1
    assert by_layer == {"L2": "proved", "L3": "agreed", "CSIM": "agreed"}, by_layer
    assert cert.status == "proved"


@pytest.mark.parametrize("case_id", ["softmax_f32", "gelu_f32", "layernorm_f32", "exp_f32"])
def test_transcendentals_are_bit_exact_in_csim(case_id: str) -> None:
    """exp, tanh and sqrt are libm calls at float precision in both the LLVM simulation and
    the C++ (`std::exp` on a float is `expf`); C simulation compares them bit for bit (no
    tolerance: its claim says so) on inputs that include extremes, infinities and NaN."""
    case = next(c for c in CASES if c.id == case_id)
    s, _ = _built(case)
    code = s.build(target="vhls").code
    assert any(f"std::{fn}(" in code for fn in ("exp", "tanh", "sqrt"))
    cert = s.verify(layers=("L3",), trials=20, csim=True)
    entry = next(e for e in cert.entries if e.layer == "CSIM")
    assert entry.result.status == "agreed"
    assert "tolerance" not in str(entry.scope) and "toleran" not in entry.statement


def test_reference_check_rejects_a_broken_kernel() -> None:
    """The harness can fail: a matmul whose reduction skips k = 0 disagrees with the
    reference on the inputs hypothesis draws."""
    from tests.library import broken_kernels

    s = av.customize(broken_kernels.matmul_skip_first, instantiate=[av.int32, 3, 4, 2])
    f = s.build()
    rng = np.random.default_rng(0)
    a = rng.integers(-9, 9, (3, 4), dtype=np.int32)
    b = rng.integers(-9, 9, (4, 2), dtype=np.int32)
    assert not np.array_equal(f(a, b), ref.matmul(a, b, av.int32))


def test_an_illegal_schedule_of_a_library_kernel_is_refused() -> None:
    """linear2d keeps its running sum in a scalar: moving the reduction outside the rows
    would share it between rows, and the checker refuses the step, leaving the schedule."""
    s = av.customize(linalg.linear2d, instantiate=[av.float32, 4, 5, 6])
    before = str(s.module)
    with pytest.raises(av.ScheduleError):
        s.reorder("k", "j")
    assert str(s.module) == before and not s.steps


def test_python_calls_of_operators_run_the_reference() -> None:
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    b = np.arange(12, dtype=np.int32).reshape(3, 4)
    np.testing.assert_array_equal(av.matmul(a, b), a @ b)
    np.testing.assert_array_equal(av.transpose(a), a.T)
    np.testing.assert_array_equal(av.relu(a - 3), np.maximum(a - 3, 0))
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_allclose(av.softmax(x).sum(axis=1), 1, rtol=1e-6)
