"""The holidays package's closing days, kept between processes (a command line starts often)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from lapor_domain import ClosingDaysFile, WorkingCalendar, keep_closing_days_in
from lapor_domain.model import calendar as calendar_module

YEARS = {"first_year": 2024, "last_year": 2026}


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "cache"
    keep_closing_days_in(None)


def fresh(**years: int) -> WorkingCalendar:
    calendar_module._indonesia.cache_clear()
    return WorkingCalendar.indonesia(**years)


def closing(calendar: WorkingCalendar) -> list[tuple[date, str]]:
    years = range(calendar.first_year, calendar.last_year + 1)
    return [day for year in years for day in calendar.closing_days(year)]


def test_the_kept_answer_is_the_packages_answer_and_is_read_back(folder: Path) -> None:
    keep_closing_days_in(None)
    truth = closing(fresh(**YEARS))
    keep_closing_days_in(ClosingDaysFile(folder))
    assert closing(fresh(**YEARS)) == truth
    (kept,) = folder.glob("*.json")
    assert kept.name.startswith("holidays-") and "2024-2026" in kept.name
    document = json.loads(kept.read_text())
    document["days"][0][1] = "Dibaca dari berkas"  # mark the file: a build that reads it shows this
    kept.write_text(json.dumps(document))
    keep_closing_days_in(ClosingDaysFile(folder))  # as a new process would
    again = closing(fresh(**YEARS))
    assert again[0] == (truth[0][0], "Dibaca dari berkas")
    assert again[1:] == truth[1:]


@pytest.mark.parametrize("damage", ["", "not json", '{"key": "other", "days": []}', '{"days": [["x", 1]]}'])
def test_a_damaged_file_is_ignored_and_rewritten(folder: Path, damage: str) -> None:
    keep_closing_days_in(ClosingDaysFile(folder))
    truth = closing(fresh(**YEARS))
    (kept,) = folder.glob("*.json")
    kept.write_text(damage)
    keep_closing_days_in(ClosingDaysFile(folder))
    assert closing(fresh(**YEARS)) == truth
    assert json.loads(kept.read_text())["key"] == kept.stem


def test_other_years_are_another_key_and_an_unwritable_folder_is_no_error(folder: Path) -> None:
    keep_closing_days_in(ClosingDaysFile(folder))
    fresh(**YEARS)
    fresh(first_year=2025, last_year=2025)
    assert len(list(folder.glob("*.json"))) == 2
    blocked = folder / "a-file"
    blocked.write_text("")
    keep_closing_days_in(ClosingDaysFile(blocked / "below"))  # cannot be created: a file is in the way
    assert closing(fresh(**YEARS))  # asked of the package, nothing worse


def test_the_cache_key_names_the_installed_version() -> None:
    from importlib.metadata import version

    assert calendar_module._holidays_version() == version("holidays")
