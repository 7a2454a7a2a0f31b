"""Refusals inside design files: within `collect_refusals()` a refused schedule step is
recorded on its schedule instead of raised, and the schedule's later steps are skipped
(returning what they would have returned), so every design of a file gets its verdict.

Law: outside `collect_refusals()` a step method behaves exactly as written; inside, the
outermost step method of a schedule never raises `ScheduleError`, and a schedule holding a
refusal changes no further.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from allo_verify.errors import ScheduleError
from allo_verify.schedule.buffers import BufferRef
from allo_verify.schedule.loops import LoopRef, unchanged
from allo_verify.schedule.primitives.split import split_names
from allo_verify.schedule.usage import loop_arg

Axis = str | LoopRef


def axis_name(axis: Axis, method: str = "schedule") -> str:
    """A loop given by name (`"i"`, `"kernel:i"`) or by a handle from `get_loops()`;
    anything else is a `ScheduleUsageError`. Inside a step method, a name that is not ours
    but Allo's spelling of one loop (`"i"` for the loop `C.i` of band `C`) becomes ours.
    A plain name that several kernels use names the top kernel's loop when the top kernel
    has exactly one such loop (as Allo looks loops up, and as `s.A` finds buffers);
    otherwise the ambiguity is an error listing the candidates."""
    name = loop_arg(axis, method)
    s = _SCHEDULE.get()
    if s is not None and not isinstance(axis, LoopRef):
        from allo_verify.errors import ScheduleUsageError
        from allo_verify.schedule.loop_bands import resolve_allo_axis

        try:
            name = resolve_allo_axis(s.original, s.module, name)
        except ScheduleUsageError as e:
            if "is ambiguous" not in str(e) or ":" in name:
                raise
            from allo_verify.schedule.loops import find_loop

            try:
                top = resolve_allo_axis(s.original, s.module, f"{s.kernel.name}:{name}")
                find_loop(s.module, top)
            except ScheduleUsageError:
                raise e from None
            return top
    return name


#: the schedule whose step method is running (for Allo's loop spellings in `axis_name`)
_SCHEDULE: ContextVar[Any] = ContextVar("allo_verify_step_schedule", default=None)


_DEFER: ContextVar[bool] = ContextVar("allo_verify_defer_refusals", default=False)


@contextlib.contextmanager
def collect_refusals() -> Iterator[None]:
    """Within this block a refused step is recorded on its schedule (`Schedule.refused`,
    `Schedule.usage_error`) instead of raised; later steps of that schedule are skipped."""
    token = _DEFER.set(True)
    try:
        yield
    finally:
        _DEFER.reset(token)


def _call_site() -> str:
    """file:line of the innermost caller outside this package (the design file's line)."""
    import traceback
    from pathlib import Path

    package = str(Path(__file__).resolve().parents[1])
    for frame in reversed(traceback.extract_stack()):
        if not str(Path(frame.filename).resolve()).startswith(package):
            return f"{frame.filename}:{frame.lineno}"
    return "?"


def axis_name_or(x: Any) -> Any:
    return axis_name(x) if isinstance(x, LoopRef) else x


def _short(axis: Any) -> str:
    return axis_name(axis).split(":")[-1]


def _split_fallback(axis: Axis, *_: Any, **__: Any) -> tuple[str, str]:
    return split_names(_short(axis))


def _tile_fallback(axes: Any, *_: Any, **__: Any) -> list[str]:
    pairs = [split_names(_short(a)) for a in axes]
    return [o for o, _ in pairs] + [i for _, i in pairs]


def _fuse_fallback(*axes: Any, **__: Any) -> str:
    return "_".join(_short(a) for a in axes) + "_fused"


def _buffer_fallback(kind: str) -> Callable[..., Any]:
    """The handle buffer_at (`kind="buf"`) or reuse_at (`"reuse"`) would have returned."""

    def fallback(target: Any, axis: Any = "", *_: Any, **__: Any) -> BufferRef:
        name = getattr(target, "qualified", str(target))
        kernel, _, buf = name.rpartition(":")
        suffix = "buf" if kind == "buf" else f"reuse_{_short(axis).replace('.', '_')}"
        return BufferRef(kernel, f"{buf}_{suffix}")

    return fallback


def _step_method(fallback: Callable[..., Any] | None = None) -> Callable[[Any], Any]:
    """A public primitive method. Outside `collect_refusals()` it runs as written. Inside,
    the outermost call records a refusal on the schedule instead of raising it (a usage
    error too), and once a schedule holds a refusal its later steps are skipped and return
    what they would have (`fallback`, from the arguments)."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(self: Any, *args: Any, **kw: Any) -> Any:
            if self.refusal is not None:
                self.skipped.append(f"{fn.__name__}{tuple(map(axis_name_or, args))!r}")
                return fallback(*args, **kw) if fallback else None
            self._depth += 1
            token = _SCHEDULE.set(self)
            try:
                with unchanged(self.module):  # a step never mutates the design it starts from
                    return fn(self, *args, **kw)
            except ScheduleError as e:
                if self._depth > 1 or not _DEFER.get():
                    raise
                self.refusal_site = _call_site()
                step = getattr(e, "step", None)
                if step is not None:
                    step.refused += f"\n  (requested at {self.refusal_site})"
                self.refusal = e
                return fallback(*args, **kw) if fallback else None
            finally:
                _SCHEDULE.reset(token)
                self._depth -= 1
        return wrapper
    return deco
