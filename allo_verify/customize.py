"""Allo's `allo.customize` module path: `from allo.customize import customize, Partition,
Schedule`. Importing it must not take `allo_verify.customize` (the function) away from
`import allo_verify as allo; allo.customize(fn)`: Python binds an imported submodule as an
attribute of its package, so this module is itself callable and means `customize(...)`."""

from __future__ import annotations

import sys
import types
from typing import Any

from allo_verify.allo_names import unsupported_getattr
from allo_verify.equiv.layouts import Partition
from allo_verify.schedule.schedule import Schedule
from allo_verify.schedule.schedule import customize as _customize

customize = _customize

__all__ = ["Partition", "Schedule", "customize"]


class _CallableModule(types.ModuleType):
    """This module: calling it is calling `customize`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Schedule:
        return _customize(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
__getattr__ = unsupported_getattr("allo_verify.customize")
