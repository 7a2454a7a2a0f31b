"""Helpers for a project's own pytest suite: assert a design verifies, generate inputs.

    from allo_verify.testing import assert_verified, inputs_for

    def test_my_gemm_schedule():
        assert_verified(my_schedule, trials=50)

    @given(inputs_for(my_schedule))
    def test_runs(args):
        my_schedule.build()(*args)
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from allo_verify.design import Equivalence
from allo_verify.lang.signature import Signature


def assert_verified(design: Any, layers: tuple[str, ...] = ("L1", "L2", "L3"),
                    trials: int = 100, seed: int = 0, allow_reassoc: bool = False,
                    csim: bool = False) -> Any:
    """Verify `design` (a Schedule or an Equivalence) and fail the test unless every layer
    proved or agreed (with `csim`, also unless the C simulation of its emitted C++ agreed);
    the failure message is the reviewer report, counterexamples included. Returns the
    certificate."""
    from allo_verify.report.markdown import to_markdown

    cert = design.verify(layers=layers, trials=trials, seed=seed, allow_reassoc=allow_reassoc,
                         csim=csim)
    bad_csim = [e for e in cert.entries if e.layer == "CSIM" and e.result.status != "agreed"]
    if not cert.ok or bad_csim:
        what = (f"design is {cert.status}, not proved" if not cert.ok else
                f"C simulation of the emitted C++ is {bad_csim[0].result.status}")
        raise AssertionError(f"{what}\n\n{to_markdown(cert.to_dict())}")
    return cert


def _signature(x: Any) -> Signature:
    if isinstance(x, Signature):
        return x
    if isinstance(x, Equivalence):
        from allo_verify.equiv.api import module_and_sig

        return module_and_sig(x.reference)[1]
    sig = getattr(x, "sig", None)
    if isinstance(sig, Signature):
        return sig
    if callable(x):
        from allo_verify.lang.kernel import build_kernel

        return build_kernel(x).sig
    raise TypeError(f"no kernel signature in {x!r}")


def inputs_for(x: Any) -> st.SearchStrategy[tuple[Any, ...]]:
    """Argument tuples valid for the kernel's signature (a Schedule, Equivalence, kernel
    function or Signature): arrays of the right carrier dtype and shape with in-range values,
    type extremes included, cells distinct where the type allows."""
    from allo_verify.equiv.cosim import args_strategy

    return args_strategy(_signature(x))
