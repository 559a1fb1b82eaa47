"""Exit codes, and how an expected error becomes one line on stderr.

The domain raises typed errors (``lapor_domain.errors``); the command line turns
each into ``lapor: error: <message>`` and an exit code a script can branch on.
The library already types every store failure (``StoreUnavailable``, its kind
``StoreCorrupt``, ``ConcurrentUpdate``), so no database driver is known here.
Anything not listed here is a bug, and keeps its traceback.

The line is in the operator's language: an error of the library or of the command line
carries a message template and its parameters (``LaporError.template``, ``.params``), the
template is translated from the catalogs (``i18n``) and each parameter, quoting what was
typed or stored, is made safe for the terminal before it is put in. ``str(error)`` stays
the English text.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

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
    Term,
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
    "said",
]

Translate = Callable[[str], str]


class CliError(click.ClickException):
    """An expected failure the command line itself detects: invalid input (exit 2).

    Like the library's errors, a message template and its parameters:
    ``CliError("no database at {path}", path=path)``."""

    exit_code = ExitCode.USAGE

    def __init__(self, template: str, /, **params: object) -> None:
        super().__init__(template.format(**params) if params else template)
        self.template = template
        self.params = params


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


def one_line(error: BaseException, translate: Translate = str) -> str:
    """The error's message on one line, in the operator's language, without the library's
    decorations.

    Messages quote what was typed or stored (an id, a title), so line breaks become
    spaces and any other control character is shown as an escape (``for_terminal``).
    """
    if isinstance(error, click.UsageError):
        text = said(error, translate)
        if error.ctx is not None:
            text += translate(" (see '{command} --help')").format(command=error.ctx.command_path)
    else:
        text = said(error, translate) or type(error).__name__
    return for_terminal(" ".join(text.split()))


def said(error: BaseException, translate: Translate = str) -> str:
    """What an error says: its template translated and filled in with its parameters, each
    made safe for the terminal; a message without a template as it is."""
    template = getattr(error, "template", None)
    params = getattr(error, "params", None)
    if not isinstance(template, str) or not template or not isinstance(params, dict):
        return error.format_message() if isinstance(error, click.ClickException) else str(error)
    if not params:
        return translate(template)
    fields = _SafeFields(translate)
    try:
        return fields.format(translate(template), **params)
    except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder
        return fields.format(template, **params)


class _SafeFields(string.Formatter):
    """Fills a template: a vocabulary word (``Term``) translated, every value on one line with
    its control characters shown, not obeyed."""

    def __init__(self, translate: Translate) -> None:
        self._translate = translate

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Term):
            value = self._translate(value)
        return for_terminal(" ".join(str(super().format_field(value, format_spec)).split()))
