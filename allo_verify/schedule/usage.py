"""Checking the arguments of `Schedule` methods before anything runs.

A mistake in a request (a loop given as a number, a factor given as `True`, loops named in
the wrong order, an unknown layer) is the user's, not a checker's refusal: it raises
`ScheduleUsageError` (the CLI's exit 3) with the method, the argument and what was given,
and the schedule is unchanged. A checker's refusal stays a `ScheduleError` (exit 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from allo_verify.errors import ScheduleUsageError
from allo_verify.schedule.loops import LoopRef

LAYERS = ("L1", "L2", "L3")


def _shown(x: Any) -> str:
    return f"{type(x).__name__} {x!r}"


def loop_arg(axis: Any, method: str, what: str = "loop") -> str:
    """A loop given by name (`"i"`, `"kernel:i"`) or by a handle from `get_loops()`."""
    if isinstance(axis, LoopRef):
        return axis.qualified
    if isinstance(axis, str) and axis.strip():
        return axis
    raise ScheduleUsageError(f"{method}: the {what} must be a loop name (a string such as "
                             f"'i' or 'kernel:i') or a handle from get_loops(), got "
                             f"{_shown(axis)}")


def int_param(x: Any, method: str, name: str, minimum: int, maximum: int | None = None) -> int:
    """An integer argument in [minimum, maximum] (NumPy integers count; booleans do not)."""
    if isinstance(x, np.integer) and not isinstance(x, np.bool_):
        x = int(x)
    if isinstance(x, bool) or not isinstance(x, int) or x < minimum or \
            (maximum is not None and x > maximum):
        want = f">= {minimum}" if maximum is None else \
            f"in {minimum}..2**{maximum.bit_length() - 1}" if maximum & (maximum - 1) == 0 \
            else f"in {minimum}..{maximum}"
        raise ScheduleUsageError(f"{method}: {name} must be an integer {want}, got "
                                 f"{_shown(x)}")
    return x


def loop_list(axes: Any, method: str) -> list[Any]:
    """A list or tuple of loops (a bare string is one loop, not a sequence of letters)."""
    if isinstance(axes, (str, LoopRef)) or not isinstance(axes, Sequence):
        raise ScheduleUsageError(f"{method}: expected a list or tuple of loops, got "
                                 f"{_shown(axes)}")
    return list(axes)


BUDGETS = ("l2_budget", "l3_cell_budget", "rlimit")


def verify_args(layers: Any, trials: Any, seed: Any, allow_reassoc: Any = False,
                budgets: dict[str, Any] | None = None, method: str = "verify",
                tolerance: Any = None) -> tuple[str, ...]:
    """`verify`'s (or `method`'s) layers (a sequence of L1/L2/L3, at least one), trials
    (>= 1 when L3 runs), seed (an integer >= 0), allow_reassoc (a bool), budgets (each a
    known name with an integer >= 1) and tolerance (None or a finite number >= 0)."""
    if tolerance is not None and (
            isinstance(tolerance, (bool, np.bool_))
            or not isinstance(tolerance, (int, float, np.integer, np.floating))
            or not math.isfinite(float(tolerance)) or float(tolerance) < 0):
        raise ScheduleUsageError(f"{method}: tolerance must be None or a finite number >= 0, "
                                 f"got {_shown(tolerance)}")
    if not isinstance(allow_reassoc, (bool, np.bool_)):
        raise ScheduleUsageError(f"{method}: allow_reassoc must be True or False, got "
                                 f"{_shown(allow_reassoc)}")
    for key, value in (budgets or {}).items():
        if key not in BUDGETS:
            raise ScheduleUsageError(f"{method}: unknown argument '{key}'; budgets: "
                                     f"{', '.join(BUDGETS)}")
        int_param(value, method, key, 1)
    if isinstance(layers, str):
        layers = tuple(x.strip() for x in layers.split(","))
    if not isinstance(layers, Sequence) or not layers or \
            any(x not in LAYERS for x in layers):
        raise ScheduleUsageError(f"{method}: layers must be a non-empty selection of "
                                 f"{', '.join(LAYERS)}, got {_shown(layers)}")
    if "L3" in layers:
        int_param(trials, method, "trials (L3 co-simulation inputs; leave L3 out of the "
                              "layers to skip it)", 1)
    int_param(seed, method, "seed", 0)
    return tuple(layers)


def primitive_arg(prim: Any) -> None:
    """`apply` takes a schedule primitive (an instance, as `Split("i", 4)`)."""
    from allo_verify.schedule.primitives import Primitive

    if not isinstance(prim, Primitive):
        raise ScheduleUsageError(f"apply: expected a schedule primitive such as "
                                 f"Split('i', 4), got {_shown(prim)}")
