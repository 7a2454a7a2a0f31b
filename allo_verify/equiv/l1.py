"""Discharging L1 checks, deterministic (rlimit), with readable refutations.

Law (`run_checks`): a step's decidable checks are first asked as ONE Z3 query, "some claim is
false" (the disjunction of the negated claims, each over its own free variables, so it is
satisfiable exactly when some claim alone is falsifiable). When Z3 answers unsat, every
claim is valid and each check gets its own `Proved` entry. Any other answer (sat, or
unknown under the rlimit) decides nothing by itself: each check is then asked alone, in
order, exactly as `run_check` does, so a refuted or undecided check is named with the same
obligation and counterexample as when checks were always asked one by one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

import z3

from allo_verify.equiv import z3_fast as zf
from allo_verify.equiv.instance_map import Check
from allo_verify.equiv.obligation import DEFAULT_RLIMIT, rlimit_used, solve
from allo_verify.equiv.results import Cost, Counterexample, Proved, Refuted, Result, Unknown


def run_check(check: Check, rlimit: int = DEFAULT_RLIMIT,
              claim: z3.BoolRef | None = None) -> tuple[Result, Cost]:
    """Prove the check's claim, or refute it with a counterexample in source terms.
    `claim`: the check's already built claim (built here when None)."""
    ob = check.obligation
    if check.unknown:
        return Unknown(check.unknown), Cost()
    answer, solver, cost = solve(ob.build() if claim is None else claim, rlimit)
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


_SIDE: list[z3.Context] = []


def _side_context() -> z3.Context:
    """A Z3 context of its own for the shared queries: what the main context is asked
    afterwards (a per-check query naming a refutation) then sees the same history, hence
    gives the same model, as when checks were only ever asked one by one."""
    if not _SIDE:
        _SIDE.append(z3.Context())
    return _SIDE[0]


_SHARED_TACTIC: list[z3.Tactic] = []


def _shared_solver(ctx: z3.Context) -> z3.Solver:
    """A solver for the shared query: Z3's simplifier, then its SMT core (without the
    default solver's probing and tactic selection, which for these linear index queries
    costs more than it saves). The rlimit bounds it like any solver."""
    if not _SHARED_TACTIC:
        _SHARED_TACTIC.append(z3.Then(z3.Tactic("simplify", ctx), z3.Tactic("smt", ctx)))
    return _SHARED_TACTIC[0].solver()


def _translated(claim: z3.BoolRef, main: object, ctx: z3.Context) -> z3.BoolRef:
    """`claim.translate(ctx)` (the same term, copied into `ctx`), wrapped without z3.py's
    sort dispatch: a claim is a boolean, never a quantifier here (the fallback keeps z3.py's
    answer for anything else)."""
    if isinstance(claim, z3.QuantifierRef) or claim.ctx.ref() is not main:
        return claim.translate(ctx)
    return zf.wrap_bool(z3.Z3_translate(main, claim.ast, ctx.ref()), ctx)


def _all_valid(claims: list[z3.BoolRef], rlimit: int) -> tuple[bool, Cost]:
    """Whether Z3 shows every claim valid with one query (unsat of the disjunction of their
    negations); False means undecided here, never refuted. Only the unsat answer is used,
    so the solver's choice can change what is proved at once, never what is proved."""
    t0 = time.perf_counter()
    ctx = _side_context()
    s = _shared_solver(ctx)
    s.set("rlimit", int(rlimit))
    main = claims[0].ctx.ref() if claims else None
    s.add(zf.or_(*[zf.not_(_translated(c, main, ctx)) for c in claims]))
    answer = s.check()
    return answer == z3.unsat, Cost(rlimit=rlimit_used(s), queries=1,
                                    seconds=time.perf_counter() - t0)


def run_checks(checks: Sequence[Check], rlimit: int = DEFAULT_RLIMIT
               ) -> Iterator[tuple[Check, Result, Cost]]:
    """Each check with its result and cost, in order (see the module law). A consumer may
    stop early (at a refutation): per-check queries are made lazily. Checks proved by the
    shared query each get `Proved` and an equal share of its cost, with `extra["shared"]`
    the number of claims it proved at once."""
    decidable = [c for c in checks if not c.unknown]
    claims: dict[int, z3.BoolRef] = {}
    try:
        claims = {id(c): c.obligation.build() for c in decidable}
    except Exception:  # noqa: BLE001 - re-raised below, in order, by the check that fails
        decidable = []
    proved, shared = False, Cost()
    if decidable:
        proved, shared = _all_valid(list(claims.values()), rlimit)
    n = len(decidable)
    for c in checks:
        if c.unknown:
            yield c, Unknown(c.unknown), Cost()
        elif proved:
            yield c, Proved(c.obligation.statement), Cost(
                rlimit=shared.rlimit // n, queries=1, seconds=shared.seconds / n,
                extra={"shared": n})
        else:
            yield c, *run_check(c, rlimit, claims.get(id(c)))
