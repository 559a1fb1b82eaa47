"""Parameters in the domain's words: instants, dates, actors, roles.

They are option callbacks rather than ``ParamType`` classes, so they read the
policy's time zone from the invocation and work alike on every click 8 release.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import click

from lapor_domain import Actor, InvalidInput, Role, SlaPolicy

from .timeparse import NotAnInstant, parse_date, parse_instant

PUBLIC = "public"
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
Callback = Callable[[click.Context, click.Parameter, Any], T | None]


def _optional(parse: Callable[[click.Context, str], T]) -> Callback[T]:
    """A click callback: None stays None, a failure is a usage error naming the parameter."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> T | None:
        if value is None:
            return None
        try:
            return parse(ctx, str(value))
        except (NotAnInstant, InvalidInput) as exc:
            raise click.BadParameter(_said(ctx, exc), ctx=ctx, param=param) from None

    return callback


def _said(ctx: click.Context, error: Exception) -> str:
    """What the library's error says, in the operator's language once the session is there."""
    from .errors import said

    session = ctx.find_root().obj
    return said(error, session.out._) if session is not None else str(error)


def _policy(ctx: click.Context) -> SlaPolicy:
    policy: SlaPolicy = ctx.find_root().obj.policy
    return policy


def _instant(ctx: click.Context, text: str, *, end_of_day: bool = False) -> datetime:
    """An instant typed on the command line, in the years the policy's calendar covers."""
    policy = _policy(ctx)
    parsed = parse_instant(text, policy.zone, end_of_day=end_of_day)
    return policy.business_instant(parsed, "the instant")


instant = _optional(lambda ctx, text: _instant(ctx, text))
"""ISO-8601; a bare date is the start of that day in the policy's zone."""

end_instant = _optional(lambda ctx, text: _instant(ctx, text, end_of_day=True))
"""ISO-8601; a bare date is the end of that day (a period's end includes it)."""

known_at = _optional(lambda ctx, text: ctx.find_root().obj.now() if text == "now" else _instant(ctx, text))
"""``now``, or an instant as ``instant``: what was known then (rule 16)."""


def require_as_of(known_at: datetime | None, as_of: datetime | None) -> None:
    """``--known-at`` asks about a past instant: without ``--as-of`` it is a usage error."""
    if known_at is not None and as_of is None:
        from .errors import CliError

        raise CliError("--known-at needs --as-of: what was known when, about which instant")


def known_at_option() -> Callable[[F], F]:
    """``--known-at``: judge with the calendar amendments recorded by then (rule 16)."""
    option: Callable[[F], F] = click.option(
        "--known-at",
        callback=known_at,
        metavar="now|" + INSTANT_METAVAR,
        help="Judge deadlines with the calendar as it was known then (its amendments recorded by "
        "then; DOMAIN.md rule 16). Default: the --as-of instant, as it stood; 'now': as we know it "
        "now. Example: --as-of 2025-08-06 --known-at now.",
    )
    return option


day: Callback[date] = _optional(lambda _, text: parse_date(text))


def days(ctx: click.Context, param: click.Parameter, value: Any) -> tuple[date, ...]:
    """A repeated date option (``--add D --add E``), each a date."""
    try:
        return tuple(parse_date(str(v)) for v in value or ())
    except (NotAnInstant, InvalidInput) as exc:
        raise click.BadParameter(_said(ctx, exc), ctx=ctx, param=param) from None


actor: Callback[Actor] = _optional(lambda _, text: Actor.parse(text))
"""``lapor-sp4n:PERSON``, ``tim-admin:INSTITUTION:PERSON``,
``pejabat-penghubung:INSTITUTION/UNIT:PERSON``, ``pelapor:PERSON``."""

INSTANT_METAVAR = "DATE|INSTANT"
ACTOR_METAVAR = "ROLE:[SCOPE:]PERSON"

VIEWER_CHOICES = [PUBLIC, Role.NATIONAL.value, Role.ADMIN.value, Role.LIAISON.value, Role.REPORTER.value]


def viewer_role(text: str | Actor) -> Role | None:
    """The role whose eyes a view is shown to; None is the public."""
    if isinstance(text, Actor):
        return text.role
    return None if text == PUBLIC else Role(text)


def viewer_actor(text: str | Actor) -> Actor | None:
    """The viewer as an actor, when one was named (``tim-admin:kota-cirebon:dodi``)."""
    return text if isinstance(text, Actor) else None


def _viewer(ctx: click.Context, param: click.Parameter, value: Any) -> str | Actor:
    """A role (or ``public``), or a whole actor: only a named actor may be shown an identity,
    since its showing is recorded in the disclosure register (rule 14)."""
    text = str(value)
    if text in VIEWER_CHOICES:
        return text
    try:
        return Actor.parse(text)
    except InvalidInput as exc:
        session = ctx.find_root().obj
        others = session.out._("or one of") if session is not None else "or one of"
        raise click.BadParameter(
            f"{_said(ctx, exc)}; {others} {', '.join(VIEWER_CHOICES)}", ctx=ctx, param=param
        ) from None


viewer_option = click.option(
    "--viewer",
    callback=_viewer,
    default=PUBLIC,
    show_default=True,
    metavar="ROLE|ACTOR",
    help="Whose eyes: public, a role, or an actor such as tim-admin:kota-cirebon:dodi. The reporter's "
    "identity shows only to an actor rule 10 entitles, with a key file that opens it (--key-file); "
    "each showing is recorded (lapor disclosures).",
)

purpose_option = click.option(
    "--purpose", help="Why the identity is looked at, for the disclosure register (default: the command)."
)


def instant_option(
    *names: str, help: str, required: bool = False, end_of_day: bool = False
) -> Callable[[F], F]:
    """An option taking an instant: ISO-8601, a bare date in the policy's zone."""
    option: Callable[[F], F] = click.option(
        *names,
        callback=end_instant if end_of_day else instant,
        metavar=INSTANT_METAVAR,
        required=required,
        help=help,
    )
    return option
