"""Errors raised to users. Each one says what is wrong and where."""

from __future__ import annotations

import os
import sys
from types import FrameType


class AlloVerifyError(Exception):
    """Base of every error this package raises on purpose."""


class FrontendError(AlloVerifyError):
    """An unsupported construct, an undefined name, or a type or shape error in a kernel.

    Carries the file, line, column and the quoted source line of the offending node.
    """

    def __init__(
        self,
        message: str,
        filename: str = "<unknown>",
        lineno: int = 0,
        col: int = 0,
        source_line: str = "",
    ) -> None:
        self.message = message
        self.filename = filename
        self.lineno = lineno
        self.col = col
        self.source_line = source_line
        where = f"{filename}:{lineno}:{col + 1}"
        text = f"{where}: {message}"
        if source_line:
            text += f"\n    {source_line.rstrip()}\n    {' ' * col}^"
        super().__init__(text)


class TypeArgumentError(FrontendError, TypeError):
    """A kernel type built from a bad argument: `Int(0)`, `UInt(-3)`, `Fixed(8, 9)`,
    `Memory(resource="FOO")`, `int32[0, 4] @ Memory()`, `ConstExpr[5]`, ... The message names
    the constructor, the argument and the rule it breaks.

    Law: the location is the user's code that built the type, the innermost frame outside
    this package and Python's own library (a kernel signature is evaluated where its `def`
    runs; a type alias where it is assigned), so the error reads `file:line:col: message` on
    one line. When the frontend evaluates an annotation itself it reports the annotation's
    node instead. Also a `TypeError`, as Python's own bad-argument errors are."""

    def __init__(self, message: str) -> None:
        filename, lineno, col = user_location(sys._getframe(1))
        super().__init__(message, filename, lineno, col)


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_STDLIB_DIR = os.path.dirname(os.path.abspath(os.__file__)) + os.sep


def user_location(frame: FrameType | None) -> tuple[str, int, int]:
    """(file, line, column) of the innermost frame from `frame` outwards that runs user code:
    not in this package, not in Python's library, not generated (`<string>`); column 0-based,
    of the expression that was running. ("<unknown>", 0, 0) when there is none."""
    while frame is not None:
        name = frame.f_code.co_filename
        path = os.path.abspath(name)
        library = path.startswith(_STDLIB_DIR) and "-packages" + os.sep not in path
        if not name.startswith("<") and not path.startswith(_PACKAGE_DIR) and not library:
            col = 0
            positions = list(frame.f_code.co_positions())
            k = frame.f_lasti // 2
            if 0 <= k < len(positions) and positions[k][2] is not None:
                col = positions[k][2]
            return name, frame.f_lineno or 0, col
        frame = frame.f_back
    return "<unknown>", 0, 0


def message_of(e: BaseException) -> str:
    """The words of an error without its location (a `FrontendError` carries its own; the
    frontend relocates it to the node it was evaluating)."""
    return e.message if isinstance(e, FrontendError) else str(e)


class ScheduleError(AlloVerifyError):
    """A schedule primitive was refused; the schedule is unchanged. The message says why
    (with the counterexample in words when a checker refuted it); `counterexample` holds it
    as data."""

    def __init__(self, message: str, counterexample: object | None = None) -> None:
        self.message = message
        self.counterexample = counterexample
        super().__init__(message)


class ScheduleUsageError(ScheduleError):
    """A schedule step that names a loop or buffer that does not exist, or passes an invalid
    argument: a mistake in the request, not a refusal by a checker."""


class DesignLoadError(AlloVerifyError):
    """The design file could not be loaded: a syntax or Python error, with file and line."""


class SignatureMismatch(DesignLoadError, TypeError):
    """Two kernels compared for equivalence (`av.equivalence`, `check_equivalent`,
    `check_equivalent_modules`) whose signatures differ; the message names both kernels and
    the first argument or result that differs (also a `TypeError`)."""


class NotSupportedError(AlloVerifyError):
    """An Allo feature, module or name this package does not implement (yet). The message
    reads "not supported: X" and says what to use instead when there is something; the CLI
    exits 3 (a usage error: nothing was verified)."""

    def __init__(self, feature: str, hint: str = "") -> None:
        self.feature = feature
        text = f"not supported: {feature}"
        super().__init__(f"{text} ({hint})" if hint else text)
