"""``lapor calendar``: working-day arithmetic an operator can check by hand (rules 2 and 3), and
the calendar's history: amendments recorded when they become known (rule 16)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import click

from lapor_domain import Actor, Amendment, Calendars, WorkingCalendar
from lapor_projections import views_spanning

from . import params
from .common import json_option, pass_session
from .errors import DatabaseMissing
from .helptext import HelpGroup
from .output import Column
from .session import Session
from .timeparse import local_text

WEEKEND = "weekend"
CLOSED = "closed"  # a closing day without a name


@click.group(cls=HelpGroup)
def calendar() -> None:
    """Working days: Monday to Friday minus national holidays and cuti bersama, as amended.

    \b
    Examples:
      lapor calendar deadline 2026-03-13 3
      lapor calendar is-working-day 2026-03-19
      lapor calendar holidays 2026
      lapor calendar amend --add 2025-08-18 --basis "SKB 3 Menteri 2025, perubahan" --as lapor-sp4n:ayu
      lapor calendar history
      lapor calendar outlook 2028
    """


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""A day's name as JSON gives it (whatever the machine's locale); tables say it in the operator's language."""


def weekday(day: date) -> str:
    """The day's short name, as JSON gives it: "Mon" ... "Sun"."""
    return DAY_NAMES[day.weekday()][:3]


def _day(session: Session, day: date) -> str:
    """A date as a sentence says it: its day's name in the operator's language, then the date."""
    return f"{session.out._(weekday(day))} {day:%Y-%m-%d}"


def _closed(cal: WorkingCalendar, day: date, names: dict[date, str]) -> str | None:
    """Why a day is not a working day; None if it is one."""
    if cal.is_working_day(day):
        return None
    return WEEKEND if day.weekday() >= 5 else names.get(day, CLOSED)


def _names(cal: WorkingCalendar, *years: int) -> dict[date, str]:
    return {day: name for year in sorted(set(years)) for day, name in cal.closing_days(year)}


DAY_COLUMNS = [
    Column("date", "date"),
    Column("weekday", "day", "term"),
    Column("working_day", "working day no.", "number"),
    Column("closed", "closed because", "term"),
]


@calendar.command()
@click.argument("start", callback=params.instant, metavar="DATE")
@click.argument("n", type=click.IntRange(min=1))
@json_option
@pass_session
def deadline(session: Session, start: datetime, n: int) -> None:
    """When "within N working days of DATE" ends: the end of the N-th working day after it.

    The day of DATE itself never counts, so a complaint arriving on Saturday
    starts counting on Monday. Every day in between is listed, so the count can
    be checked by hand.

    \b
    Example:
      lapor calendar deadline 2026-03-13 3
    """
    cal = session.recorded_calendars().calendar()
    due = cal.deadline(start, n)
    first = cal.local_date(start)
    last = cal.add_working_days(first, n)
    names = _names(cal, *range(first.year, last.year + 1))
    days, counted = [], 0
    day = first + timedelta(days=1)
    while day <= last:
        reason = _closed(cal, day, names)
        counted += reason is None
        days.append(
            {
                "date": day,
                "weekday": weekday(day),
                "working_day": None if reason else counted,
                "closed": reason,
            }
        )
        day += timedelta(days=1)
    result = {"start": first, "working_days": n, "last_working_day": last, "deadline": due, "days": days}
    if session.out.as_json:
        session.out.json(result)
        return
    session.out.rows(
        days,
        DAY_COLUMNS,
        title=session.out._("{n} working day(s) after {day}").format(n=n, day=_day(session, first)),
        caption=session.out._("Deadline: {due} {zone}, the end of {day}").format(
            due=local_text(due, session.zone), zone=session.zone, day=_day(session, last)
        ),
    )


@calendar.command("is-working-day")
@click.argument("day", callback=params.day, metavar="DATE")
@json_option
@pass_session
def is_working_day(session: Session, day: date) -> None:
    """Whether DATE is a working day, and if not, why (weekend, holiday, cuti bersama).

    \b
    Example:
      lapor calendar is-working-day 2026-03-19
    """
    cal = session.recorded_calendars().calendar()
    reason = _closed(cal, day, _names(cal, day.year))
    result = {
        "date": day,
        "weekday": DAY_NAMES[day.weekday()],
        "working_day": reason is None,
        "closed": reason,
    }
    if session.out.as_json:
        session.out.json(result)
    elif reason is None:
        click.echo(session.out._("{day} is a working day").format(day=_day(session, day)))
    else:
        said = session.out._("{day} is not a working day: {reason}")
        click.echo(said.format(day=_day(session, day), reason=session.out._(reason)))  # as a "term" cell


HOLIDAY_COLUMNS = [Column("date", "date"), Column("weekday", "day", "term"), Column("name", "closed because")]


