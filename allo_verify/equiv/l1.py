"""Discharging L1 checks: one Z3 query each, deterministic (rlimit), readable refutations."""

from __future__ import annotations

import z3

from allo_verify.equiv.instance_map import Check
from allo_verify.equiv.obligation import DEFAULT_RLIMIT, solve
from allo_verify.equiv.results import Cost, Counterexample, Proved, Refuted, Result, Unknown


def run_check(check: Check, rlimit: int = DEFAULT_RLIMIT) -> tuple[Result, Cost]:
    """Prove the check's claim, or refute it with a counterexample in source terms."""
    ob = check.obligation
    if check.unknown:
        return Unknown(check.unknown), Cost()
    answer, solver, cost = solve(ob.build(), rlimit)
    if answer == z3.unsat:
        return Proved(ob.statement), cost
    if answer == z3.sat:
        note = check.explain(solver.model()) if check.explain else "the claim is false"
        if check.soft:
            return Unknown(f"{check.soft}; possible violation: {note}"), cost
        cex = Counterexample(output=ob.name, cell=(), value_a="holds before",
                             value_b="broken after", inputs={}, confirmed="z3-model", note=note)
        return Refuted(cex, ob.statement), cost
    return Unknown(f"z3: {solver.reason_unknown()} (rlimit {rlimit})"), cost
