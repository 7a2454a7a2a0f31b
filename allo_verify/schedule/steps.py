"""The record of a schedule: each step's discharged obligations (`CheckRecord`, `Step`), and
the module operations steps rely on: an in-memory copy (`clone_module`) and the statement
numbering (`number_statements`) that lets a step match statements across designs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mlir.ir import InsertionPoint, IntegerAttr, IntegerType, Module, WalkResult

from allo_verify.equiv.polyhedral import EFFECTS
from allo_verify.equiv.results import Cost, Result
from allo_verify.schedule.primitives import Primitive


@dataclass
class CheckRecord:
    """One discharged obligation of a step."""

    name: str
    statement: str
    location: str
    result: Result
    cost: Cost


@dataclass
class Step:
    """A primitive with the results of its obligations: accepted (possibly `unchecked`: the
    user opted in and some obligation is not proved), or `refused` (the reason; only recorded
    while loading a design file)."""

    primitive: Primitive
    checks: list[CheckRecord] = field(default_factory=list)
    loops_before: Sequence[str] = field(default_factory=list)  # `describe_loops` lines
    loops_after: Sequence[str] = field(default_factory=list)
    unchecked: bool = False
    refused: str = ""
    instance: str = ""  # set when replayed by compose: the instance it was filed under
    #: the design right after this step (each step rewrites a fresh copy; only a user's
    #: in-place edit of `s.module` changes it later, see `edits`); read by the estimate
    after: Any = field(default=None, repr=False, compare=False)
    #: what this step left (`edits.Seal`), and whether the design was edited in place since
    #: the step before (the chain of steps is then broken there)
    seal: Any = field(default=None, repr=False, compare=False)
    edited_before: bool = field(default=False, repr=False, compare=False)
    #: bytecodes computed from `after` (see `loops.remembered`), reused by the next step
    #: only while `after` is still that IR
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self, detail: bool = False) -> dict[str, Any]:
        """The log entry (primitive name, arguments, and `unchecked: true` when so); with
        `detail`, also what the verdict rule and reports read: the hardware flag, loops
        before and after, the names of the step's obligations, a refusal and its reason."""
        d: dict[str, Any] = {"primitive": self.primitive.name, "args": self.primitive.args()}
        if self.unchecked:
            d["unchecked"] = True
        if self.instance:
            d["instance"] = self.instance
        if detail:
            d["label"] = (f"{self.instance}: " if self.instance else "") + self.primitive.label()
            d["hardware"] = bool(type(self.primitive).hardware)
            d["unchecked"] = self.unchecked
            d["loops_before"] = list(self.loops_before)
            d["loops_after"] = list(self.loops_after)
            d["obligations"] = [c.name for c in self.checks]
            if self.refused:
                d["refused"] = True
                d["reason"] = self.refused
        return d


def clone_module(module: Module) -> Module:
    """An independent copy of `module` in the same context: the same attributes, location
    and top-level ops (each cloned in memory, with its regions and source locations), so it
    prints exactly as `module` does; nothing is printed or parsed."""
    with module.context:
        new = Module.create(module.operation.location)
        attrs = module.operation.attributes
        for name in attrs:
            new.operation.attributes[name] = attrs[name]
        ip = InsertionPoint(new.body)
        for op in module.body.operations:
            op.operation.clone(ip=ip)
        return new


def number_statements(module: Module) -> None:
    """Give every statement op (store, call, copy) a `stmt_id` (program order) so steps can
    match statements."""
    counter = [0]
    with module.context:
        i64 = IntegerType.get_signless(64)

        def visit(op: Any) -> WalkResult:
            if op.name in EFFECTS:
                op.attributes["stmt_id"] = IntegerAttr.get(i64, counter[0])
                counter[0] += 1
            return WalkResult.ADVANCE

        module.operation.walk(visit)
