"""Obligations: named proof goals discharged by Z3 under a deterministic resource limit.

Law: `discharge(ob)` asks Z3 whether `not ob.build()` is satisfiable, with `rlimit` (never a
wall-clock timeout), so the same obligation gives the same answer on every run:
unsat -> `Proved`, sat -> `Refuted` with the model as a counterexample, unknown -> `Unknown`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import z3

from allo_verify.equiv.results import Cost, Counterexample, Proved, Refuted, Result, Unknown

DEFAULT_RLIMIT = 20_000_000


@dataclass(frozen=True)
class Obligation:
    """A named goal: `statement` in words, `build()` returns the Z3 claim that must be valid,
    `location` the source place (file:line or schedule step) it came from."""

    name: str
    statement: str
    build: Callable[[], z3.BoolRef]
    location: str = ""


_RLIMIT_SEEN = [0]


def rlimit_used(solver: z3.Solver) -> int:
    """Resource units the last `check()` of `solver` consumed (0 when Z3 does not report it).

    Z3 reports a count cumulative over the process (the limit itself is per check), so this
    returns the growth since the previous call. The counter is read from Z3's statistics
    directly (z3.py's `Statistics` makes a Python object per entry and scans them twice)."""
    ref = solver.ctx.ref()
    stats = z3.Z3_solver_get_statistics(ref, solver.solver)
    z3.Z3_stats_inc_ref(ref, stats)
    try:
        for i in range(z3.Z3_stats_size(ref, stats)):
            if z3.Z3_stats_get_key(ref, stats, i) != "rlimit count":
                continue
            total = int(z3.Z3_stats_get_uint_value(ref, stats, i)
                        if z3.Z3_stats_is_uint(ref, stats, i)
                        else z3.Z3_stats_get_double_value(ref, stats, i))
            used = max(0, total - _RLIMIT_SEEN[0])
            _RLIMIT_SEEN[0] = max(total, _RLIMIT_SEEN[0])
            return used
        return 0
    finally:
        z3.Z3_stats_dec_ref(ref, stats)


def make_solver(rlimit: int) -> z3.Solver:
    """A fresh solver bounded by `rlimit` resource units; deterministic across runs."""
    s = z3.Solver()
    s.set("rlimit", int(rlimit))
    return s


def model_value(v: z3.ExprRef) -> int | bool | str:
    """A Z3 model value as a Python value: bitvectors/integers -> int, booleans -> bool."""
    if z3.is_bv_value(v):
        return int(v.as_long())
    if z3.is_int_value(v):
        return int(v.as_long())
    if z3.is_true(v):
        return True
    if z3.is_false(v):
        return False
    return str(v)


def solve(claim: z3.BoolRef, rlimit: int) -> tuple[z3.CheckSatResult, z3.Solver, Cost]:
    """Ask whether `claim` can be false: Z3's answer for `not claim`, the solver (for its
    model or reason) and the cost."""
    t0 = time.perf_counter()
    s = make_solver(rlimit)
    s.add(z3.Not(claim))
    r = s.check()
    return r, s, Cost(rlimit=rlimit_used(s), queries=1, seconds=time.perf_counter() - t0)


def discharge(ob: Obligation, rlimit: int = DEFAULT_RLIMIT) -> tuple[Result, Cost]:
    """Prove `ob` or refute it with a model; `Unknown` names Z3's reason (e.g. rlimit)."""
    r, s, cost = solve(ob.build(), rlimit)
    if r == z3.unsat:
        return Proved(ob.statement), cost
    if r == z3.sat:
        m = s.model()
        inputs = {d.name(): model_value(m[d]) for d in sorted(m.decls(), key=lambda d: d.name())
                  if d.arity() == 0}
        cex = Counterexample(output=ob.name, cell=(), value_a="claim", value_b="false",
                             inputs=inputs, confirmed="z3-model")
        return Refuted(cex, ob.statement), cost
    return Unknown(f"z3: {s.reason_unknown()} (rlimit {rlimit})"), cost
