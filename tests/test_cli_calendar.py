"""`lapor calendar amend / history / outlook` and `show --known-at` (DOMAIN.md rule 16)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from lapor_domain.model.calendar import package_closing_days
from test_cli import (  # noqa: F401  (office_hours: the wall clock every command here reads)
    ADMIN,
    DINKES,
    NATIONAL,
    OFFICE,
    UNIT_LIMIT,
    WIB,
    as_json,
    lapor,
    office_hours,
    ok,
    refused,
    submit,
    to_unit,
)

from conftest import Package


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "lapor.db"


@pytest.fixture
def at_unit(db: Path) -> str:
    """A complaint on Dinas Kesehatan's desk since Monday 16 March 2026, entered on Tuesday 17th."""
    cid = submit(db, "--reporter-name", "Siti Aminah")
    to_unit(db, cid)
    OFFICE.follow(datetime(2026, 3, 17, 10, tzinfo=WIB))
    return cid


AMENDED_LIMIT = "2026-04-09T00:00:00+07:00"  # one day later: Wednesday 25 March closed


def test_an_amendment_moves_the_limit_and_the_past_can_be_asked_both_ways(db: Path, at_unit: str) -> None:
    before = as_json(lapor(db, "show", at_unit, "--json"))
    assert before["limit"] == UNIT_LIMIT
    amended = as_json(
        lapor(db, "calendar", "amend", "--add", "2026-03-25", "--name", "Hari libur (contoh)",
              "--basis", "Keppres (contoh)", "--as", NATIONAL, "--json")
    )  # fmt: skip
    assert amended["version"] == 1 and amended["added"] == ["2026-03-25"]
    assert amended["deadlines_moved"] == 1  # its escalation clock; the desk limit is the views'
    assert as_json(lapor(db, "show", at_unit, "--json"))["limit"] == AMENDED_LIMIT
    then = ["show", at_unit, "--as-of", "2026-03-16T09:00", "--json"]
    assert as_json(lapor(db, *then))["limit"] == UNIT_LIMIT  # as it stood: not yet known
    assert as_json(lapor(db, *then, "--known-at", "now"))["limit"] == AMENDED_LIMIT
    timeline = as_json(lapor(db, "history", at_unit, "--json"))
    assert timeline[-1]["deadline_amended_by"] == "1: Keppres (contoh)"  # the limit it moved, and why
    assert timeline[0]["deadline_amended_by"] is None  # the national desk's stay ended before it
    then_timeline = as_json(lapor(db, "history", at_unit, "--as-of", "2026-03-16T09:00", "--json"))
    assert all(e["deadline_amended_by"] is None for e in then_timeline)  # as it stood: not yet
    known_now = ["history", at_unit, "--as-of", "2026-03-16T09:00", "--known-at", "now", "--json"]
    assert as_json(lapor(db, *known_now))[-1]["deadline_amended_by"] == "1: Keppres (contoh)"
    queue = ["queue", "unit:kota-cirebon/dinkes", "--as-of", "2026-03-16T09:00", "--json"]
    [stood] = as_json(lapor(db, *queue))
    [known] = as_json(lapor(db, *queue, "--known-at", "now"))
    assert (stood["limit"], known["limit"]) == (UNIT_LIMIT, AMENDED_LIMIT)
    [row] = as_json(lapor(db, "calendar", "history", "--json"))
    assert row["basis"] == "Keppres (contoh)" and row["by"] == NATIONAL and row["calendar"] == "national"
    outlook = {r["date"]: r for r in as_json(lapor(db, "calendar", "outlook", "2026", "--json"))}
    assert outlook["2026-03-25"]["source"] == "amendment 1"
    assert outlook["2026-03-25"]["open_deadlines"] == 1
    assert outlook["2026-01-01"]["source"].startswith("holidays ")  # the recorded base, with its version
    table = ok(lapor(db, "--lang", "id", "calendar", "outlook", "2026")).stdout
    assert "perubahan 1" in table and "amendment 1" not in table  # JSON keeps the code
    assert not as_json(lapor(db, "calendar", "is-working-day", "2026-03-25", "--json"))["working_day"]


def test_who_may_not_amend_and_what_is_not_an_amendment(db: Path, at_unit: str) -> None:
    amend = ["calendar", "amend", "--basis", "Keppres (contoh)"]
    refused(lapor(db, *amend, "--add", "2026-03-25", "--as", ADMIN), 1, "national calendar")
    refused(lapor(db, *amend, "--add", "2026-03-25", "--as", DINKES, "--institution", "kota-cirebon"), 1)
    refused(lapor(db, *amend, "--as", NATIONAL), 2, "at least one closing day")
    refused(lapor(db, *amend, "--add", "2026-01-01", "--as", NATIONAL), 2, "already a closing day")
    refused(lapor(db, *amend, "--add", "25-03-2026", "--as", NATIONAL), 2)
    refused(lapor(db, "show", at_unit, "--known-at", "now"), 2, "--as-of")
    refused(lapor(db, "queue", "kota-cirebon/dinkes", "--known-at", "now"), 2, "--as-of")
    assert as_json(lapor(db, "calendar", "history", "--json")) == []
    ok(lapor(db, *amend, "--add", "2026-03-25", "--as", ADMIN, "--institution", "kota-cirebon"))


