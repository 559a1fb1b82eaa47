"""Times people read: a deadline as the last working day it includes, and the zone of a table."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from hypothesis import given
from hypothesis import strategies as st

from lapor_domain import SlaPolicy, WorkingCalendar
from lapor_projections import readable
from test_cli import (  # noqa: F401  (office_hours: the wall clock the commands read)
    ADMIN,
    NATIONAL,
    UNIT_LIMIT,
    UNIT_TARGET,
    lapor,
    office_hours,
    ok,
    submit,
)

CALENDAR = SlaPolicy.cirebon().calendar
WIB = ZoneInfo("Asia/Jakarta")


def test_the_names_are_the_cldrs() -> None:
    for offset in range(7):
        day = date(2025, 2, 10) + timedelta(days=offset)  # Monday to Sunday
        assert readable.DAYS["id"][day.weekday()] == format_date(day, "EEEE", locale="id")
        assert readable.DAYS["en"][day.weekday()] == format_date(day, "EEE", locale="en")
    for month in range(1, 13):
        day = date(2025, month, 1)
        for lang in readable.LANGUAGES:
            assert readable.MONTHS[lang][month - 1] == format_date(day, "MMM", locale=lang)


def test_the_issues_example() -> None:
    deadline = datetime(2025, 2, 15, 0, 0, tzinfo=WIB)  # "target 2025-02-15 00:00"
    assert readable.deadline_text(deadline, WIB, "id") == "s.d. Jumat, 14 Feb 2025"
    assert readable.deadline_text(deadline, WIB, "en") == "by end of Fri 14 Feb 2025"
    at = datetime(2025, 2, 11, 10, tzinfo=WIB)  # a Tuesday: Wed, Thu, Fri left
    left = readable.working_days_left(deadline, at, CALENDAR)
    assert left == 3
    assert readable.left_text(left, "id", passed=False) == "3 hari kerja lagi"
    assert readable.left_text(left, "en", passed=False) == "3 working days left"
    assert readable.left_text(0, "en", passed=False) == "last day"
    assert readable.left_text(-2, "id", passed=True) == "lewat 2 hari kerja"
    assert readable.left_text(-1, "en", passed=True) == "1 working day over"


def test_a_day_that_ends_before_midnight_says_its_hour() -> None:
    deadline = datetime(2025, 2, 14, 16, 0, tzinfo=WIB)
    assert readable.deadline_text(deadline, WIB, "id") == "s.d. Jumat, 14 Feb 2025 16:00"
    assert readable.deadline_text(deadline, WIB, "en") == "by 16:00 Fri 14 Feb 2025"


@given(
    start=st.datetimes(datetime(2011, 1, 1), datetime(2049, 1, 1), timezones=st.just(UTC)),
    n=st.integers(1, 80),
    ends=st.sampled_from([None, time(16), time(23, 59)]),
)
def test_the_day_shown_is_the_last_working_day_the_deadline_includes(
    start: datetime, n: int, ends: time | None
) -> None:
    calendar = WorkingCalendar.indonesia(day_ends_at=ends)
    deadline = calendar.deadline(start, n)
    last = readable.last_day(deadline, calendar.timezone)
    assert last == calendar.add_working_days(calendar.local_date(start), n)
    assert calendar.is_working_day(last)
    assert readable.working_days_left(deadline, start, calendar) == n
    on_the_day = datetime.combine(last, time(8), tzinfo=calendar.timezone)
    assert readable.working_days_left(deadline, on_the_day, calendar) == 0


@pytest.mark.parametrize(
    ("lang", "expected"), [("id", "waktu WIB (Asia/Jakarta)"), ("en", "times in WIB (Asia/Jakarta)")]
)
def test_a_table_names_its_time_zone(lang: str, expected: str) -> None:
    assert readable.zone_caption(WIB, None, lang) == expected
    assert readable.zone_caption(ZoneInfo("Asia/Makassar"), None, lang).endswith("WITA (Asia/Makassar)")


def test_a_step_says_its_deadlines_as_the_last_working_day_with_the_days_left(tmp_path: Path) -> None:
    """Issue 10: "target 2026-03-31 00:00" read as the end of Monday 30 March, in both languages."""
    db = tmp_path / "lapor.db"
    cid = submit(db)
    ok(lapor(db, "verify", cid, "--as", NATIONAL, "--at", "2026-03-13T10:00"))
    ok(lapor(db, "dispose", cid, "--to", "kota-cirebon", "--as", NATIONAL, "--at", "2026-03-13T10:05"))
    ok(lapor(db, "verify", cid, "--as", ADMIN, "--at", "2026-03-16T08:00"))
    step = ["dispose", cid, "--to", "kota-cirebon/dinkes", "--as", ADMIN, "--at", "2026-03-16T08:00"]
    said = ok(lapor(db, "--lang", "id", *step)).stdout
    target, limit = datetime.fromisoformat(UNIT_TARGET), datetime.fromisoformat(UNIT_LIMIT)
    at = datetime(2026, 3, 16, 8, tzinfo=WIB)
    left = readable.working_days_left(target, at, CALENDAR)
    assert left == 5  # 17 March, then 25-27 and 30 March: 18-24 March are closed
    assert f"target {readable.deadline_text(target, WIB, 'id')} (5 hari kerja lagi)" in said
    assert f"batas {readable.deadline_text(limit, WIB, 'id')} (10 hari kerja lagi)" in said
    assert "00:00" not in said
    liaison = "pejabat-penghubung:kota-cirebon/dinkes:sari"
    ok(lapor(db, "return", cid, "--reason", "bukan kewenangan", "--as", liaison, "--at", "2026-03-16T09:00"))
    again = ok(lapor(db, "--lang", "en", *step[:-1], "2026-03-16T10:00")).stdout
    assert "target by end of Mon 30 Mar 2026 (5 working days left)" in again
