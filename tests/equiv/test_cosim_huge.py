"""L3 on a kernel whose one trial is far past any budget answers NotRun at once (it drew a
2**40-cell input in Python for minutes, then failed inside Hypothesis)."""

import allo_verify as allo
from allo_verify import int32
from allo_verify.equiv.results import NotRun


def huge(A: int32[1 << 40]) -> int32:  # noqa: N803
    return A[0] + A[5]


def test_trial_past_every_budget_is_not_run() -> None:
    cert = allo.customize(huge).verify(layers=("L3",))
    (e,) = cert.entries
    assert isinstance(e.result, NotRun) and "too large" in e.result.reason, e.result
    assert str(1 << 40) in e.result.reason
