"""A government service embedding lapor-domain on the default SQLite store.

Run:  python examples/embed_sqlite.py [path/to/lapor.db]

One complaint walks the SOP: submitted to LAPOR!-SP4N just before Idul Fitri
2025, verified and disposed to Kota Cirebon, disposed to Dinas Lingkungan Hidup,
answered, then closed by ten working days of the reporter's silence.

A live service passes the wall clock (``clock=lambda: datetime.now(UTC)``): each command
is then recorded when it is entered, and rule 13 refuses one dated in the future or
dated before a deadline that has since fallen due. This walk replays 2025 as if each
step were entered as it happened, so its clock reads the story's time.
"""

from __future__ import annotations

import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from lapor_domain import Actor, LaporApp, Reporter

WIB = ZoneInfo("Asia/Jakarta")


def wib(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=WIB)  # type: ignore[misc]


class StoryClock:
    """The recording clock of a replayed story: it reads the instant of the step being entered."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def enter(self, *parts: int) -> datetime:
        self.now = wib(*parts)
        return self.now


def main(path: str) -> None:
    national = Actor.national("sp4n-ayu")
    admin = Actor.admin("kota-cirebon", "admin-dodi")
    liaison = Actor.liaison("kota-cirebon", "dlh", "pp-sari")
    reporter = Actor.reporter("warga-123")

    # The service owns the clock; the library only stamps "recorded at" with it.
    clock = StoryClock(wib(2025, 3, 27, 10))
    with LaporApp.sqlite(path, clock=clock) as app:
        c = app.submit(
            by=reporter,
            at=clock.enter(2025, 3, 27, 10),
            reporter=Reporter(name="Siti Aminah"),
            title="Sampah menumpuk di Jl. Pekiringan",
            description="Sudah seminggu tidak diangkut.",
        )
        print(f"submitted {c.id} on desk {c.desk}")
        sla = app.desk_deadlines(c.id)
        assert sla is not None
        print(
            f"  national desk: target {sla.target:%a %d %b %Y %H:%M}, limit {sla.limit:%a %d %b %Y %H:%M}"
            " (Idul Fitri 2025 closes 28 Mar and 31 Mar - 7 Apr)"
        )

        app.verify(c.id, by=national, at=clock.enter(2025, 4, 8, 9))
        app.dispose(c.id, to="kota-cirebon", by=national, at=clock.enter(2025, 4, 8, 9, 30))
        app.verify(c.id, by=admin, at=clock.enter(2025, 4, 9, 8))
        c = app.dispose(c.id, to="dlh", by=admin, at=clock.enter(2025, 4, 9, 8, 15))
        print(f"  disposed to {c.desk}")
        c = app.respond(c.id, message="Sudah diangkut hari ini.", by=liaison, at=clock.enter(2025, 4, 16, 14))
        deadline = app.pending_deadline(c.id)
        assert deadline is not None
        print(
            f"  responded; {deadline.clock} at {deadline.due:%a %d %b %Y %H:%M %Z}"
            " unless the reporter replies"
        )

        for fired in app.fire_due(clock.enter(2025, 5, 5, 8)):
            print(f"  sweep fired {fired.clock} of {fired.complaint_id} at {fired.due:%d %b %Y %H:%M}")
        print(f"final outcome: {app.complaint(c.id).outcome}")
        for event in app.history(c.id):
            print(f"  {event.at:%Y-%m-%d %H:%M} {event.name.removeprefix('lapor.'):<22} by {event.actor}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "lapor.db")
