"""Before each command a process catches up with the rules (rule 16): on SQLite it asks the
file's ``data_version`` whether anyone else committed, and reads the calendar's and the
policy's stream heads only then. These tests hold that cheaper check to the same answers."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from lapor_domain import Clock, DeskSla, SlaPolicy

from conftest import OfficeApp
from sop import ADMIN, DINKES, NATIONAL, REPORTER, file_complaint, to_unit, wib

TESTS = Path(__file__).resolve().parent
PERWALI = SlaPolicy.cirebon().model_copy(update={"unit": DeskSla(target=5, limit=7)})
BASIS = "Perwali Kota Cirebon 12/2025 (contoh)"
HEADS_QUERY = "MAX(originator_version)"


def traced(app: OfficeApp) -> list[str]:
    """The statements the app's writer connection runs from now on."""
    recorder = app.log.recorder._recorder  # type: ignore[attr-defined]
    writer = recorder._writer or recorder._open_writer()
    seen: list[str] = []
    writer.set_trace_callback(seen.append)
    return seen


def test_commands_with_nothing_recorded_elsewhere_read_no_heads(tmp_path: Path) -> None:
    with OfficeApp(str(tmp_path / "lapor.db")) as app:
        c = file_complaint(app, wib(2025, 8, 4, 9))  # with the store's first policy version
        app.verify(c.id, by=NATIONAL, at=wib(2025, 8, 4, 10))  # reads the heads that moved
        seen = traced(app)
        app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=wib(2025, 8, 4, 11))
        app.verify(c.id, by=ADMIN, at=wib(2025, 8, 5, 9))
        app.dispose(c.id, to="dinkes", by=ADMIN, at=wib(2025, 8, 5, 10))
        assert sum("PRAGMA data_version" in s for s in seen) == 3
        assert not [s for s in seen if HEADS_QUERY in s]
        assert sum(s == "COMMIT" for s in seen) == 3  # one transaction a command


def test_a_write_by_another_connection_makes_the_next_command_read_the_heads(tmp_path: Path) -> None:
    target = str(tmp_path / "lapor.db")
    with OfficeApp(target) as app:
        c = file_complaint(app, wib(2025, 8, 4, 9))
        seen = traced(app)
        other = sqlite3.connect(target)  # a commit that touches no rule: the heads are read, unchanged
        other.execute("UPDATE lapor_tree_head SET size = size WHERE id = 1")
        other.commit()
        other.close()
        to_unit(app, c.id, wib(2025, 8, 5, 10))
        assert len([s for s in seen if HEADS_QUERY in s]) == 1  # once, then known again


def test_a_policy_another_process_recorded_counts_for_the_next_command(tmp_path: Path) -> None:
    target = str(tmp_path / "lapor.db")
    with OfficeApp(target) as app:
        c = file_complaint(app, wib(2025, 8, 11, 9))
        to_unit(app, c.id, wib(2025, 8, 11, 9, 30))
        child = f"""
            import sys
            sys.path.insert(0, {str(TESTS)!r})
            from conftest import OfficeApp
            from test_rules_catch_up import PERWALI, BASIS
            from sop import NATIONAL, wib
            with OfficeApp({target!r}) as other:
                other.office_clock.follow(wib(2025, 8, 11, 10))
                other.record_policy(PERWALI, basis=BASIS, by=NATIONAL)
        """
        subprocess.run([sys.executable, "-c", textwrap.dedent(child)], check=True, timeout=60)
        later = file_complaint(app, wib(2025, 8, 12, 9))
        to_unit(app, later.id, wib(2025, 8, 12, 10))
        sla = app.desk_deadlines(later.id)
        assert sla is not None and sla.policy_version == 2
        assert app.rules.calendars.policy_version == 2


def test_this_processes_own_amendment_is_known_without_a_stale_head(tmp_path: Path) -> None:
    with OfficeApp(str(tmp_path / "lapor.db")) as app:
        c = file_complaint(app, wib(2025, 8, 4, 9))
        app.office_clock.follow(wib(2025, 8, 4, 10))
        closed = wib(2025, 8, 7).date()  # a Thursday the desks after it count past
        amendment, _ = app.amend_calendar(add=[closed], basis="Keppres (contoh)", by=NATIONAL)
        seen = traced(app)
        to_unit(app, c.id, wib(2025, 8, 5, 10))
        # The amendment this writer appended dropped the heads it knew: read once, then known.
        assert len([s for s in seen if HEADS_QUERY in s]) == 1
        assert app.calendar_record._seen == app.log.rules_heads()
        sla = app.desk_deadlines(c.id)
        assert sla is not None and sla.calendar_version == amendment.version


@pytest.mark.parametrize(
    ("target", "keystore"),
    [("memory", None), ("file:lapor-catch-up?mode=memory&cache=shared", "memory")],
    ids=["memory", "sqlite-in-memory"],
)
def test_stores_without_a_second_connection_still_catch_up(target: str, keystore: str | None) -> None:
    with OfficeApp(target, keystore=keystore) as app:  # an in-memory SQLite database: no writer of its own
        c = file_complaint(app, wib(2025, 8, 4, 9))
        to_unit(app, c.id, wib(2025, 8, 5, 10))
        assert app.calendar_record._seen == app.log.rules_heads() == (0, 1)


def test_an_amendment_moves_the_clock_the_next_command_of_a_cached_complaint_judges_by(
    tmp_path: Path,
) -> None:
    # The state cached after the response remembers its auto-close due on the calendars of
    # then; a closing day added since moves it a day later. A reply dated before the old due
    # and entered after it became final is in time by the moved one (rule 13 judged on the
    # calendars now, not on a remembered due).
    with OfficeApp(str(tmp_path / "lapor.db")) as app:
        c = file_complaint(app, wib(2025, 7, 21, 9))
        to_unit(app, c.id, wib(2025, 7, 22, 9))
        app.respond(c.id, message="Sudah ditangani.", by=DINKES, at=wib(2025, 7, 23, 9))
        due = app.pending_deadline(c.id)
        assert due is not None and due.clock is Clock.AUTO_CLOSE
        app.office_clock.follow(wib(2025, 7, 24, 10))
        app.amend_calendar(add=[wib(2025, 7, 28).date()], basis="Keppres (contoh)", by=NATIONAL)
        moved = app.pending_deadline(c.id)
        grace = app.policy.late_entry_grace
        assert moved is not None and moved.due > due.due + grace + timedelta(hours=2)
        app.office_clock.follow(due.due + grace + timedelta(hours=1))  # entered late
        after = app.reply(c.id, message="Belum selesai.", by=REPORTER, at=due.due - timedelta(hours=1))
        assert after.is_finished is False and after.version == c.version + 6
