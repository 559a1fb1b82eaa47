"""The `lapor` command with click's CliRunner: exit codes, stdout and stderr apart, JSON shapes.

One complaint walks Kota Cirebon's SOP in March 2026, when Nyepi and Idul Fitri close
18-24 March: disposed to Dinas Kesehatan on Mon 16 March 08:00, its unit target is
the end of Mon 30 March and its limit the end of Tue 7 April (Good Friday, 3 April,
is closed too).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
import pytest
from click.testing import CliRunner, Result

from lapor_cli import session as session_module
from lapor_cli.main import cli
from lapor_cli.timeparse import NotAnInstant, parse_instant

from conftest import OfficeClock

SUBMITTED = "2026-03-13T09:00"
UNIT_TARGET = "2026-03-31T00:00:00+07:00"
UNIT_LIMIT = "2026-04-08T00:00:00+07:00"
NATIONAL = "lapor-sp4n:sp4n-ayu"
ADMIN = "tim-admin:kota-cirebon:dodi"
DINKES = "pejabat-penghubung:kota-cirebon/dinkes:sari"
DISHUB = "pejabat-penghubung:kota-cirebon/dishub:agus"
REPORTER = "pelapor:warga-123"
CARD_KEYS = {
    "complaint_id", "title", "as_of", "status", "label", "desk", "on_desk_since", "working_days_on_desk",
    "target", "limit", "sla", "clock", "clock_due", "anonymous", "confidential", "national_verified",
    "admin_verified", "reporter", "identity", "submitted", "last_event", "responded", "replied", "outcome",
    "version",
}  # fmt: skip


WIB = ZoneInfo("Asia/Jakarta")
OFFICE = OfficeClock()


@pytest.fixture(autouse=True)
def office_hours(monkeypatch: pytest.MonkeyPatch) -> OfficeClock:
    """The wall clock `lapor` reads: an office entering each command when it happens (its --at)."""
    OFFICE.now = datetime(2026, 3, 13, 8, tzinfo=WIB)
    monkeypatch.setattr(session_module, "wall_clock", OFFICE)
    return OFFICE


def lapor(db: Path | str, *args: str, **env: str) -> Result:
    for option, value in itertools.pairwise(args):
        if option == "--at":
            with contextlib.suppress(NotAnInstant):
                OFFICE.follow(parse_instant(value, WIB))
    return CliRunner().invoke(cli, ["--db", str(db), *args], env=env or None, catch_exceptions=False)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr or result.stdout
    return result


def as_json(result: Result) -> Any:
    return json.loads(ok(result).stdout)


def refused(result: Result, code: int, *words: str) -> None:
    """An expected error: the exit code, nothing on stdout, one line on stderr naming the problem."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lapor: error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in result.stderr