@calendar.command()
@click.argument("year", type=int)
@json_option
@pass_session
def holidays(session: Session, year: int) -> None:
    """The weekdays of YEAR that are closed: national holidays and cuti bersama.

    \b
    Example:
      lapor calendar holidays 2026
    """
    closed = session.recorded_calendars().calendar().closing_days(year)
    rows = [{"date": d, "weekday": weekday(d), "name": name} for d, name in closed]
    title = session.out._("Closing days {year} ({count} weekdays)").format(year=year, count=len(rows))
    session.out.rows(rows, HOLIDAY_COLUMNS, title=title)


@calendar.command()
@click.option(
    "--add", "added", multiple=True, callback=params.days, metavar="DATE", help="A day that now closes."
)
@click.option(
    "--cancel",
    "cancelled",
    multiple=True,
    callback=params.days,
    metavar="DATE",
    help="A day that no longer closes.",
)
@click.option("--name", help="What the added days are called (default: the basis).")
@click.option(
    "--basis", required=True, help='The legal basis, e.g. "SKB 3 Menteri 2025, perubahan, 7 Agustus 2025".'
)
@click.option("--institution", help="Amend this institution's calendar only (default: the national one).")
@click.option(
    "--as", "actor", required=True, callback=params.actor, metavar=params.ACTOR_METAVAR, help="Who enters it."
)
@json_option
@pass_session
def amend(
    session: Session,
    added: tuple[date, ...],
    cancelled: tuple[date, ...],
    name: str | None,
    basis: str,
    institution: str | None,
    actor: Actor,
) -> None:
    """Record an amendment of the calendar now, and move the open deadlines it moves (rule 16).

    It is dated by when it is entered, never earlier. A deadline it moves into the past
    falls due now; one already final stays. The national desk amends the national
    calendar; an institution's admin team its own (--institution).

    \b
    Example:
      lapor calendar amend --add 2025-08-18 --name "Cuti Bersama Hari Kemerdekaan" \\
        --basis "SKB 3 Menteri 2025, perubahan, 7 Agustus 2025" --as lapor-sp4n:sp4n-ayu
    """
    app = session.app()
    add = dict.fromkeys(added, name) if name else list(added)
    amendment, moved = app.amend_calendar(
        add=add, cancel=cancelled, basis=basis, by=actor, institution=institution
    )
    _amended(session, amendment, moved)


def _amended(session: Session, amendment: Amendment, moved: int) -> None:
    result = {
        "version": amendment.version,
        "recorded_at": amendment.recorded_at,
        "added": [d for d, _ in amendment.added],
        "cancelled": list(amendment.cancelled),
        "institution": amendment.institution,
        "basis": amendment.basis,
        "deadlines_moved": moved,
    }
    if session.out.as_json:
        session.out.json(result)
        return
    said = session.out._("calendar amendment {version} recorded at {at}; {moved} open deadline(s) moved")
    click.echo(
        said.format(
            version=amendment.version, at=local_text(amendment.recorded_at, session.zone), moved=moved
        )
    )


BASE_COLUMNS = [
    Column("date", "date"),
    Column("weekday", "day", "term"),
    Column("change", "change", "term"),
    Column("name", "closed because"),
]


@calendar.command()
@json_option
@pass_session
def base(session: Session) -> None:
    """The base calendar this database counts on: the holidays package's closing days as it
    recorded them when it began, and where the installed package now differs (rule 16).

    An upgraded package changes nothing by itself: the days it marks differently are listed
    here, and `lapor calendar follow-package` records them as an amendment.

    \b
    Example:
      lapor calendar base
    """
    app = session.app()
    recorded = app.base_calendar.recorded()
    drift = app.calendar_drift()
    changes = [
        {
            "date": d,
            "weekday": weekday(d),
            "change": "added" if d in drift.added else "cancelled",
            "name": drift.added.get(d, ""),
        }
        for d in drift.days
    ]
    if session.out.as_json:
        session.out.json(
            {
                "recorded": None
                if recorded is None
                else {
                    "source": recorded.source,
                    "recorded_at": recorded.at,
                    "closing_days": len(recorded.closing_days),
                },
                "installed": drift.source,
                "differences": changes,
            }
        )
        return
    if recorded is None:
        said = session.out._(
            "no base calendar recorded yet: the next command records the installed {source}'s"
        )
        click.echo(said.format(source=drift.source))
        return
    said = session.out._(
        "base calendar: {source}, {count} closing days, recorded at {at}; installed: {installed}"
    )
    click.echo(
        said.format(
            source=recorded.source,
            count=len(recorded.closing_days),
            at=local_text(recorded.at, session.zone),
            installed=drift.source,
        )
    )
    title = session.out._("Days the installed package marks differently ({count})").format(count=len(changes))
    same = session.out._("the installed package marks no day differently from the recorded base calendar")
    session.out.rows(changes, BASE_COLUMNS, title=title, empty=same)


