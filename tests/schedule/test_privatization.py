"""A local scalar that every iteration starts by overwriting does not serialize the loops
around it; one that carries a value between iterations does."""

from __future__ import annotations

import numpy as np
import pytest
import z3

import allo_verify as av
from allo_verify.equiv.instance_map import Witness
from allo_verify.equiv.l1 import run_check
from allo_verify.equiv.order_obligations import order_obligations
from allo_verify.equiv.polyhedral import var
from allo_verify.equiv.privatize import Privacy
from allo_verify.schedule.primitives.base import statements
from tests.schedule import kernels as K


def _privacy(kernel) -> Privacy:  # noqa: ANN001
    s = av.customize(kernel)
    return Privacy.of(statements(s.module, kernel.__name__, s.ctx).values())


def test_private_loops_detection() -> None:
    pv = _privacy(K.local_accumulator)
    assert pv.private("acc", "j") and pv.private("acc", "i")
    assert not pv.private("acc", "k")  # acc carries the sum across iterations of k
    pv = _privacy(K.running_sum)
    assert not pv.private("t", "i") and not pv.private("t", "j")
    # reset when j == 0 (an affine guard): each row starts afresh, so t is private to i
    # (its rows are independent), but it carries the running sum across iterations of j
    pv = _privacy(K.conditional_reset)
    assert pv.private("t", "i") and not pv.private("t", "j")
    assert not _privacy(K.local_accumulator).private("out", "j")  # an array is not a scalar


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


def test_scalar_returned_after_the_loops_is_not_private() -> None:
    pv = _privacy(K.accumulator_returned)
    assert not pv.private("last", "i") and not pv.private("last", "j")


def test_parallel_around_a_private_accumulator_is_accepted() -> None:
    s = av.customize(K.local_accumulator)
    s.parallel("j")
    names = [c.name for c in s.steps[0].checks]
    assert any("/private/acc/j/" in n for n in names)
    assert not any("/independent/acc" in n for n in names)
    assert s.verify(trials=10).status == "proved"


def test_parallel_around_a_carried_scalar_is_refused() -> None:
    s = av.customize(K.running_sum)
    with pytest.raises(av.ScheduleError, match="independent/t"):
        s.parallel("j")


def test_privacy_check_refutes_a_scalar_listed_but_not_private() -> None:
    # A parallel step whose hls.private lists a scalar that carries a value must be refuted
    # by the privacy obligation (the mutation: the attribute written by hand).
    from mlir.ir import Module

    from allo_verify.schedule.primitives.parallel import Parallel, private_attribute

    s = av.customize(K.running_sum)
    before = s.module
    with before.context:
        after = Module.parse(str(before))
        _, op = __import__("allo_verify.schedule.rewrite", fromlist=["loop_op"]).loop_op(after, "j")
        op.attributes["hls.private"] = private_attribute(["t"])
    checks = Parallel("j").checks(before, after, s.ctx)
    results = {c.obligation.name: run_check(c)[0].status for c in checks}
    assert any("/private/t/j/" in n and r == "refuted" for n, r in results.items())


def _renumbered(before, after, sids: tuple[int, ...]) -> tuple[dict, dict]:  # noqa: ANN001
    """The statements of two kernels, the second's stores given the ids `sids` (in program
    order) so that statements match by meaning: a hand-written "rewrite" of the first."""
    from mlir.ir import IntegerAttr, IntegerType, WalkResult

    from allo_verify.schedule.primitives.base import function

    old_s, new_s = av.customize(before), av.customize(after)
    with new_s.module.context:
        stores = []

        def visit(op) -> WalkResult:  # noqa: ANN001
            if op.name == "affine.store":
                stores.append(op)
            return WalkResult.ADVANCE

        function(new_s.module, after.__name__).walk(visit)
        for op, sid in zip(stores, sids, strict=True):
            op.attributes["stmt_id"] = IntegerAttr.get(IntegerType.get_signless(64), sid)
    return (statements(old_s.module, before.__name__, old_s.ctx),
            statements(new_s.module, after.__name__, new_s.ctx))


def test_a_read_moved_past_a_fresh_start_is_refuted() -> None:
    # Mutation: B's read of s moves after the second store; each side alone has its fresh
    # starts proved, but the statements group differently, so the pair is checked in full.
    from allo_verify.equiv.instance_map import IDENTITY
    from allo_verify.equiv.privatize import same_groups
    from tests.schedule import privacy_kernels as P

    olds, news = _renumbered(P.fresh_twice, P.fresh_twice_broken, (0, 1, 3, 2, 4))
    sids = sorted(olds)
    assert same_groups(Privacy.of(olds.values()), Privacy.of(news.values()), "s", olds, news,
                       sids) is None
    refuted = [c.obligation.name for c in order_obligations(olds, news, IDENTITY, "broken")
               if run_check(c)[0].status == "refuted"]
    assert "broken/S2/S3/order/s" in refuted
    # and the honest identity "rewrite" groups the same way: no pair across groups checked
    same = same_groups(Privacy.of(olds.values()), Privacy.of(olds.values()), "s", olds, olds,
                       sids)
    assert same is not None and same[0][1] == same[0][2] != same[0][3] == same[0][4]


def test_groups_that_differ_before_and_after_fall_back_to_the_full_order() -> None:
    # Mutation: the read of t moves into another group; every per-group fact still holds
    # (t private to a and to x on both sides), so only the pair across groups can see it.
    from allo_verify.equiv.instance_map import statement_obligations
    from allo_verify.equiv.privatize import same_groups
    from tests.schedule import privacy_kernels as P

    olds, news = _renumbered(P.moved_read_before, P.moved_read_after, (0, 2, 1, 3))
    w = Witness({3: {"x": var("a")}}, {3: {"a": var("x")}})
    sids = sorted(olds)
    assert same_groups(Privacy.of(olds.values()), Privacy.of(news.values()), "t", olds, news,
                       sids) is None
    checks = order_obligations(olds, news, w, "broken")
    checks += [c for n in sids for c in statement_obligations(olds[n], news[n], w, "broken")]
    assert all(run_check(c)[0].status != "refuted" for c in checks
               if "/order/" not in c.obligation.name and "/S1/S2/" not in c.obligation.name)
    refuted = [c.obligation.name for c in checks if run_check(c)[0].status == "refuted"]
    assert "broken/S1/S2/order/t" in refuted
