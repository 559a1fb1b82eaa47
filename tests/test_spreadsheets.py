"""Exports a spreadsheet opens well: XLSX with real dates, CSV for Excel, one column per field."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_cli import sheets
from lapor_cli.export import EVENT_COLUMNS
from lapor_cli.main import cli
from lapor_domain import Actor, LaporApp, Reporter, event_classes

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=WIB)
NATIONAL = Actor.national("ayu")
HOSTILE = '=HYPERLINK("http://evil.example","klik")'


def history(db: Path, title: str = "Jalan rusak") -> str:
    app = LaporApp.sqlite(db, clock=lambda: T0 + timedelta(days=2))
    c = app.submit(
        by=Actor.reporter("warga-1"),
        at=T0,
        reporter=Reporter(name="Siti", contact="0812"),
        title=title,
        description="Berlubang dalam\n\x1b]0;pwned\x07",
    )
    app.verify(c.id, by=NATIONAL, at=T0 + timedelta(hours=1))
    app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=T0 + timedelta(hours=2))
    app.close()
    return str(c.id)


def lapor(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def test_an_xlsx_export_has_dates_a_frozen_header_and_no_formula(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    cid = history(db, HOSTILE)
    out = tmp_path / "events.xlsx"
    done = lapor(db, "export", "events", "--format", "xlsx", "--out", str(out))
    assert done.exit_code == 0, done.output
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header == [EVENT_COLUMNS.header(name, WIB) for name in EVENT_COLUMNS.names]
    assert "at (WIB)" in header and "data.title" in header and "data.to.institution" in header
    assert sheet.freeze_panes == "A2"
    policy, base, *rows = [
        dict(zip(header, (cell for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]
    assert policy["event"].value == "PolicyRecorded" and policy["data.policy.unit.limit"].value == 10
    assert base["event"].value == "BaseCalendarRecorded"
    days = base["data.closing_days"].value  # one cell, not a column a day, cut where a cell ends
    assert days.startswith('{"2010-01-01": ') and len(days) <= sheets.CELL_LIMIT
    assert days.endswith("more characters: export as json for the whole value]")
    assert [r["event"].value for r in rows] == ["Submitted", "Verified", "Disposed"]
    assert all(r["complaint_id"].value == cid for r in rows)
    assert rows[0]["at (WIB)"].value == T0.replace(tzinfo=None)  # a real date cell, in local time
    assert rows[0]["at (WIB)"].is_date
    title = rows[0]["data.title"]
    assert title.value == HOSTILE and title.data_type == "s"  # text, not a formula
    assert "\x1b" not in rows[0]["data.description"].value
    assert rows[0]["data.reporter.name"].value == "(dirahasiakan)"  # redacted by default (rule 10)
    assert rows[2]["data.to.institution"].value == "kota-cirebon"


def test_csv_for_excel_and_plain_csv(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    history(db, HOSTILE)
    march = ["--from", "2025-03-01", "--to", "2025-03-31"]
    excel = lapor(db, "export", "sla", "--format", "csv", "--excel", *march)
    assert excel.exit_code == 0, excel.output
    assert excel.output.startswith("\ufeff")
    lines = excel.output.lstrip("\ufeff").splitlines()
    assert lines[0].split(";")[:2] == ["since (WIB)", "until (WIB)"]
    assert lines[1].split(";")[0] == "2025-03-01 00:00:00"
    plain = lapor(db, "export", "sla", "--format", "csv", "--from", "2025-03-01", "--to", "2025-03-31")
    rows = list(csv.DictReader(io.StringIO(plain.output)))
    assert rows and rows[0]["since"] == "2025-03-01T00:00:00+07:00"
    for row in rows:
        if row["on_time_rate"]:
            assert len(row["on_time_rate"].split(".")[-1]) <= sheets.RATE_DECIMALS
    _, _, *events = csv.DictReader(io.StringIO(lapor(db, "export", "events", "--format", "csv").output))
    assert events[0]["data.title"] == "'" + HOSTILE  # a spreadsheet shows it, never runs it
    assert list(events[0]) == EVENT_COLUMNS.names


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "events", "--format", "xlsx"], "give --out"),
        (["export", "events", "--format", "xlsx", "--out", "e.csv"], "should end in .xlsx"),
        (["export", "events", "--excel"], "--excel shapes a CSV"),
    ],
)
def test_a_wrong_format_is_refused_before_anything_is_written(
    tmp_path: Path, args: list[str], message: str
) -> None:
    db = tmp_path / "w.db"
    history(db)
    done = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    assert done.exit_code == 2 and message in done.output
    assert not (Path.cwd() / "e.csv").exists()


def test_every_event_field_has_a_column_and_no_ciphertext_has_one() -> None:
    assert not [c for c in EVENT_COLUMNS.names if c.startswith("data.identity")]
    shown = {"data.reporter.name", "data.reporter.contact", "data.reporter.id_number"}
    assert shown <= set(EVENT_COLUMNS.names)
    for cls in event_classes().values():
        if not cls.__module__.startswith("lapor_domain."):
            continue  # a test's own event class (test_mapper), made after the columns
        for name in cls.model_fields:
            if name not in {"originator_id", "originator_version", "at", "recorded_at", "actor", "identity"}:
                assert any(c == f"data.{name}" or c.startswith(f"data.{name}.") for c in EVENT_COLUMNS.names)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=60).filter(str.strip))
def test_any_text_lands_in_a_workbook_as_text(tmp_path: Path, text: str) -> None:
    out = tmp_path / "any.xlsx"
    columns = sheets.Columns(["title", "at"], instants=["at"])
    try:
        text.encode()
    except UnicodeEncodeError:
        return
    sheets.write_xlsx([{"title": text, "at": T0}], columns, out, WIB, sheet="t")
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    cell = sheet["A2"]
    assert cell.data_type == "s" and isinstance(cell.value, str)
    assert not any(ord(ch) < 0x20 and ch not in "\n\t" for ch in cell.value)


def test_json_lines_are_unchanged_by_the_spreadsheet_formats(tmp_path: Path) -> None:
    db = tmp_path / "j.db"
    history(db)
    first = json.loads(lapor(db, "export", "events").output.splitlines()[2])  # after policy, base calendar
    assert first["data"]["title"] == "Jalan rusak" and first["at"] == "2025-03-03T09:00:00+07:00"
    assert isinstance(first["data"]["reporter"], dict)


def test_a_timeline_export_is_redacted_unless_identities_are_asked_for(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    history(db)
    plain = lapor(db, "export", "timeline", "--viewer", "lapor-sp4n:ayu", "--format", "csv")
    assert plain.exit_code == 0 and "Siti" not in plain.output and "warga-1" not in plain.output
    refused = lapor(db, "export", "timeline", "--viewer", "lapor-sp4n", "--identities")
    assert refused.exit_code == 2 and "--viewer actor" in refused.output
