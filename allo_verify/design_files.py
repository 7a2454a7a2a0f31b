"""Design files as the command verifies them: loading a file's designs, picking one, and the
exit code a certificate's verdict gives. Shared by the `allo-verify` command and the
verification pool's workers, so both report a file's failure with the same words and code.

Law: every failure to load or pick becomes a `DesignFailure` carrying its message and exit
code (3 bad usage or frontend error, 1 a refused step); nothing else escapes.
"""

from __future__ import annotations

from typing import Any

from allo_verify.errors import FrontendError, ScheduleError, ScheduleUsageError

EXIT_OK, EXIT_REFUTED, EXIT_UNKNOWN, EXIT_USAGE = 0, 1, 2, 3


def _exit_code(cert: dict[str, Any]) -> int:
    """The exit code the verdict rule gives a certificate (its stored status is not read)."""
    from allo_verify.equiv.verdict import verdict

    return verdict(cert).exit_code


def _load(path: str) -> dict[str, Any]:
    """Designs of a file; errors become (message, exit code) via `DesignFailure`."""
    from allo_verify.design import DesignLoadError, load_designs

    try:
        return load_designs(path)
    except ScheduleUsageError as e:
        raise DesignFailure(f"{path}: schedule error: {e}", EXIT_USAGE) from None
    except ScheduleError as e:
        text = f"{path}: a schedule step was refused:\n{e}"
        raise DesignFailure(text, EXIT_REFUTED) from None
    except (DesignLoadError, FrontendError) as e:
        raise DesignFailure(str(e), EXIT_USAGE) from None


class DesignFailure(Exception):
    """The design could not be verified at all; `code` is the exit code that says why."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _pick(designs: dict[str, Any], name: str | None, path: str) -> list[str]:
    bad = [n for n in designs if not n.isidentifier()]
    if bad:
        raise DesignFailure(f"{path}: design names must be Python identifiers (they name "
                            f"report files): {bad}", EXIT_USAGE)
    if name is None:
        return list(designs)
    if name not in designs:
        raise DesignFailure(f"{path}: no design named '{name}'; designs: "
                            f"{', '.join(designs)}", EXIT_USAGE)
    return [name]
