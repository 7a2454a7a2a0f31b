"""One Z3 query per step: asking a step's checks together gives each check the entry that
asking it alone gives (the same refuted obligation, the same counterexample), and proves
nothing that alone would not be proved."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import z3

import allo_verify as av
from allo_verify.equiv.instance_map import Check
from allo_verify.equiv.l1 import run_check, run_checks
from allo_verify.equiv.obligation import Obligation
from allo_verify.equiv.results import Proved, Refuted, Unknown
from allo_verify.schedule.primitives.reorder import Reorder
from allo_verify.schedule.primitives.split import Split
from allo_verify.schedule.schedule import clone_module
from tests.schedule import kernels as K
from tests.schedule.test_mutations import SplitWithoutGuard, SplitWrongInnerBound

ROOT = Path(__file__).parents[2]


def step_checks(s: av.Schedule, prim: object) -> list[Check]:
    with s.module.context:
        new = clone_module(s.module)
        prim.apply(new, s.ctx)  # type: ignore[attr-defined]
        return prim.checks(s.module, new, s.ctx)  # type: ignore[attr-defined]


def entry(result: object) -> tuple:
    cex = getattr(result, "counterexample", None)
    return (result.status, getattr(result, "reason", ""),  # type: ignore[attr-defined]
            cex.output if cex else None, cex.note if cex else None)


def one_by_one(checks: list[Check]) -> list[tuple]:
    """What checking each alone, stopping at the first refutation, records."""
    out = []
    for c in checks:
        r, _ = run_check(c)
        out.append((c.obligation.name, entry(r)))
        if isinstance(r, Refuted):
            break
    return out


def batched(checks: list[Check]) -> list[tuple]:
    out = []
    for c, r, _ in run_checks(checks):
        out.append((c.obligation.name, entry(r)))
        if isinstance(r, Refuted):
            break
    return out


MUTANTS = [(K.gemm, SplitWithoutGuard("i", 5), "/sound"),
           (K.gemm, SplitWrongInnerBound("i", 4), "/onto"),
           (K.seidel, Reorder(("j", "i")), "/order/A")]


def _records(mode: str, case: int) -> list[tuple]:
    kernel, prim, _ = MUTANTS[case]
    return (one_by_one if mode == "one" else batched)(step_checks(av.customize(kernel), prim))


def test_broken_rewrites_are_refuted_with_the_same_obligation_and_counterexample() -> None:
    """Which model Z3 gives depends on what the process asked Z3 before, so each way runs
    in a fresh process: the shared query (asked in a Z3 context of its own) must leave the
    per-check answers exactly as checking one by one gives them."""
    code = ("import json, sys; from tests.schedule.test_l1_batched import _records; "
            "print(json.dumps(_records(sys.argv[1], int(sys.argv[2]))))")
    for case, (_, _, name) in enumerate(MUTANTS):
        got = {}
        for mode in ("one", "batched"):
            p = subprocess.run([sys.executable, "-c", code, mode, str(case)], cwd=ROOT,
                               capture_output=True, text=True, timeout=300)
            assert p.returncode == 0, p.stderr
            got[mode] = json.loads(p.stdout)
        assert got["batched"] == got["one"]
        assert got["batched"][-1][0].endswith(name)
        assert got["batched"][-1][1][0] == "refuted"
        assert got["batched"][-1][1][3]  # a counterexample stated in source terms


def test_a_proved_step_is_one_query_and_every_check_keeps_its_entry() -> None:
    checks = step_checks(av.customize(K.gemm), Split("i", 4))
    got = list(run_checks(checks))
    assert [c.obligation.name for c, _, _ in got] == [c.obligation.name for c in checks]
    assert all(isinstance(r, Proved) for _, r, _ in got)
    assert [r.detail for _, r, _ in got] == [c.obligation.statement for c in checks]
    assert all(cost.extra == {"shared": len(checks)} and cost.queries == 1
               for _, _, cost in got)
    assert [entry(r) for _, r, _ in got] == [entry(run_check(c)[0]) for c in checks]


def _check(name: str, claim: z3.BoolRef, **kw: str) -> Check:
    return Check(Obligation(name, f"claim {name}", lambda: claim, "here"),
                 lambda m: f"x={m.eval(z3.Int('x'), model_completion=True)}", **kw)


def test_the_shared_query_proves_nothing_a_single_one_would_not() -> None:
    x = z3.Int("x")
    valid = _check("valid", z3.Or(x >= 0, x < 0))
    false = _check("false", x * x != 4)
    soft = _check("soft", x != 3, soft="an over-approximation")
    undecidable = _check("undecided", z3.BoolVal(True), unknown="not affine")
    got = {c.obligation.name: r for c, r, _ in run_checks([valid, undecidable, soft, false])}
    assert isinstance(got["valid"], Proved)
    assert isinstance(got["undecided"], Unknown) and got["undecided"].reason == "not affine"
    assert isinstance(got["soft"], Unknown) and "over-approximation" in got["soft"].reason
    assert isinstance(got["false"], Refuted)
    assert got["false"].counterexample.note in ("x=2", "x=-2")
    # variables shared between claims do not make them constrain each other
    a, b = _check("a", x != 1), _check("b", x == 1)
    assert [r.status for _, r, _ in run_checks([a, b])] == ["refuted", "refuted"]
    assert [r.status for _, r, _ in run_checks([valid, valid])] == ["proved", "proved"]
