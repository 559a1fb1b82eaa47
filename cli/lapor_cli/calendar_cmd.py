"""``lapor calendar``: working-day arithmetic an operator can check by hand (rules 2 and 3)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import click

from lapor_domain import WorkingCalendar

from . import params
from .common import json_option, pass_session
from .output import Column
from .session import Session
from .timeparse import local_text

WEEKEND = "weekend"


@click.group()
def calendar() -> None:
    """Working days: Monday to Friday minus national holidays and cuti bersama.

    \b
    Examples:
      lapor calendar deadline 2026-03-13 3
      lapor calendar is-working-day 2026-03-19
      lapor calendar holidays 2026
    """


def _closed(cal: WorkingCalendar, day: date, names: dict[date, str]) -> str | None:
    """Why a day is not a working day; None if it is one."""
    if cal.is_working_day(day):
        return None
    return WEEKEND if day.weekday() >= 5 else names.get(day, "closed")


def _names(cal: WorkingCalendar, *years: int) -> dict[date, str]:
    return {day: name for year in sorted(set(years)) for day, name in cal.closing_days(year)}


DAY_COLUMNS = [
    Column("date", "date"),
    Column("weekday", "day"),
    Column("working_day", "working day no.", "number"),
    Column("closed", "closed because"),
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
    cal = session.policy.calendar
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
                "weekday": f"{day:%a}",
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
        title=f"{n} working day(s) after {first:%a %Y-%m-%d}",
        caption=f"Deadline: {local_text(due, session.zone)} {session.zone}, the end of {last:%a %Y-%m-%d}",
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
    cal = session.policy.calendar
    reason = _closed(cal, day, _names(cal, day.year))
    result = {"date": day, "weekday": f"{day:%A}", "working_day": reason is None, "closed": reason}
    if session.out.as_json:
        session.out.json(result)
    elif reason is None:
        click.echo(session.out._("{day} is a working day").format(day=f"{day:%a %Y-%m-%d}"))
    else:
        said = session.out._("{day} is not a working day: {reason}")
        click.echo(said.format(day=f"{day:%a %Y-%m-%d}", reason=reason))


HOLIDAY_COLUMNS = [Column("date", "date"), Column("weekday", "day"), Column("name", "closed because")]


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
    closed = session.policy.calendar.closing_days(year)
    rows = [{"date": d, "weekday": f"{d:%a}", "name": name} for d, name in closed]
    session.out.rows(rows, HOLIDAY_COLUMNS, title=f"Closing days {year} ({len(rows)} weekdays)")


COMMANDS = [calendar]
