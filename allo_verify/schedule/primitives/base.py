"""What every schedule primitive is, and the registry that only admits checked ones.

A primitive is a frozen dataclass with `apply(module, ctx)` (rewrites a copy of the design
in place, raising `ScheduleError` for a request that cannot be applied) and
`checks(before, after, ctx)` (the obligations that make the rewrite trustworthy). The
registry refuses a class that does not define its own `checks`.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, TypeVar

import z3
from mlir.ir import Module, StringAttr, WalkResult

from allo_verify.equiv.instance_map import (
    Check,
    Witness,
    statement_obligations,
)
from allo_verify.equiv.obligation import Obligation
from allo_verify.equiv.order_obligations import order_obligations
from allo_verify.equiv.polyhedral import Statement, extract
from allo_verify.errors import ScheduleError
from allo_verify.schedule.loops import remembered

REGISTRY: dict[str, type[Primitive]] = {}


@dataclass(frozen=True)
class Context:
    """What primitives need beyond the IR: argument names per function (for buffer names)."""

    arg_names: dict[str, list[str]]


class Primitive:
    """Base of schedule primitives; subclasses are frozen dataclasses."""

    name: ClassVar[str] = ""
    #: True for hardware annotations (parallel, pipeline, unroll; later partition, dataflow,
    #: streams): the LLVM simulation ignores them, so L2 and L3 cannot vouch for them and the
    #: verdict rule requires their L1 obligations proved whatever layers run
    hardware: ClassVar[bool] = False

    def apply(self, module: Module, ctx: Context) -> None:
        raise NotImplementedError

    def checks(self, before: Module, after: Module, ctx: Context) -> list[Check]:
        raise NotImplementedError

    def args(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    def label(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.args().items())
        return f"{self.name}({inner})"


def register(cls: type[Primitive]) -> type[Primitive]:
    """Add `cls` to the registry under `cls.name`; a primitive without a checker is refused."""
    if cls.checks is Primitive.checks or cls.apply is Primitive.apply:
        raise TypeError(f"primitive {cls.__name__} must define both apply() and checks()")
    if not cls.name or cls.name in REGISTRY:
        raise TypeError(f"primitive {cls.__name__} needs a unique name, got {cls.name!r}")
    REGISTRY[cls.name] = cls
    return cls


def function(module: Module, name: str) -> Any:
    for op in module.body.operations:
        op = op.operation
        if op.name == "func.func" and StringAttr(op.attributes["sym_name"]).value == name:
            return op
    raise KeyError(name)


#: extractions by (`design_key`, function, argument names); the key is exact (see it)
_T = TypeVar("_T")

_EXTRACTED: OrderedDict[tuple[str, bytes, tuple[str, ...]], list[Statement]] = OrderedDict()
_EXTRACTED_KEEP = 32


def bytecode(op: Any) -> bytes:
    """`op` (an operation or a module) as MLIR bytecode: a lossless encoding of its ops,
    attributes, types, regions and locations (equal bytes are equal IR), several times
    cheaper to produce than the printed text."""
    out = io.BytesIO()
    op.write_bytecode(out)
    return out.getvalue()


def without_hls(op: Any, render: Callable[[Any], _T],
                strips: Callable[[Any, str], bool],
                owners: Callable[[Any], bool] = lambda o: True) -> _T:
    """`render` of an in-memory copy of operation `op` from which every `hls.*` attribute
    that `strips(owner op, name)` selects was removed, looking only at the ops `owners`
    selects (a cheap filter; `strips` still decides); `op` itself is untouched."""
    with op.context:
        copy = op.clone()

        def visit(o: Any) -> WalkResult:
            if owners(o):
                for name in [n for n in o.attributes if n.startswith("hls.") and strips(o, n)]:
                    del o.attributes[name]
            return WalkResult.ADVANCE

        try:
            copy.walk(visit)
            return render(copy)
        finally:
            copy.erase()


def extraction_key(fop: Any) -> bytes:
    """Operation `fop` (a function, or a whole module) as `extract` sees it: its bytecode
    (see `bytecode`) after
    removing every `hls.*` attribute except `hls.private` from the ops that have no results
    (the function itself, loops without iteration values, stores). `extract` reads nothing
    else of those ops' hls attributes: from an op without results it reads only its name,
    operands, bounds, conditions, `loop_name`, `stmt_id`, `callee` and `hls.private`; every
    attribute of an op with results (which may be a node of a statement's operation tree)
    is kept. So two functions with one key have one extraction, and a step that only
    annotates loops (pipeline, unroll, parallel) leaves the key as it was. Equal keys also
    mean equal IR once every `hls.*` attribute is removed. Computed on a copy: `fop` is
    untouched."""
    return without_hls(fop, bytecode, lambda op, name: name != "hls.private",
                       lambda op: not len(op.results))


def _remember(key: tuple[str, bytes, tuple[str, ...]], found: list[Statement]) -> None:
    _EXTRACTED[key] = found
    _EXTRACTED.move_to_end(key)
    while len(_EXTRACTED) > _EXTRACTED_KEEP:
        _EXTRACTED.popitem(last=False)


def design_key(module: Module) -> bytes:
    """`extraction_key` of the whole module, computed once per `unchanged` block."""
    return remembered(module, EXTRACTION_KEY, lambda: extraction_key(module.operation))


EXTRACTION_KEY = "extraction-key"  # the `remembered` key of `design_key`
FULL_BYTECODE = "bytecode"  # the `remembered` key of a design's whole bytecode


def statements(module: Module, func: str, ctx: Context) -> dict[int, Statement]:
    """The statements of `func` by id. Extraction is reused when the module's `design_key`
    (all that `extract` reads of any function, so exact for each) and the argument names
    are those of a recent extraction: a step's `before` is the previous step's `after`, and
    an annotation step's `after` differs from its `before` only in what `extract` does not
    read. Statements are never mutated after extraction, so sharing them is safe."""
    names = tuple(ctx.arg_names.get(func, []))
    key = (func, design_key(module), names)
    found = _EXTRACTED.get(key)
    if found is None:
        found = extract(function(module, func), list(names))
        _remember(key, found)
    else:
        _EXTRACTED.move_to_end(key)
    by_id = {s.sid: s for s in found}
    if len(by_id) != len(found):
        raise ScheduleError(_duplicated(func, found))
    return by_id


def _duplicated(func: str, found: list[Statement]) -> str:
    """Why statements sharing a number cannot be checked: the instance map matches
    statements by number, so a second statement S (a copy of a nest that kept its
    `stmt_id`) would be silently dropped and its instances never checked."""
    seen: dict[int, list[str]] = {}
    for st in found:
        seen.setdefault(st.sid, []).append(st.location or "?")
    sid, where = next((k, v) for k, v in sorted(seen.items()) if len(v) > 1)
    return (f"function {func} has {len(where)} statements numbered S{sid} (at "
            f"{', '.join(where)}): statements are matched by number before and after a step, "
            "so a rewrite that copies a statement must give the copy a number of its own")


def forget_statements() -> None:
    """Drop every remembered extraction (benchmarks time a schedule from a cold start)."""
    _EXTRACTED.clear()


def others_unchanged_check(before: Module, after: Module, func: str, step: str) -> Check:
    """Every function but `func`, and every global, is textually the same after the step."""

    def rest(m: Module) -> list[str]:
        return [str(op) for op in m.body.operations
                if not (op.operation.name == "func.func"
                        and StringAttr(op.operation.attributes["sym_name"]).value == func)]

    same = rest(before) == rest(after)
    return Check(Obligation(f"{step}/others-unchanged",
                            f"{step} changes nothing outside function {func}",
                            lambda: z3.BoolVal(same), step),
                 lambda m: f"a function or global other than {func} changed")


def results_check(before: Module, after: Module, func: str, step: str, ctx: Context
                  ) -> Check:
    """`func` returns the same buffers and values after the step and allocates the same
    buffers (see `equiv.function_results`); Unknown when a result's load or a free is not
    where that comparison assumes."""
    names = tuple(ctx.arg_names.get(func, []))
    old, new = _results_facts(before, func, names), _results_facts(after, func, names)
    same = old[:2] == new[:2]
    inexact = "; ".join(f"{side}: {facts[2]}" for side, facts in (("before", old),
                                                                  ("after", new)) if facts[2])
    return Check(Obligation(f"{step}/results", f"{func} returns what it returned before {step}, "
                            "from the same buffers", lambda: z3.BoolVal(same), step),
                 lambda m: f"{func} returns another buffer or value, or allocates other "
                           "buffers, after the rewrite",
                 unknown=f"L1 compares results as computed at the return, and {inexact}"
                 if inexact and same else "")


def _results_facts(module: Module, func: str, names: tuple[str, ...]) -> tuple:
    """What `results_check` compares of `func` in `module` (its results, its allocated
    buffers, and why the comparison would be inexact, "" when it is exact): plain data,
    computed once per `unchanged` block and carried to the next step with the design."""
    from allo_verify.equiv.function_results import (
        early_free,
        local_buffers,
        program_order,
        results_of,
        separated_result_load,
    )
    from allo_verify.equiv.polyhedral import _Extractor

    def compute() -> tuple:
        fop = function(module, func)
        buffer = _Extractor(list(names)).buffer  # names by buffer_name: no walk, no state
        order = program_order(fop)
        return (results_of(fop, buffer), local_buffers(fop, buffer, order),
                separated_result_load(fop, order) or early_free(fop, order))

    return remembered(module, ("results", func, names), compute)


def instance_map_checks(before: Module, after: Module, func: str, witness: Witness,
                        step: str, ctx: Context,
                        olds: dict[int, Statement] | None = None) -> list[Check]:
    """Obligations 1-5 of the instance-map checker for every statement of `func`, and that
    nothing outside `func` changed. `olds`: the statements of `before`, when the caller
    already extracted them to build its witness."""
    olds = statements(before, func, ctx) if olds is None else olds
    news = statements(after, func, ctx)
    out: list[Check] = [others_unchanged_check(before, after, func, step),
                        results_check(before, after, func, step, ctx)]
    for sid in sorted(set(olds) | set(news)):
        if sid not in olds or sid not in news:
            where = "after" if sid in news else "before"
            out.append(Check(Obligation(
                f"{step}/S{sid}/exists", f"statement S{sid} exists before and after {step}",
                lambda: z3.BoolVal(False), step),
                lambda m, sid=sid, where=where: f"statement S{sid} exists only {where} the "
                                                "rewrite"))
            continue
        out += statement_obligations(olds[sid], news[sid], witness, step)
    return out + order_obligations(olds, news, witness, step)
