"""The attributes-only check of the annotation steps trusts equal design keys
(`base.design_key`, which keeps `hls.private` and every attribute of an op with results)
as proof that two designs are equal without `hls.*` attributes. Checked by the attack5 QA
pass: an annotation step that also changes anything the key keeps, or anything that is not
an `hls.*` attribute, is still refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from mlir.ir import ArrayAttr, IntegerAttr, Module, StringAttr, UnitAttr

import allo_verify as av
from allo_verify.schedule.primitives.base import Context
from allo_verify.schedule.primitives.parallel import Parallel
from allo_verify.schedule.primitives.pipeline import Pipeline
from allo_verify.schedule.primitives.unroll import Unroll
from allo_verify.schedule.rewrite import loop_op
from tests.schedule import kernels as K
from tests.schedule.test_guarded_regrouping import ops_named


def hls_on_an_op_with_results(m: Module) -> None:
    ops_named(m, "arith.constant")[-1].attributes["hls.bind_op"] = UnitAttr.get()


def hls_on_a_load(m: Module) -> None:
    ops_named(m, "affine.load")[0].attributes["hls.latency"] = UnitAttr.get()


def private_on_another_loop(m: Module) -> None:
    loop_op(m, "i")[1].attributes["hls.private"] = ArrayAttr.get([StringAttr.get("C")])


def a_constant_value(m: Module) -> None:
    c = ops_named(m, "arith.constant")[-1]
    value = IntegerAttr(c.attributes["value"])
    c.attributes["value"] = IntegerAttr.get(value.type, value.value + 1)


def a_non_hls_attribute_of_a_store(m: Module) -> None:
    ops_named(m, "affine.store")[0].attributes["nontemporal"] = UnitAttr.get()


def a_statement_number(m: Module) -> None:
    store = ops_named(m, "affine.store")[0]
    store.attributes["stmt_id"] = IntegerAttr.get(
        IntegerAttr(store.attributes["stmt_id"]).type, 99)


EDITS = [hls_on_an_op_with_results, hls_on_a_load, private_on_another_loop,
         a_constant_value, a_non_hls_attribute_of_a_store, a_statement_number]


def also(base: type, edit: Callable[[Module], None]) -> type:
    @dataclass(frozen=True)
    class Broken(base):  # type: ignore[misc, valid-type]
        def apply(self, module: Module, ctx: Context) -> None:
            super().apply(module, ctx)
            with module.context:
                edit(module)

    return Broken


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: e.__name__)
@pytest.mark.parametrize(("base", "args"), [(Pipeline, ("j",)), (Unroll, ("j", 2)),
                                            (Parallel, ("j",))], ids=["pipeline", "unroll",
                                                                       "parallel"])
def test_an_annotation_step_that_changes_more_is_refused(
        base: type, args: tuple, edit: Callable[[Module], None]) -> None:
    s = av.customize(K.gemm)
    before = str(s.module)
    with pytest.raises(av.ScheduleError, match="attributes-only"):
        s._apply(also(base, edit)(*args))
    assert str(s.module) == before and not s.steps
