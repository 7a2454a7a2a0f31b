"""The kernels the HLS tests emit: every example design and every kernel of the frontend
and schedule test corpus that the frontend accepts."""

from __future__ import annotations

import functools
import glob
import importlib
import inspect
import os
import sys
from typing import Any

import allo_verify as av

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _functions(module: Any) -> list[tuple[str, Any]]:
    return [(name, fn) for name, fn in vars(module).items()
            if inspect.isfunction(fn) and fn.__module__ == module.__name__
            and not name.startswith(("test_", "_")) and fn.__annotations__]


@functools.cache
def corpus() -> dict[str, Any]:
    """name -> Schedule, for every kernel the frontend builds (others are skipped)."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "lang"))
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    out: dict[str, Any] = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "examples", "*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        mod = importlib.import_module(f"examples.{name}")
        for var, obj in vars(mod).items():
            if isinstance(obj, av.Schedule):
                out[f"examples.{name}.{var}"] = obj
            elif isinstance(obj, av.Equivalence):  # the hand-written implementation too
                impl = obj.implementation
                out[f"examples.{name}.{impl.__name__}"] = av.customize(impl)
    modules = [os.path.splitext(os.path.basename(p))[0]
               for p in sorted(glob.glob(os.path.join(ROOT, "tests", "lang", "test_*.py")))]
    sources = [importlib.import_module(m) for m in modules]
    sources.append(importlib.import_module("tests.schedule.kernels"))
    for mod in sources:
        for name, fn in _functions(mod):
            try:
                s = av.customize(fn)
            except Exception:  # noqa: BLE001 - helpers and deliberately invalid kernels
                continue
            out[f"{mod.__name__.rsplit('.', 1)[-1]}.{name}"] = s
    return out
