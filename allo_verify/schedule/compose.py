"""compose: replay a sub-kernel's schedule onto its instance in a parent design.

`parent.compose(sub, id=None, instantiate=None)` finds the function of the parent built
from the sub-schedule's kernel (the instance named `id`, or the instance at template
arguments `instantiate`, or the only one), maps every function of the sub-kernel to its
counterpart in the parent (the sub-kernel's own callees through its calls, in order), and
applies each logged step of `sub` again, its loops and buffers renamed into the parent
(`gemm:i` becomes `gemm_mm1:i`).

Laws:
- A replayed step is an ordinary step of the parent: it runs its checker again on the
  parent's design, so its obligations are proved (or refused) in the new context; it is
  marked with the instance (`Step.instance`) and its obligations are named `mm1: <step>/...`.
- A step accepted `unchecked` in the sub is replayed `unchecked`; no other step is.
- A replayed step that no longer applies (its loop was already transformed, a parent step
  set a different value of the same `hls.*` attribute, its band is no longer perfect, or
  its checker refuses it here) raises `ScheduleError` naming the step, the function and the
  loop, and the parent is left exactly as it was: nothing is half-applied.

Which primitive fields name loops and buffers: a primitive class may list them in
`loop_fields` / `buffer_fields`; otherwise fields named `axis`, `axes`, `*_axis`, `*_axes`
are loops and `target`, `buffer`, `*_target`, `*_buffer` are buffers. Any other string
argument of the form `function:name` whose function belongs to the sub-kernel is renamed too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlir.ir import Module, WalkResult

from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.lang.templates import Origin, TemplateError, arg_key
from allo_verify.lang.templates import instantiate as make_inst
from allo_verify.schedule.loops import find_loop, list_loops
from allo_verify.schedule.primitives import Primitive

if TYPE_CHECKING:
    from allo_verify.schedule.schedule import Schedule, Step


# ---- which fields are loops and buffers ---------------------------------------------------
def loop_fields(prim: Primitive) -> tuple[str, ...]:
    declared = getattr(type(prim), "loop_fields", None)
    if declared is not None:
        return tuple(declared)
    return tuple(f.name for f in dataclasses.fields(prim)  # type: ignore[arg-type]
                 if f.name in ("axis", "axes") or f.name.endswith(("_axis", "_axes")))


def buffer_fields(prim: Primitive) -> tuple[str, ...]:
    declared = getattr(type(prim), "buffer_fields", None)
    if declared is not None:
        return tuple(declared)
    return tuple(f.name for f in dataclasses.fields(prim)  # type: ignore[arg-type]
                 if f.name in ("target", "buffer") or f.name.endswith(("_target", "_buffer")))


def loop_names(prim: Primitive) -> list[str]:
    """The loop names a primitive's arguments mention, in field order."""
    out: list[str] = []
    for name in loop_fields(prim):
        v = getattr(prim, name)
        out += list(v) if isinstance(v, (tuple, list)) else [v]
    return [str(x) for x in out]


# ---- finding the instance -----------------------------------------------------------------
def same_function(a: Any, b: Any) -> bool:
    """One Python function (also across a re-import of its module: same code location)."""
    if a is b:
        return True
    ca, cb = getattr(a, "__code__", None), getattr(b, "__code__", None)
    return ca is not None and cb is not None and (
        ca.co_filename, ca.co_firstlineno, a.__qualname__) == (
        cb.co_filename, cb.co_firstlineno, b.__qualname__)


