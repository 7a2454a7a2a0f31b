"""Errors raised to users. Each one says what is wrong and where."""

from __future__ import annotations


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
