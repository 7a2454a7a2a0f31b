"""A local scalar that every iteration starts by overwriting does not serialize the loops
around it; one that carries a value between iterations does."""

from __future__ import annotations

import numpy as np
import pytest
import z3

import allo_verify as av
from allo_verify.equiv.instance_map import Witness, order_obligations
from allo_verify.equiv.l1 import run_check
from allo_verify.equiv.polyhedral import var
from allo_verify.equiv.privatize import private_scope
from allo_verify.schedule.primitives.base import statements
from tests.schedule import kernels as K


def test_private_scope_detection() -> None:
    s = av.customize(K.local_accumulator)
    stmts = statements(s.module, "local_accumulator", s.ctx)
    assert private_scope(stmts.values(), "acc") == ("i", "j")
    for kernel, buf in ((K.running_sum, "t"), (K.conditional_reset, "t")):
        s = av.customize(kernel)
        assert private_scope(statements(s.module, kernel.__name__, s.ctx).values(), buf) is None
    assert private_scope(stmts.values(), "out") is None  # an array is never a scalar kill


def test_reorder_around_a_private_accumulator_is_accepted() -> None:
    s = av.customize(K.local_accumulator)
    s.reorder("j", "i")
    names = [c.name for c in s.steps[0].checks]
    assert any(n.endswith("/private/acc") for n in names)
    assert all(c.result.status == "proved" for c in s.steps[0].checks)
    A, b = np.arange(K.M * K.N, dtype=np.int32).reshape(K.M, K.N), np.arange(K.N, dtype=np.int32)
    np.testing.assert_array_equal(s.build()(A, b), b[None, :] + A * 6)
    assert s.verify(trials=10).status == "proved"


@pytest.mark.parametrize("kernel", [K.running_sum, K.conditional_reset])
def test_reorder_around_a_carried_scalar_is_refused(kernel) -> None:  # noqa: ANN001
    s = av.customize(kernel)
    with pytest.raises(av.ScheduleError) as info:
        s.reorder("j", "i")
    assert "/order/t" in str(info.value) and not s.steps


def test_iterations_that_do_not_correspond_are_refuted() -> None:
    # A witness that sends every new iteration j to old iteration (i, 0): instances that
    # share a new iteration of the private scope need not share an old one.
    s = av.customize(K.local_accumulator)
    old = statements(s.module, "local_accumulator", s.ctx)
    bad = Witness({sid: {"j": z3.IntVal(0) * var("j")} for sid in old}, {})
    checks = [c for c in order_obligations(old, old, bad, "broken")
              if "/private/" in c.obligation.name]
    results = [run_check(c)[0].status for c in checks]
    assert "refuted" in results


def test_scalar_read_outside_every_statement_is_not_private() -> None:
    s = av.customize(K.accumulator_returned)
    stmts = statements(s.module, "accumulator_returned", s.ctx)
    assert "last" in next(iter(stmts.values())).loose_reads
    assert private_scope(stmts.values(), "last") is None


def test_parallel_around_a_private_accumulator_is_accepted() -> None:
    s = av.customize(K.local_accumulator)
    s.parallel("j")
    names = [c.name for c in s.steps[0].checks]
    assert any(n.endswith("/private/acc") for n in names)
    assert not any("/independent/acc" in n for n in names)
    assert s.verify(trials=10).status == "proved"


def test_parallel_around_a_carried_scalar_is_refused() -> None:
    s = av.customize(K.running_sum)
    with pytest.raises(av.ScheduleError, match="independent/t"):
        s.parallel("j")


def test_private_read_check_refutes_a_read_before_the_overwrite(monkeypatch) -> None:  # noqa: ANN001
    # Pretend the overwrite of acc is the last statement of its iteration: the reads that
    # come before it must then be refuted.
    from allo_verify.schedule.primitives import parallel as par

    s = av.customize(K.local_accumulator)
    stmts = list(statements(s.module, "local_accumulator", s.ctx).values())
    scope, _ = par.private_kill(stmts, "acc")
    last = max((st for st in stmts if any(a.buffer == "out" and a.write for a in st.accesses)
                and "j" in st.loops), key=lambda st: st.chain)
    monkeypatch.setattr(par, "private_kill", lambda st, b: (scope, last))
    results = [run_check(c)[0].status for c in par.private_checks(stmts, "acc", "j", "broken")]
    assert "refuted" in results