def select_target(parent: Schedule, sub: Schedule, id: str | None,
                  instantiate: Sequence[Any] | None) -> str:
    """The parent function the sub-schedule is replayed onto (see the module docstring)."""
    origin = sub.kernel.origins.get(sub.kernel.name)
    if origin is None:
        raise ScheduleUsageError(f"compose: the sub-schedule of '{sub.kernel.name}' does not "
                                 "record which kernel it was built from")
    if id is not None and not isinstance(id, str):
        raise ScheduleUsageError(f"compose: id must be an instance name (a string), got {id!r}")
    want_args: tuple[Any, ...] | None = None
    if instantiate is not None:
        if origin.args is None:
            raise ScheduleUsageError(f"compose: instantiate= given, but '{origin.name}' is "
                                     "not a kernel template")
        if isinstance(instantiate, (str, bytes)) or not isinstance(instantiate, Sequence):
            raise ScheduleUsageError(f"compose: instantiate= takes a list of template "
                                     f"arguments, got {instantiate!r}")
        try:
            want_args = make_inst(origin.kernel, list(instantiate), allow_id=False).args
        except TemplateError as e:
            raise ScheduleUsageError(f"compose: {e}") from None
    found = {sym: o for sym, o in parent.kernel.origins.items() if same_function(o.fn, origin.fn)}
    listing = "; ".join(o.describe(s) for s, o in found.items()) or "none"
    where = f"'{parent.kernel.name}'"
    if not found:
        raise ScheduleUsageError(f"compose: {where} does not call '{origin.name}' (the kernel "
                                 f"of the sub-schedule), so there is nothing to compose onto")
    cands = dict(found)
    if id is not None:
        cands = {s: o for s, o in cands.items() if o.id == id}
    if want_args is not None:
        cands = {s: o for s, o in cands.items() if arg_key(o.args or ()) == arg_key(want_args)}
    if len(cands) > 1 and id is None and want_args is None and origin.args is not None:
        cands = {s: o for s, o in cands.items() if o.id is None
                 and arg_key(o.args or ()) == arg_key(origin.args)} or cands
    if len(cands) == 1:
        return next(iter(cands))
    asked = ", ".join(x for x in (f"id={id!r}" if id is not None else "",
                                  f"instantiate={list(want_args)!r}" if want_args else "") if x)
    if not cands:
        raise ScheduleUsageError(f"compose: no instance of '{origin.name}' in {where} matches "
                                 f"{asked}; instances: {listing}")
    raise ScheduleUsageError(f"compose: '{origin.name}' has several instances in {where} "
                             f"({listing}); choose one with id=... or instantiate=[...]")


def _calls(module: Module, symbol: str) -> list[str]:
    """Callee symbols of the `func.call`s in function `symbol`, in program order."""
    from allo_verify.schedule.primitives.base import function

    out: list[str] = []

    def visit(op: Any) -> WalkResult:
        if op.name == "func.call":
            out.append(str(op.attributes["callee"]).lstrip("@").strip('"'))
        return WalkResult.ADVANCE

    try:
        function(module, symbol).walk(visit)
    except KeyError:
        pass
    return out


def function_map(parent: Schedule, sub: Schedule, target: str) -> dict[str, str]:
    """Sub-kernel function -> parent function: the top onto `target`; each callee onto the
    callee of the corresponding call (same position, same Python function)."""
    fmap = {sub.kernel.name: target}
    todo = [sub.kernel.name]
    while todo:
        f = todo.pop()
        mine, theirs = _calls(sub.original, f), _calls(parent.original, fmap[f])
        if len(mine) != len(theirs):
            continue
        for a, b in zip(mine, theirs, strict=True):
            oa, ob = sub.kernel.origins.get(a), parent.kernel.origins.get(b)
            if a in fmap or oa is None or ob is None or not same_function(oa.fn, ob.fn):
                continue
            fmap[a] = b
            todo.append(a)
    return fmap


# ---- renaming steps -----------------------------------------------------------------------
def _rename_qualified(v: str, fmap: dict[str, str], what: str, step: str) -> str:
    kernel, name = v.split(":", 1)
    if kernel not in fmap:
        raise ScheduleError(f"compose: step {step} names {what} '{v}' of function '{kernel}', "
                            "which has no counterpart in the parent design")
    return f"{fmap[kernel]}:{name}"


