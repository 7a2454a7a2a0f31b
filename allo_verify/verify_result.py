"""`allo.verify(s1, s2)` as Allo spells it: a truth value that is True only when the two
designs were proved equivalent, carrying the certificate that says how.

Law: `bool(verify(a, b))` is `verify(a, b).certificate.status == "proved"` (the verdict
rule); unknown, refuted and refused are all False. Two schedules of one kernel (the same
original IR) where at least one has no steps are checked as that kernel's schedule (L1 on
every step, L2, L3); any other pair by `check_equivalent` (L2, L3) on their current designs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class VerifyResult:
    """The outcome of `verify(a, b)`: truthy only when proved; `.certificate` has the rest."""

    certificate: Any

    @property
    def status(self) -> str:
        return self.certificate.status

    def __bool__(self) -> bool:
        return self.certificate.status == "proved"

    def __repr__(self) -> str:
        return f"<VerifyResult {self.status}>"


def verify(a: Any, b: Any, **options: Any) -> VerifyResult:
    """Are designs `a` and `b` (schedules, kernels or functions) equivalent? `options` go
    to `Schedule.verify` / `check_equivalent` (layers, trials, seed, csim, ...)."""
    from allo_verify.equiv.api import check_equivalent, ir_text
    from allo_verify.equiv.certificate import ir_hash
    from allo_verify.schedule.schedule import Schedule

    if isinstance(a, Schedule) and isinstance(b, Schedule) and \
            ir_hash(ir_text(a.original)) == ir_hash(ir_text(b.original)) and \
            (not a.steps or not b.steps):
        scheduled = b if not a.steps else a
        return VerifyResult(scheduled.verify(**options))
    return VerifyResult(check_equivalent(a, b, **options))