@calendar.command("follow-package")
@click.option(
    "--basis",
    help="The legal basis (default: the installed package and the base it differs from); "
    'e.g. "SKB 3 Menteri 2028".',
)
@click.option(
    "--as", "actor", required=True, callback=params.actor, metavar=params.ACTOR_METAVAR, help="Who enters it."
)
@json_option
@pass_session
def follow_package(session: Session, basis: str | None, actor: Actor) -> None:
    """Record the installed holidays package's changes to the base calendar as an amendment of
    the national calendar, now, and move the open deadlines it moves (rule 16).

    The national desk records it. `lapor calendar base` lists the days first.

    \b
    Example:
      lapor calendar follow-package --basis "SKB 3 Menteri 2028" --as lapor-sp4n:sp4n-ayu
    """
    app = session.app()
    drift = app.calendar_drift()
    said = session.out._("{source}, following the package (the base calendar recorded {recorded})")
    basis = basis or said.format(source=drift.source, recorded=drift.recorded_source)
    amendment, moved = app.follow_package(basis=basis, by=actor)
    _amended(session, amendment, moved)


HISTORY_COLUMNS = [
    Column("version", "#", "number"),
    Column("recorded_at", "recorded", "instant"),
    Column("by", "by", whole=True),
    Column("calendar", "calendar", "term"),
    Column("added", "added"),
    Column("cancelled", "cancelled"),
    Column("basis", "basis", max_width=48),
]


@calendar.command()
@json_option
@pass_session
def history(session: Session) -> None:
    """Every amendment of the calendar, in the order recorded: who, when, what, and why.

    \b
    Example:
      lapor calendar history
    """
    rows = [
        {
            "version": e.originator_version,
            "recorded_at": e.at,
            "by": f"{e.actor.role.value}:{e.actor.person}",
            "calendar": e.institution or "national",
            "added": ", ".join(f"{d} ({n})" for d, n in sorted(e.added.items())),
            "cancelled": ", ".join(map(str, sorted(e.cancelled))),
            "basis": e.basis,
        }
        for e in session.app().calendar_history()
    ]
    title = session.out._("Calendar amendments ({count})").format(count=len(rows))
    session.out.rows(
        rows, HISTORY_COLUMNS, title=title, empty=session.out._("no calendar amendment is recorded")
    )


OUTLOOK_COLUMNS = [
    Column("date", "date"),
    Column("weekday", "day", "term"),
    Column("name", "closed because"),
    Column("source", "source"),
    Column("estimated", "estimated", "flag"),
    Column("open_deadlines", "open complaints it spans", "number"),
]


@calendar.command()
@click.argument("year", type=int)
@json_option
@pass_session
def outlook(session: Session, year: int) -> None:
    """YEAR's closing days with their source (the holidays package, the policy, an amendment),
    the estimated ones flagged, and how many open complaints have a deadline spanning each: those an amendment
    of that day would move.

    \b
    Example:
      lapor calendar outlook 2028
    """
    calendars = session.recorded_calendars()
    source = _sources(calendars)
    base = calendars.base_source
    closed = calendars.calendar().closing_days(year)
    spans = _spanning(session, [d for d, _ in closed])
    rows = [
        {
            "date": d,
            "weekday": weekday(d),
            "name": name,
            "source": source.get(d, base),
            "estimated": ESTIMATED in name.lower(),
            "open_deadlines": spans.get(d),
        }
        for d, name in closed
    ]
    title = session.out._("Closing days {year} ({count} weekdays)").format(year=year, count=len(rows))
    if not session.out.as_json:  # JSON keeps the codes: "policy", "amendment 2", "holidays 0.58"
        rows = [{**row, "source": _source_said(session, str(row["source"]))} for row in rows]
    session.out.rows(rows, OUTLOOK_COLUMNS, title=title)


def _source_said(session: Session, source: str) -> str:
    if source == POLICY_SOURCE:
        return session.out._("policy")
    if source.startswith(AMENDMENT_SOURCE):
        return session.out._("amendment {version}").format(version=source.removeprefix(AMENDMENT_SOURCE))
    return source  # the package and its version


POLICY_SOURCE = "policy"
AMENDMENT_SOURCE = "amendment "

ESTIMATED = "perkiraan"
"""How the holidays package marks a day it estimates (Islamic holidays before the SKB is out)."""


def _sources(calendars: Calendars) -> dict[date, str]:
    found: dict[date, str] = dict.fromkeys(calendars.policy.extra_closing_days, POLICY_SOURCE)
    for amendment in calendars.amendments:
        if amendment.institution is None:
            for day, _ in amendment.added:
                found[day] = f"{AMENDMENT_SOURCE}{amendment.version}"
    return found


def _spanning(session: Session, days: list[date]) -> dict[date, int]:
    """How many open complaints have a deadline (a desk limit or a finishing clock) spanning each day;
    none without views."""
    try:
        views = session.views()
    except DatabaseMissing:
        return {}
    zone = session.zone
    return {d: views_spanning(views.db, datetime.combine(d, time(0), tzinfo=zone)) for d in days}


COMMANDS = [calendar]
