"""Pieces every command shares: the session, ``--json``, ``--at`` and the period options."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from .errors import CliError
from .params import instant_option
from .session import Session

F = TypeVar("F", bound=Callable[..., Any])


def pass_session(f: F) -> F:
    """Give the command the session; after it succeeded, the notes it left (on stderr): an
    expected error stays one line."""

    def with_session(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        session = ctx.find_object(Session)
        if session is None:  # pragma: no cover  # the root command always makes one
            raise RuntimeError("no session")
        result = ctx.invoke(f, session, *args, **kwargs)
        for note in session.take_notes():
            click.echo(f"lapor: note: {note}", err=True)
        return result

    return functools.update_wrapper(with_session, f)  # type: ignore[return-value]


def _json_requested(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        session = ctx.find_object(Session)
        if session is not None:
            session.out.as_json = True


def json_option(command: F) -> F:
    """``--json`` after the command too, as after ``lapor``: the same machine-readable output."""
    option = click.option(
        "--json",
        is_flag=True,
        expose_value=False,
        callback=_json_requested,
        help="Machine-readable output: stable keys, string ids, ISO-8601 instants.",
    )
    return option(command)


def at_option(help_text: str) -> Callable[[F], F]:
    return instant_option("--at", help=help_text)


def period_options(command: F) -> F:
    """``--from``/``--to``: a period of business time; ``--to`` with a bare date includes that day."""
    command = instant_option(
        "--to",
        "until",
        end_of_day=True,
        help="End of the period (a bare date includes that whole day). Default: now.",
    )(command)
    return instant_option(
        "--from", "since", help="Start of the period. Default: the first arrival: all of history."
    )(command)


def period(session: Session, since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    end = until or session.default_instant()
    return since or session.history_span()[0] or end - timedelta(days=1), end


def check_writable(path: Path) -> None:
    """Refuse, before any work, an output file whose folder is missing or read-only."""
    folder = path.parent if str(path.parent) else Path()
    try:
        if not folder.is_dir():
            raise CliError("cannot write {path}: no folder {folder}", path=path, folder=folder)
        if path.is_dir():
            raise CliError("cannot write {path}: it is a folder", path=path)
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise CliError("cannot write {path}: permission denied", path=path)
    except (OSError, ValueError) as exc:  # a name too long for the file system, a NUL in it
        raise CliError(
            "cannot write {path}: {reason}", path=path, reason=str(getattr(exc, "strerror", None) or exc)
        ) from None