def renamed(prim: Primitive, state: Module, fmap: dict[str, str], sub_top: str) -> Primitive:
    """`prim` with its loops and buffers named in the parent: a loop is resolved where the
    sub-schedule applied it (`state`, its design just before the step) and qualified by the
    mapped function; a buffer `f:B` becomes `fmap[f]:B`, a bare `B` the target's `B`."""
    label = prim.label()
    loops, bufs = set(loop_fields(prim)), set(buffer_fields(prim))
    changes: dict[str, Any] = {}

    def loop(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        ref = find_loop(state, v)
        return _rename_qualified(ref.qualified, fmap, "loop", label)

    def buffer(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        return _rename_qualified(v if ":" in v else f"{sub_top}:{v}", fmap, "buffer", label)

    def other(v: Any) -> Any:
        if isinstance(v, str) and ":" in v and v.split(":", 1)[0] in fmap:
            return _rename_qualified(v, fmap, "name", label)
        return v

    for f in dataclasses.fields(prim):  # type: ignore[arg-type]
        v = getattr(prim, f.name)
        fn = loop if f.name in loops else buffer if f.name in bufs else other
        new = type(v)(fn(x) for x in v) if isinstance(v, (tuple, list)) else fn(v)
        if new != v:
            changes[f.name] = new
    return dataclasses.replace(prim, **changes) if changes else prim  # type: ignore[type-var]


def label_instance(step: Step, instance: str) -> None:
    """File the step and its obligations under `instance` (`mm1: split(...)/S3/sound`)."""
    step.instance = instance
    for c in step.checks:
        if not c.name.startswith(f"{instance}: "):
            c.name = f"{instance}: {c.name}"


def replay_plan(parent: Schedule, sub: Schedule, fmap: dict[str, str]
                ) -> tuple[list[tuple[Primitive, Step]], dict[str, dict[str, str]]]:
    """Each step of `sub` renamed for the parent, with the sub's step it came from, and the
    `hls.*` attributes of the sub's loops (renamed) before its first replayed step. The sub's
    design is rebuilt step by step to resolve each loop name where it was applied.

    The steps `customize` itself applied (Allo's loop keywords, `grid(..., pipeline=True)`)
    are not replayed: the parent's `customize` applied the same source keywords to the
    instance already."""
    from allo_verify.schedule.schedule import clone_module

    state = clone_module(sub.original)
    skip = len(getattr(sub.kernel, "loop_keywords", ()) or ())
    plan: list[tuple[Primitive, Step]] = []
    start: dict[str, dict[str, str]] = {}
    with state.context:
        for k, st in enumerate(sub.steps):
            if k == skip:
                start = hls_marks(state, set(fmap))
            if k >= skip:
                plan.append((renamed(st.primitive, state, fmap, sub.kernel.name), st))
            st.primitive.apply(state, sub.ctx)
        if len(sub.steps) <= skip:
            start = hls_marks(state, set(fmap))
    renamed_start = {f"{fmap[q.split(':', 1)[0]]}:{q.split(':', 1)[1]}": v
                     for q, v in start.items()}
    return plan, renamed_start


# ---- conflicts ----------------------------------------------------------------------------
def hls_marks(module: Module, functions: set[str]) -> dict[str, dict[str, str]]:
    """`hls.*` attributes of every named loop of `functions`: qualified loop -> attrs."""
    out: dict[str, dict[str, str]] = {}
    for lp in list_loops(module):
        if lp.kernel in functions:
            op = lp.op.operation
            out[lp.qualified] = {str(n): str(op.attributes[str(n)]) for n in op.attributes
                                 if str(n).startswith("hls.")}
    return out


def step_label(st: Step) -> str:
    return (f"{st.instance}: " if st.instance else "") + st.primitive.label()


def parent_step_on(parent: Schedule, loop: str, upto: int) -> str:
    """The label of the last of the parent's first `upto` steps that names `loop`."""
    kernel, name = loop.split(":", 1)
    for st in reversed(parent.steps[:upto]):
        for v in loop_names(st.primitive):
            if v == loop or (":" not in v and v == name):
                return step_label(st)
    return "an earlier step"


def transformed_by(parent: Schedule, loop: str, upto: int) -> str:
    """The label of the parent step (among the first `upto`) after which `loop` no longer
    existed, or "" when no step removed it."""
    for st in parent.steps[:upto]:
        before = {ln.strip().split("  ")[0] for ln in st.loops_before}
        after = {ln.strip().split("  ")[0] for ln in st.loops_after}
        if loop in before and loop not in after:
            return step_label(st)
    return ""


# ---- compose ------------------------------------------------------------------------------
def compose(parent: Schedule, sub: Schedule, id: str | None = None,
            instantiate: Sequence[Any] | None = None) -> list[Step]:
    """Replay `sub`'s steps onto its instance in `parent` (see the module docstring);
    returns the parent's new steps."""
    from allo_verify.schedule.schedule import Schedule

    if not isinstance(sub, Schedule):
        raise ScheduleUsageError(f"compose takes the Schedule of a sub-kernel, got "
                                 f"{type(sub).__name__}")
    if sub is parent:
        raise ScheduleUsageError("compose: a schedule cannot be composed into itself")
    if sub.refusal is not None:
        raise ScheduleUsageError(f"compose: the sub-schedule of '{sub.kernel.name}' holds a "
                                 f"refused step ({str(sub.refusal).splitlines()[0]}); fix it "
                                 "before composing it")
    target = select_target(parent, sub, id, instantiate)
    instance = id if id is not None else target
    fmap = function_map(parent, sub, target)
    origin: Origin = parent.kernel.origins[target]
    where = origin.describe(target)
    plan, expected = replay_plan(parent, sub, fmap)
    start = len(parent.steps)
    saved = (parent.module, list(parent.steps))
    # the parent's own annotations: those the sub did not start from (loop keywords aside)
    marks = {lp: attrs for lp, attrs in hls_marks(parent.module, set(fmap.values())).items()
             if attrs != expected.get(lp, {})}
    new_steps: list[Step] = []
    current: Primitive | None = None
    try:
        for k, (prim, old) in enumerate(plan, 1):
            current = prim
            what = f"step {k} of {sub.kernel.name}'s schedule, {old.primitive.label()}"
            loops = loop_names(prim)
            present = {lp.qualified for lp in list_loops(parent.module)}
            for lp in loops:
                gone = transformed_by(parent, lp, start) if lp not in present else ""
                if gone:
                    raise ScheduleError(
                        f"compose into {where}: {what} no longer applies: loop '{lp}' of "
                        f"function '{lp.split(':', 1)[0]}' was already transformed by the "
                        f"parent's step {gone}")
            try:
                step = parent.apply(prim, unchecked=old.unchecked)
            except ScheduleError as e:
                lp = loops[0] if loops else "-"
                hint = ("\n  (compose replays a step unchecked only when the sub-schedule "
                        "accepted it with unchecked=True)" if "could not be decided" in str(e)
                        else "")
                err = type(e)(f"compose into {where}: {what} (replayed as {prim.label()}) "
                              f"no longer applies to function '{target}' at loop '{lp}': "
                              f"{e}{hint}", e.counterexample)
                refused = getattr(e, "step", None)
                if refused is not None:
                    label_instance(refused, instance)
                    err.step = refused  # type: ignore[attr-defined]
                raise err from None
            label_instance(step, instance)
            new_steps.append(step)
            now = hls_marks(parent.module, set(fmap.values()))
            for lp, attrs in marks.items():
                if not attrs:
                    continue
                fn_name = lp.split(":", 1)[0]
                head = (f"compose into {where}: {what} (replayed as {prim.label()}) conflicts "
                        f"with the parent's step {parent_step_on(parent, lp, start)}: it ")
                if lp not in now:
                    raise ScheduleError(f"{head}transforms loop '{lp}' in function "
                                        f"'{fn_name}', which that step annotated "
                                        f"({', '.join(sorted(attrs))})")
                changed = [a for a, v in attrs.items() if now[lp].get(a) != v]
                if changed:
                    raise ScheduleError(
                        f"{head}changes {changed[0]} of loop '{lp}' in function '{fn_name}' "
                        f"from {attrs[changed[0]]} to {now[lp].get(changed[0], 'nothing')}")
    except ScheduleError as e:
        parent.module, parent.steps = saved  # nothing is half-applied
        if getattr(e, "step", None) is None and current is not None:
            from allo_verify.schedule.loops import describe_loops
            from allo_verify.schedule.schedule import Step

            # the refused step, for design files: their certificate records it (exit 1)
            e.step = Step(current, [], describe_loops(parent.module), [],  # type: ignore[attr-defined]
                          refused=str(e), instance=instance)
        raise
    except BaseException:
        parent.module, parent.steps = saved
        raise
    return new_steps
