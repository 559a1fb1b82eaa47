"""The people of the SOP, as test actors, and a WIB clock helper."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from lapor_domain import Actor, DeskKind, LaporApp, Reporter

WIB = ZoneInfo("Asia/Jakarta")

NATIONAL = Actor.national("sp4n-ayu")
ADMIN = Actor.admin("kota-cirebon", "admin-dodi")
JABAR_ADMIN = Actor.admin("provinsi-jawa-barat", "admin-rina")
DINKES = Actor.liaison("kota-cirebon", "dinkes", "pp-sari")
DISHUB = Actor.liaison("kota-cirebon", "dishub", "pp-agus")
DPUTR = Actor.liaison("kota-cirebon", "dputr", "pp-eko")
REPORTER = Actor.reporter("warga-123")
STRANGER = Actor.reporter("warga-999")


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def file_complaint(app: LaporApp, at: datetime, **kwargs: object):  # type: ignore[no-untyped-def]
    return app.submit(
        by=REPORTER,
        at=at,
        reporter=Reporter(name="Siti Aminah", contact="0812-0000-1234"),
        title="Jalan berlubang di Jl. Kesambi",
        description="Lubang besar di depan pasar, sudah dua minggu.",
        **kwargs,  # type: ignore[arg-type]
    )


def to_unit(app: LaporApp, cid, at: datetime, unit: str = "dinkes"):  # type: ignore[no-untyped-def]
    """National verifies and disposes to Kota Cirebon; its admin team verifies and disposes."""
    app.verify(cid, by=NATIONAL, at=at)
    app.dispose(cid, to="kota-cirebon", by=NATIONAL, at=at)
    app.verify(cid, by=ADMIN, at=at)
    return app.dispose(cid, to=unit, by=ADMIN, at=at)


def take_next_step(app: LaporApp, cid, at: datetime) -> None:  # type: ignore[no-untyped-def]
    """Whoever holds the complaint moves it on, in Kota Cirebon towards Dinas Kesehatan: the
    national desk and the admin team verify and dispose, the unit responds, the reporter replies."""
    c = app.complaint(cid)
    if c.desk is None:
        return
    if c.desk.kind is DeskKind.NATIONAL:
        app.verify(cid, by=NATIONAL, at=at)
        app.dispose(cid, to="kota-cirebon", by=NATIONAL, at=at)
    elif c.desk.kind is DeskKind.ADMIN:
        app.verify(cid, by=ADMIN, at=at)
        app.dispose(cid, to="dinkes", by=ADMIN, at=at)
    elif c.desk.kind is DeskKind.UNIT:
        app.respond(cid, message="Sudah ditangani.", by=DINKES, at=at)
    else:
        app.reply(cid, message="Belum selesai.", by=REPORTER, at=at)
