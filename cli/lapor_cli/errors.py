"""Exit codes, and how an expected error becomes one line on stderr.

The domain raises typed errors (``lapor_domain.errors``); the command line turns
each into ``lapor: error: <message>`` and an exit code a script can branch on.
The library already types every store failure (``StoreUnavailable``, its kind
``StoreCorrupt``, ``ConcurrentUpdate``), so no database driver is known here.
Anything not listed here is a bug, and keeps its traceback.
"""

from __future__ import annotations

import click

from lapor_domain import (
    ComplaintNotFound,
    ConcurrentUpdate,
    DatedBeforeLastEvent,
    InvalidInput,
    LaporError,
    LogDamaged,
    NotAllowed,
    NotPossibleInState,
    StoreUnavailable,
    TooLate,
)
from lapor_projections import for_terminal

from .exit_codes import EXIT_CODES_BRIEF, EXIT_CODES_HELP, ExitCode

__all__ = [
    "EXIT_CODES_BRIEF",
    "EXIT_CODES_HELP",
    "CliError",
    "DatabaseMissing",
    "ExitCode",
    "exit_code_of",
    "one_line",
]


class CliError(click.ClickException):
    """An expected failure the command line itself detects: invalid input (exit 2)."""

    exit_code = ExitCode.USAGE


class DatabaseMissing(CliError):
    """No database where one is needed (exit 4)."""

    exit_code = ExitCode.UNAVAILABLE


_REFUSALS = (NotAllowed, NotPossibleInState, DatedBeforeLastEvent, TooLate, ConcurrentUpdate)


def exit_code_of(error: BaseException) -> ExitCode | None:
    """The exit code of an expected error; None for anything else (a bug)."""
    if isinstance(error, CliError):
        return ExitCode(error.exit_code)
    if isinstance(error, click.UsageError):
        return ExitCode.USAGE
    if isinstance(error, ComplaintNotFound):
        return ExitCode.NOT_FOUND
    if isinstance(error, LogDamaged):
        return ExitCode.DAMAGED
    if isinstance(error, _REFUSALS):
        return ExitCode.REFUSED
    if isinstance(error, InvalidInput):
        return ExitCode.USAGE
    if isinstance(error, StoreUnavailable):  # StoreCorrupt too
        return ExitCode.UNAVAILABLE
    if isinstance(error, LaporError):
        return ExitCode.REFUSED
    if isinstance(error, click.ClickException):
        known = {code.value for code in ExitCode}
        return ExitCode(error.exit_code) if error.exit_code in known else ExitCode.REFUSED
    return None


def one_line(error: BaseException) -> str:
    """The error's message on one line, without the library's decorations.

    Messages quote what was typed or stored (an id, a title), so line breaks become
    spaces and any other control character is shown as an escape (``for_terminal``).
    """
    if isinstance(error, click.UsageError):
        text = error.format_message()
        if error.ctx is not None:
            text += f" (see '{error.ctx.command_path} --help')"
    elif isinstance(error, click.ClickException):
        text = error.format_message()
    else:
        text = str(error) or type(error).__name__
    return for_terminal(" ".join(text.split()))