SEALED_FOR_NO_ONE = (
    "lapor: note: no reader key is registered (lapor keys init), so this reporter's identity "
    "is sealed for no one and can never be read\n"
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "lapor.db"


def submit(db: Path, *extra: str, at: str = SUBMITTED) -> str:
    result = ok(lapor(db, "submit", "--as", REPORTER, "--title", "Jalan berlubang", "--at", at, *extra))
    assert result.stderr in ("", SEALED_FOR_NO_ONE)  # said once, with no reader key registered
    return result.stdout.strip()


def to_unit(db: Path, cid: str, unit: str = "dinkes") -> None:
    ok(lapor(db, "verify", cid, "--as", NATIONAL, "--at", "2026-03-13T10:00"))
    ok(lapor(db, "dispose", cid, "--to", "kota-cirebon", "--as", NATIONAL, "--at", "2026-03-13T10:05"))
    ok(lapor(db, "verify", cid, "--as", ADMIN, "--at", "2026-03-16T08:00"))
    ok(lapor(db, "dispose", cid, "--to", f"kota-cirebon/{unit}", "--as", ADMIN, "--at", "2026-03-16T08:00"))


@pytest.fixture
def at_unit(db: Path) -> str:
    cid = submit(db, "--reporter-name", "Siti Aminah", "--contact", "0812-0000-1234")
    to_unit(db, cid)
    return cid


@pytest.fixture
def office_keys(db: Path, tmp_path: Path) -> str:
    """A key file with the national desk's and Kota Cirebon's admin team's keys, registered first."""
    path = tmp_path / "office.keys"
    ok(lapor(db, "--key-file", str(path), "keys", "init"))
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    return str(path)


@pytest.fixture
def sealed_at_unit(db: Path, office_keys: str) -> str:
    cid = submit(db, "--reporter-name", "Siti Aminah", "--contact", "0812-0000-1234", "--id-number", "3209")
    to_unit(db, cid)
    return cid


# -- help ------------------------------------------------------------------------------


def all_commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += all_commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


REQUIRED = {
    "submit", "verify", "dispose", "return", "respond", "reply", "archive", "tick", "queue", "show",
    "history", "sla", "replay", "rebuild", "check", "export", "calendar", "simulate", "report",
}  # fmt: skip


def test_the_commands_the_issue_names_exist() -> None:
    assert set(cli.commands) >= REQUIRED
    assert {("export", n) for n in ("events", "sla", "timeline")} <= set(all_commands(cli))
    assert {("calendar", n) for n in ("deadline", "is-working-day", "holidays")} <= set(all_commands(cli))


@pytest.mark.parametrize("path", all_commands(cli), ids=lambda p: " ".join(p) or "lapor")
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout and "Exit codes" in result.stdout


def test_the_root_help_documents_the_exit_codes_and_no_arguments_shows_it() -> None:
    help_text = ok(CliRunner().invoke(cli, ["--help"])).stdout
    for line in (
        "0  done",
        "1  refused",
        "2  usage",
        "3  no such complaint",
        "4  database",
        "5  `lapor check`",
    ):
        assert line in help_text
    assert "Exit codes" in ok(CliRunner().invoke(cli, [])).stdout


def test_version() -> None:
    assert ok(CliRunner().invoke(cli, ["--version"])).stdout.startswith("lapor, version ")


# -- workflow -----------------------------------------------------------------------------


def test_submit_prints_only_the_new_id(db: Path) -> None:
    cid = submit(db)
    assert len(cid) == 36 and cid.count("-") == 4


def test_submit_with_json_gives_the_complaint_card(db: Path) -> None:
    given = "0b5a2d0e-3c1f-4e0a-9a51-6f1d2c3b4a59"
    card = as_json(
        lapor(db, "--json", "submit", "--as", REPORTER, "--title", "Sampah", "--id", given, "--at", SUBMITTED)
    )
    assert set(card) == CARD_KEYS
    assert card["complaint_id"] == given and card["desk"] == "lapor-sp4n"
    assert card["label"] == "Belum Terverifikasi" and card["sla"] == "on-track"
    assert card["submitted"] == "2026-03-13T09:00:00+07:00"
    assert card["limit"] == "2026-03-26T00:00:00+07:00"  # Nyepi and Idul Fitri close 18-24 March


def test_a_complaint_walks_down_back_up_and_is_answered(db: Path, at_unit: str) -> None:
    cid = at_unit
    line = ok(
        lapor(db, "return", cid[:8], "--reason", "bukan wewenang", "--as", DINKES, "--at", "2026-03-17")
    )
    assert line.stdout.startswith(f"{cid[:8]} returned: on tim-admin:kota-cirebon")
    ok(lapor(db, "dispose", cid, "--to", "dishub", "--as", ADMIN, "--at", "2026-03-17T09:00"))
    ok(lapor(db, "respond", cid, "--message", "Sudah ditangani", "--as", DISHUB, "--at", "2026-03-25T10:00"))
    back = as_json(
        lapor(db, "reply", cid, "--message", "Belum", "--as", REPORTER, "--at", "2026-03-26", "--json")
    )
    assert back["desk"] == "unit:kota-cirebon/dishub" and back["label"] == "Proses"
    card = as_json(
        lapor(db, "respond", cid, "--message", "Sudah", "--as", DISHUB, "--at", "2026-03-27", "--json")
    )
    assert card["desk"] == "pelapor" and card["clock"] == "auto-close"


def test_archive_finishes_a_complaint(db: Path) -> None:
    cid = submit(db)
    card = as_json(
        lapor(
            db,
            "--json",
            "archive",
            cid,
            "--reason",
            "duplicate",
            "--as",
            NATIONAL,
            "--at",
            "2026-03-13T11:00",
        )
    )
    assert card["status"] == "archived" and card["desk"] is None and card["label"] == "Diarsipkan"


def test_verify_sets_the_privacy_flags(db: Path) -> None:
    cid = submit(db)
    card = as_json(
        lapor(
            db,
            "--json",
            "verify",
            cid,
            "--as",
            NATIONAL,
            "--confidential",
            "--anonymous",
            "--at",
            "2026-03-14",
        )
    )
    assert card["confidential"] and card["anonymous"]


def history_length(db: Path, cid: str) -> int:
    return len(as_json(lapor(db, "--json", "history", cid)))


def test_a_step_by_someone_not_holding_the_desk_is_refused_and_records_nothing(
    db: Path, at_unit: str
) -> None:
    before = history_length(db, at_unit)
    refused(
        lapor(db, "respond", at_unit, "--message", "x", "--as", DISHUB, "--at", "2026-03-17"), 1, "may not"
    )
    assert history_length(db, at_unit) == before


def test_a_step_the_state_does_not_permit_is_refused(db: Path) -> None:
    cid = submit(db)
    ok(lapor(db, "verify", cid, "--as", NATIONAL, "--at", "2026-03-13T10:00"))
    refused(lapor(db, "verify", cid, "--as", NATIONAL, "--at", "2026-03-13T11:00"), 1)
    ok(lapor(db, "archive", cid, "--reason", "incomplete", "--as", NATIONAL, "--at", "2026-03-13T12:00"))
    refused(lapor(db, "dispose", cid, "--to", "kota-cirebon", "--as", NATIONAL, "--at", "2026-03-14"), 1)


def test_a_step_dated_before_the_last_event_is_refused(db: Path) -> None:
    cid = submit(db)
    refused(lapor(db, "verify", cid, "--as", NATIONAL, "--at", "2026-03-12"), 1, "2026-03-12")


def test_an_unknown_unit_is_invalid_input(db: Path) -> None:
    cid = submit(db)
    ok(lapor(db, "verify", cid, "--as", NATIONAL, "--at", "2026-03-13T10:00"))
    refused(
        lapor(db, "dispose", cid, "--to", "kota-cirebn", "--as", NATIONAL, "--at", "2026-03-14"), 2, "kota"
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("verify", "{id}", "--as", NATIONAL, "--at", "2026-13-01"), ("--at", "2026-13-01")),
        (("verify", "{id}", "--as", "lapor-sp4n", "--at", "2026-03-14"), ("--as",)),
        (("verify", "{id}", "--as", "camat:x"), ("unknown role",)),
        (("queue", "unit:kota-cirebon/nosuch"), ("nosuch",)),
        (("queue", "dputr"), ("several institutions",)),
        (("sla", "--unit", "nosuch"), ("nosuch",)),
        (("show", "zz"), ("not a complaint id",)),
        (("queue", "--bogus"), ("--bogus",)),
        (("archive", "{id}", "--reason", "boring", "--as", NATIONAL), ("--reason",)),
    ],
)
def test_malformed_input_exits_2_with_one_line(
    db: Path, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    cid = submit(db)
    refused(lapor(db, *(a.format(id=cid) for a in args)), 2, *words)


def test_an_unknown_complaint_exits_3(db: Path) -> None:
    submit(db)
    refused(lapor(db, "show", "00000000-0000-0000-0000-000000000000"), 3, "no complaint")
    refused(lapor(db, "history", "abcdef"), 3)
    refused(lapor(db, "verify", "00000000-0000-0000-0000-000000000000", "--as", NATIONAL), 3)


def test_a_shortened_id_must_be_unambiguous(db: Path) -> None:
    submit(db, "--id", "11111111-0000-4000-8000-000000000001")
    submit(db, "--id", "11111111-0000-4000-8000-000000000002")
    refused(lapor(db, "show", "1111"), 2, "ambiguous")
    submit(db, "--id", "22222222-0000-4000-8000-000000000001")
    assert (
        as_json(lapor(db, "--json", "show", "2222"))["complaint_id"] == "22222222-0000-4000-8000-000000000001"
    )


def test_a_missing_database_exits_4_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    refused(lapor(missing, "queue"), 4, "missing.db")
    assert not missing.exists()


def test_a_file_that_is_not_a_database_exits_4(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_text("not a database " * 100)
    refused(lapor(garbage, "queue"), 4, "garbage.db")


def test_an_unreachable_postgres_exits_4(tmp_path: Path) -> None:
    refused(lapor("postgresql://postgres@127.0.0.1:9/lapor?connect_timeout=1", "queue"), 4, "PostgreSQL")


def test_a_refused_first_submit_leaves_no_database_behind(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    refused(lapor(fresh, "submit", "--as", NATIONAL, "--title", "x"), 1, "pelapor")
    assert not fresh.exists()


# -- deadlines and views ---------------------------------------------------------------------


def test_tick_fires_what_is_due_once(db: Path, at_unit: str) -> None:
    ok(lapor(db, "respond", at_unit, "--message", "Sudah", "--as", DINKES, "--at", "2026-03-24T14:00"))
    assert "nothing was due" in ok(lapor(db, "tick", "--at", "2026-04-08T23:59")).stdout
    fired = as_json(lapor(db, "tick", "--at", "2026-04-20", "--json"))
    assert fired == [
        {"complaint_id": at_unit, "clock": "auto-close", "outcome": "auto-closed (reporter silent)",
         "due": "2026-04-09T00:00:00+07:00"}
    ]  # fmt: skip
    assert as_json(lapor(db, "tick", "--at", "2026-04-21", "--json")) == []
    assert as_json(lapor(db, "show", at_unit, "--json"))["status"] == "auto-closed"


@pytest.mark.parametrize(
    ("at", "state"), [("2026-03-20", "on-track"), ("2026-04-01", "late"), ("2026-04-08", "breached")]
)
def test_a_desk_queue_shows_the_sla_state_at_an_instant(db: Path, at_unit: str, at: str, state: str) -> None:
    entries = as_json(lapor(db, "queue", "unit:kota-cirebon/dinkes", "--at", at, "--json"))
    assert [(e["complaint_id"], e["sla"]) for e in entries] == [(at_unit, state)]
    assert entries[0]["target"] == UNIT_TARGET and entries[0]["limit"] == UNIT_LIMIT
    human = ok(lapor(db, "queue", "kota-cirebon/dinkes", "--at", at)).stdout
    assert at_unit[:8] in human and state in human and "Jalan berlubang" in human


def test_queue_without_a_desk_counts_per_desk(db: Path, at_unit: str) -> None:
    submit(db)
    counts = as_json(lapor(db, "--json", "queue", "--at", "2026-04-01"))
    assert counts == [
        {"desk": "lapor-sp4n", "open": 1, "on_track": 0, "late": 0, "breached": 1},
        {"desk": "unit:kota-cirebon/dinkes", "open": 1, "on_track": 0, "late": 1, "breached": 0},
    ]
    assert "unit:kota-cirebon/dinkes" in ok(lapor(db, "queue")).stdout


def test_reading_commands_answer_while_another_process_holds_the_write_lock(db: Path, at_unit: str) -> None:
    """WAL lets readers read beside a writer: opening the log and its views to read takes no
    write lock, so an officer's queue answers while another process is writing the file."""
    ok(lapor(db, "queue"))  # the views exist and are caught up
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process, in the middle of its transaction
    try:
        desk = "kota-cirebon/dinkes"
        for args, shown in (
            (["queue", "kota-cirebon/dinkes", "--json"], at_unit),
            (["search", "jalan", "--json"], at_unit),
            (["show", at_unit, "--json"], desk),
            (["history", at_unit, "--json"], desk),
            (["list", "--unit", "kota-cirebon/dinkes", "--json"], at_unit),
            (["overdue", "--at", "2026-04-20", "--json"], at_unit),
            (["export", "events", "--format", "jsonl"], at_unit),
        ):
            answered = _within(5.0, lambda args=args: lapor(db, *args))
            assert answered is not None, f"`lapor {args[0]}` waited for the writer"
            assert shown in ok(answered).stdout, args
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_the_disclosure_register_answers_while_another_process_writes_keys(
    db: Path, office_keys: str, sealed_at_unit: str
) -> None:
    ok(
        lapor(
            db,
            "--key-file",
            office_keys,
            "show",
            sealed_at_unit,
            "--viewer",
            NATIONAL,
            "--purpose",
            "klarifikasi",
        )
    )
    writer = sqlite3.connect(f"{db}.keys", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a rotation or an erasure in another process
    try:
        answered = _within(5.0, lambda: lapor(db, "disclosures", "--json"))
        assert answered is not None, "`lapor disclosures` waited for the key store's writer"
        assert [d["purpose"] for d in as_json(answered)] == ["klarifikasi"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def _within(seconds: float, call: Any) -> Any:
    """What ``call`` returns if it returns within ``seconds`` (None if it still waits then)."""
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    return results[0] if results else None


def test_queue_as_of_an_instant_replays_where_the_complaints_were(db: Path, at_unit: str) -> None:
    entries = as_json(lapor(db, "queue", "lapor-sp4n", "--as-of", "2026-03-13T09:30", "--json"))
    assert [e["complaint_id"] for e in entries] == [at_unit]
    assert as_json(lapor(db, "queue", "lapor-sp4n", "--json")) == []


def test_show_as_of_tells_where_it_was_and_whether_it_was_late(db: Path, at_unit: str) -> None:
    then = as_json(lapor(db, "show", at_unit, "--as-of", "2026-03-15", "--json"))
    assert then["desk"] == "tim-admin:kota-cirebon" and then["status"] == "open"
    assert then["as_of"] == "2026-03-15T00:00:00+07:00" and then["sla"] == "on-track"
    later = as_json(lapor(db, "show", at_unit, "--as-of", "2026-04-02T12:00", "--json"))
    assert later["desk"] == "unit:kota-cirebon/dinkes" and later["sla"] == "late"
    assert later["working_days_on_desk"] == 8 and later["reporter"] is None
    human = ok(lapor(db, "show", at_unit[:6], "--as-of", "2026-04-02T12:00")).stdout
    assert "unit:kota-cirebon/dinkes" in human and "late" in human
    refused(lapor(db, "show", at_unit, "--as-of", "2026-03-01"), 3, "did not exist")


def test_the_reporter_identity_shows_only_to_an_entitled_actor_with_the_key(
    db: Path, sealed_at_unit: str, office_keys: str
) -> None:
    cid, keys, admin = sealed_at_unit, ("--key-file", office_keys), "tim-admin:kota-cirebon:dodi"
    shown = "Siti Aminah <0812-0000-1234> [3209] (warga-123)"
    card = as_json(lapor(db, *keys, "show", cid, "--viewer", admin, "--json", "--purpose", "klarifikasi"))
    assert card["reporter"] == shown and card["identity"] == "shown"
    for viewer, state in (
        ("tim-admin", "withheld"),
        ("tim-admin:kab-cirebon:yan", "withheld"),
        ("pelapor:warga-123", "withheld"),
        ("public", "withheld"),
    ):
        card = as_json(lapor(db, *keys, "show", cid, "--viewer", viewer, "--json"))
        assert (card["reporter"], card["identity"]) == (None, state), viewer
    unit = as_json(lapor(db, *keys, "show", cid, "--viewer", DINKES, "--json"))
    assert unit["reporter"] == shown, "not anonymous: its unit sees it, where a key at hand opens it"
    no_key = as_json(lapor(db, "show", cid, "--viewer", admin, "--json"))  # the database alone
    assert (no_key["reporter"], no_key["identity"]) == (None, "sealed")
    public = as_json(lapor(db, "history", cid, "--json"))
    assert public[0]["person"] == "(dirahasiakan)" and public[0]["detail"]["reporter"] == "(dirahasiakan)"
    history = as_json(lapor(db, *keys, "history", cid, "--json", "--viewer", "lapor-sp4n:sp4n-ayu"))
    assert history[0]["person"] == "warga-123" and history[0]["detail"]["reporter"] == shown
    register = as_json(lapor(db, "disclosures", "--complaint", cid, "--json"))
    assert [(d["viewer"], d["purpose"]) for d in register] == [
        (admin, "klarifikasi"), (DINKES, "show"), ("lapor-sp4n:sp4n-ayu", "history")
    ]  # fmt: skip
    assert {d["reader"] for d in register} <= {"lapor-sp4n", "tim-admin:kota-cirebon"}


def test_history_lists_every_event_and_a_deadline_due_but_not_yet_swept(db: Path, at_unit: str) -> None:
    ok(lapor(db, "respond", at_unit, "--message", "Sudah", "--as", DINKES, "--at", "2026-03-24T14:00"))
    entries = as_json(lapor(db, "history", at_unit, "--as-of", "2026-04-10", "--json"))
    assert [e["event"] for e in entries] == [
        "Submitted", "Verified", "Disposed", "Verified", "Disposed", "Responded", "AutoClosed",
    ]  # fmt: skip
    assert entries[-1]["recorded_at"] is None and entries[-1]["at"] == "2026-04-09T00:00:00+07:00"
    assert set(entries[0]) >= {"version", "event", "role", "person", "at", "desk_before", "desk_after"}
    human = ok(lapor(db, "history", at_unit, "--as-of", "2026-04-10")).stdout
    assert "AutoClosed (due)" in human and DINKES in human


def test_sla_report_per_desk(db: Path, at_unit: str) -> None:
    reports = as_json(lapor(db, "sla", "--from", "2026-03-01", "--to", "2026-04-30", "--json"))
    by_desk = {r["desk"]: r for r in reports}
    assert set(by_desk) == {"lapor-sp4n", "tim-admin:kota-cirebon", "unit:kota-cirebon/dinkes"}
    assert by_desk["unit:kota-cirebon/dinkes"]["open_past_limit"] == 1
    assert by_desk["lapor-sp4n"]["on_time_rate"] == 1.0
    refused(lapor(db, "sla", "--unit", "dinkes"), 2, "kota-cirebon/dinkes")
    only = as_json(lapor(db, "sla", "--unit", "kota-cirebon/dinkes", "--to", "2026-04-30", "--json"))
    assert [r["desk"] for r in only] == ["unit:kota-cirebon/dinkes"]
    assert "on time" in ok(lapor(db, "sla", "--to", "2026-04-30")).stdout


def test_public_status_hides_confidential_complaints(db: Path) -> None:
    open_one = submit(db)
    secret = submit(db, "--confidential")
    assert as_json(lapor(db, "status", open_one, "--json"))["label"] == "Belum Terverifikasi"
    refused(lapor(db, "status", secret), 3)


def test_units_lists_the_directory(db: Path) -> None:
    rows = as_json(CliRunner().invoke(cli, ["--json", "units", "kota-cirebon"]))
    assert {"institution": "kota-cirebon", "unit": "dinkes", "kind": "opd", "name": "Dinas Kesehatan",
            "desk": "unit:kota-cirebon/dinkes"} in rows  # fmt: skip


# -- investigation ---------------------------------------------------------------------------


def test_replay_writes_the_views_as_of_an_instant_and_leaves_the_live_ones(
    db: Path, at_unit: str, tmp_path: Path
) -> None:
    ok(lapor(db, "queue"))
    live_before = sqlite3.connect(db).execute("SELECT * FROM lapor_view_complaints").fetchall()
    out = tmp_path / "as-of.db"
    result = as_json(lapor(db, "replay", "--as-of", "2026-03-15", "--out", str(out), "--json"))
    assert result["out"] == str(out) and result["open"] == 1 and result["complaints"] == 1
    assert result["as_of"] == "2026-03-15T00:00:00+07:00"
    assert sqlite3.connect(db).execute("SELECT * FROM lapor_view_complaints").fetchall() == live_before
    # on the replayed database, queries are judged at its instant by default
    counts = as_json(lapor(out, "queue", "--json"))
    assert counts == [{"desk": "tim-admin:kota-cirebon", "open": 1, "on_track": 1, "late": 0, "breached": 0}]
    shown = as_json(lapor(out, "show", at_unit, "--viewer", "tim-admin", "--json"))
    assert shown["desk"] == "tim-admin:kota-cirebon"
    # A replay cannot know the privacy flags set since it was built: nothing for the public.
    refused(lapor(out, "show", at_unit), 2, "live database")
    refused(lapor(out, "status", at_unit), 2, "live database")
    refused(lapor(out, "verify", at_unit, "--as", ADMIN), 2, "lapor replay")
    refused(lapor(out, "history", at_unit), 2, "live database")
    # an existing file is overwritten only with --force
    refused(lapor(db, "replay", "--as-of", "2026-03-20", "--out", str(out)), 2, "--force")
    ok(lapor(db, "replay", "--as-of", "2026-03-20", "--out", str(out), "--force"))
    assert as_json(lapor(out, "queue", "--json"))[0]["desk"] == "unit:kota-cirebon/dinkes"
    refused(lapor(db, "replay", "--as-of", "2026-03-20", "--out", str(db)), 2, "separate")


def test_replay_names_its_file_after_the_instant(
    db: Path, at_unit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(db.parent)
    ok(lapor(db, "replay", "--as-of", "2026-03-15T12:00"))
    assert (db.parent / "lapor-as-of-2026-03-15T120000+0700.db").exists()


def test_check_finds_a_tampered_view_and_rebuild_repairs_it(db: Path, at_unit: str) -> None:
    assert as_json(lapor(db, "check", "--json"))["ok"] is True
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE lapor_view_complaints SET title = 'diubah'")
    result = lapor(db, "check", "--json")
    assert result.exit_code == 5
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["differences"] == [
        f"complaints {at_unit.replace('-', '')}: differs"
    ]
    rebuilt = as_json(lapor(db, "rebuild", "--json"))
    assert rebuilt == {"views_events": 5, "deadline_rows": 1, "complaints_left_out": 0}
    assert "match" in ok(lapor(db, "check")).stdout
    assert as_json(lapor(db, "rebuild", "deadlines", "--json")) == {
        "views_events": None,
        "deadline_rows": 1,
        "complaints_left_out": 0,
    }
    assert as_json(lapor(db, "rebuild", "views", "--workers", "1", "--json"))["views_events"] == 5
    assert lapor(db, "check", "--workers", "0").exit_code == 2


# -- export ------------------------------------------------------------------------------------


def test_export_events_as_json_lines_and_csv(
    db: Path, sealed_at_unit: str, office_keys: str, tmp_path: Path
) -> None:
    lines = ok(lapor(db, "export", "events")).stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    events = ["PolicyRecorded", "BaseCalendarRecorded", "Submitted", "Verified", "Disposed", "Verified"]
    events.append("Disposed")
    assert [
        r["event"] for r in rows
    ] == events  # the log: the policy and base calendar it began with (rule 16), then the complaint
    assert rows[0]["data"]["policy"]["unit"] == {"target": 5, "limit": 10}
    assert rows[1]["data"]["closing_days"]["2026-03-19"] and rows[1]["data"]["source"].startswith("holidays ")
    assert set(rows[2]) == {"position", "complaint_id", "version", "event", "at", "recorded_at", "actor",
                            "role", "institution", "unit", "person", "data"}  # fmt: skip
    assert "Siti" not in lines[2] and "warga-123" not in lines[2], "identities are left out by default"
    assert "identity" not in rows[2]["data"], "nor their ciphertext"
    keys = ("--key-file", office_keys)
    shown = json.loads(
        ok(lapor(db, *keys, "export", "events", "--viewer", "lapor-sp4n:ayu", "--identities")).stdout.split(
            "\n"
        )[2]
    )
    assert shown["data"]["reporter"]["name"] == "Siti Aminah" and shown["actor"] == REPORTER
    refused(lapor(db, "export", "events", "--identities"), 2, "--viewer")
    refused(lapor(db, "export", "events", "--identities", "--viewer", "lapor-sp4n"), 2, "--viewer actor")
    sealed = json.loads(
        ok(lapor(db, "export", "events", "--viewer", "lapor-sp4n:ayu", "--identities")).stdout.split("\n")[2]
    )
    assert "Siti" not in json.dumps(sealed), "no key file: sealed"
    assert [d["purpose"] for d in as_json(lapor(db, "disclosures", "--json"))] == ["export events"]
    out = tmp_path / "events.csv"
    ok(lapor(db, "export", "events", "--format", "csv", "--out", str(out)))
    header, *body = out.read_text().splitlines()
    assert header.startswith("position,complaint_id,version,event,at,") and len(body) == 7


def test_exports_honour_rule_10_by_the_flags_as_they_stand_now(db: Path, office_keys: str) -> None:
    anonymous, confidential = submit(db), submit(db)
    ok(lapor(db, "verify", anonymous, "--as", NATIONAL, "--anonymous", "--at", "2026-03-13T10:00"))
    ok(lapor(db, "verify", confidential, "--as", NATIONAL, "--confidential", "--at", "2026-03-13T10:00"))
    public = ok(lapor(db, "export", "events")).stdout
    assert confidential not in public and anonymous in public
    for cid in (anonymous, confidential):
        ok(lapor(db, "dispose", cid, "--to", "kota-cirebon", "--as", NATIONAL, "--at", "2026-03-13T10:05"))
    unit_officer = "pejabat-penghubung:kota-cirebon/dinkes:sari"
    unit = ok(
        lapor(db, "--key-file", office_keys, "export", "events", "--viewer", unit_officer, "--identities")
    ).stdout
    rows = [json.loads(line) for line in unit.splitlines()]
    assert {r["person"] for r in rows if r["complaint_id"] == anonymous and r["role"] == "pelapor"} == {
        "(dirahasiakan)"
    }
    assert {r["person"] for r in rows if r["complaint_id"] == confidential and r["role"] == "pelapor"} == {
        "warga-123"
    }
    everything = ok(lapor(db, "export", "timeline")).stdout
    assert confidential not in everything and anonymous in everything
    refused(lapor(db, "history", confidential), 3)  # the public viewer does not find it
    refused(lapor(db, "show", confidential), 3)
    as_of = ok(
        lapor(
            db,
            "--key-file",
            office_keys,
            "history",
            anonymous,
            "--viewer",
            unit_officer,
            "--as-of",
            "2026-03-13T09:30",
        )
    )
    assert "warga-123" not in as_of.stdout, "anonymous now: hidden in every past view too"


def test_export_sla_and_timeline(db: Path, at_unit: str) -> None:
    csv_text = ok(lapor(db, "export", "sla", "--format", "csv", "--to", "2026-04-30")).stdout
    assert csv_text.splitlines()[0].startswith("since,until,desk,")
    assert len(csv_text.splitlines()) == 4
    rows = [json.loads(x) for x in ok(lapor(db, "export", "timeline", at_unit[:8])).stdout.splitlines()]
    assert {r["complaint_id"] for r in rows} == {at_unit} and len(rows) == 5
    everything = ok(lapor(db, "export", "timeline", "--format", "csv")).stdout.splitlines()
    assert everything[0].startswith("complaint_id,version,event,") and len(everything) == 6


# -- calendar, policy, simulate ------------------------------------------------------------------


def test_calendar_deadline_lists_the_days_it_counted() -> None:
    result = as_json(CliRunner().invoke(cli, ["calendar", "deadline", "2026-03-13", "3", "--json"]))
    assert result["deadline"] == "2026-03-26T00:00:00+07:00" and result["last_working_day"] == "2026-03-25"
    closed = {d["date"]: d["closed"] for d in result["days"] if d["closed"]}
    assert closed["2026-03-14"] == "weekend" and "Nyepi" in closed["2026-03-19"]
    assert [d["date"] for d in result["days"] if d["working_day"]] == [
        "2026-03-16",
        "2026-03-17",
        "2026-03-25",
    ]
    human = ok(CliRunner().invoke(cli, ["calendar", "deadline", "2026-03-13", "3"])).stdout
    assert "Deadline: 2026-03-26 00:00" in human


def test_calendar_is_working_day_and_holidays() -> None:
    runner = CliRunner()
    assert "is a working day" in ok(runner.invoke(cli, ["calendar", "is-working-day", "2026-03-13"])).stdout
    nyepi = as_json(runner.invoke(cli, ["--json", "calendar", "is-working-day", "2026-03-19"]))
    assert nyepi["working_day"] is False and "Nyepi" in nyepi["closed"]
    holidays = as_json(runner.invoke(cli, ["--json", "calendar", "holidays", "2026"]))
    assert {"date": "2026-01-01", "weekday": "Thu", "name": "Tahun Baru Masehi"} in holidays
    refused(runner.invoke(cli, ["calendar", "is-working-day", "13/03/2026"]), 2, "ISO-8601")
    refused(runner.invoke(cli, ["calendar", "holidays", "1990"]), 2, "1990")


def test_the_database_comes_from_lapor_db(db: Path) -> None:
    cid = submit(db)
    result = CliRunner().invoke(cli, ["show", cid, "--json"], env={"LAPOR_DB": str(db)})
    assert json.loads(ok(result).stdout)["complaint_id"] == cid


def test_simulate_fills_an_empty_database_only(db: Path) -> None:
    result = lapor(db, "simulate", "--complaints", "20", "--seed", "3", "--json")
    assert result.stderr == ""  # no progress bar when nobody watches a terminal
    summary = as_json(result)
    assert summary["complaints"] == 20 and sum(summary["by_outcome"].values()) == 20
    assert summary["first_at"].startswith("2025-01-") and summary["by_event"]["Submitted"] == 20
    assert "match" in ok(lapor(db, "check")).stdout
    refused(lapor(db, "simulate", "--complaints", "5"), 2, "already holds")
    again = as_json(lapor(db, "simulate", "--complaints", "5", "--seed", "3", "--replace", "--json"))
    assert again["complaints"] == 5 and again["by_event"]["Submitted"] == 5
    refused(lapor("postgresql://postgres@127.0.0.1:1/x", "simulate", "--replace"), 2, "SQLite file")


def test_a_step_recorded_while_the_views_could_not_follow_succeeds_and_says_so(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lost race on the view tables after the event is stored: the step is recorded, so it
    is not reported refused (trying it again would be refused as done already)."""
    from lapor_domain import ConcurrentUpdate
    from lapor_projections import ReadModels

    cid = submit(db)
    follow = ReadModels._catch_up

    def busy_once_recorded(self: ReadModels, *args: Any, **kwargs: Any) -> int:
        if self.app.feed.head() > self.position():  # the step's event is stored: follow it
            raise ConcurrentUpdate("the view tables were busy; try again")
        return follow(self, *args, **kwargs)

    monkeypatch.setattr(ReadModels, "_catch_up", busy_once_recorded)
    verified = ok(lapor(db, "--lang", "en", "verify", cid, "--as", NATIONAL, "--at", "2026-03-13T10:00"))
    assert verified.stderr == (
        "lapor: note: the command is recorded, but the views did not follow it (another process was "
        "writing them); they catch up at the next command: do not enter it again\n"
    )
    monkeypatch.setattr(ReadModels, "_catch_up", follow)
    assert as_json(lapor(db, "show", cid, "--json"))["national_verified"] is not None