def test_the_sla_report_as_it_stood_and_as_we_know_it_now(db: Path, at_unit: str) -> None:
    """A period that ends between the old limit and the amended one: a breach as it stood, none
    as we know it now (the amendment recorded on the 17th gave the unit one more day)."""
    ok(lapor(db, "calendar", "amend", "--add", "2026-03-25", "--basis", "Keppres (contoh)", "--as", NATIONAL))
    report = ["sla", "--from", "2026-03-01", "--to", "2026-04-08T12:00", "--as-of", "2026-03-16T09:00"]

    def past_limit(*extra: str) -> int:
        rows = as_json(lapor(db, *report, *extra, "--json"))
        return int(next(r for r in rows if r["desk"] == "unit:kota-cirebon/dinkes")["open_past_limit"])

    assert past_limit() == 1 and past_limit("--known-at", "now") == 0
    refused(lapor(db, "sla", "--known-at", "now"), 2, "--as-of")


def test_an_upgraded_package_is_shown_and_followed_only_when_recorded(
    db: Path, at_unit: str, package: Package
) -> None:
    """Rule 16: the base calendar is the one the database began with; an upgraded holidays
    package that closes another day moves nothing until `calendar follow-package` records it."""
    before = as_json(lapor(db, "show", at_unit, "--json"))["limit"]
    assert before == UNIT_LIMIT
    ok(lapor(db, "calendar", "base"))
    recorded = as_json(lapor(db, "calendar", "base", "--json"))
    assert recorded["recorded"]["source"].startswith("holidays ") and recorded["differences"] == []
    extra = (date(2026, 3, 25), "Cuti Bersama (uji)")  # a Wednesday inside the unit's limit
    package(tuple(sorted([*package_closing_days(2010, 2050), extra])), "99.0")
    shown = lapor(db, "show", at_unit, "--json")
    assert as_json(shown)["limit"] == before  # counted on the recorded base
    assert "lapor: note: the installed holidays 99.0 marks 1 day(s) differently" in shown.stderr
    assert "2026-03-25" in shown.stderr and "follow-package" in shown.stderr
    differences = as_json(lapor(db, "calendar", "base", "--json"))
    assert differences["installed"] == "holidays 99.0"
    assert differences["differences"] == [
        {"date": "2026-03-25", "weekday": "Wed", "change": "added", "name": "Cuti Bersama (uji)"}
    ]
    refused(lapor(db, "calendar", "follow-package", "--as", ADMIN), 1, "national")
    followed = as_json(lapor(db, "calendar", "follow-package", "--as", NATIONAL, "--json"))
    assert followed["added"] == ["2026-03-25"] and followed["deadlines_moved"] == 1  # its escalation clock
    assert "holidays 99.0, following the package" in followed["basis"]
    after = lapor(db, "show", at_unit, "--json")
    assert after.stderr == "" and as_json(after)["limit"] == AMENDED_LIMIT
    refused(lapor(db, "calendar", "follow-package", "--as", NATIONAL), 2, "nothing to follow")


def test_the_outlook_names_the_base_calendar_the_database_counts_on(
    db: Path, at_unit: str, package: Package
) -> None:
    """An investigator reads which calendar a closing day comes from: the base this database
    recorded (with its version), not whatever package is installed now."""
    recorded = as_json(lapor(db, "calendar", "base", "--json"))["recorded"]["source"]
    package(package_closing_days(2010, 2050), "99.0")  # upgraded, the same days
    outlook = {r["date"]: r for r in as_json(lapor(db, "calendar", "outlook", "2026", "--json"))}
    assert outlook["2026-01-01"]["source"] == recorded != "holidays 99.0"
    assert outlook["2026-01-01"]["weekday"] == "Thu"  # JSON values stay as programs read them
    table = ok(lapor(db, "--lang", "id", "calendar", "outlook", "2026")).stdout
    assert "Hari tutup 2026" in table and "Closing days" not in table
    assert "2026-01-01   Kam" in table and "Thu" not in table


def test_the_calendar_says_days_in_the_operator_s_language(db: Path) -> None:
    said = {
        lang: ok(lapor(db, "--lang", lang, "calendar", "is-working-day", "2026-03-21")).stdout
        for lang in ("id", "en")
    }
    assert said == {
        "id": "Sab 2026-03-21 bukan hari kerja: akhir pekan\n",
        "en": "Sat 2026-03-21 is not a working day: weekend\n",
    }
    steps = ok(lapor(db, "--lang", "id", "calendar", "deadline", "2026-03-13", "3")).stdout
    assert "3 hari kerja setelah Jum 2026-03-13" in steps and "akhir hari Rab 2026-03-25" in steps
