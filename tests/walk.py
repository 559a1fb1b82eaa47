"""A seeded random walk of complaints through the public API, for read-side properties.

Small and local on purpose: it exercises every event type and both finishing
clocks in a few dozen commands, with sweeps at random moments.
"""

from __future__ import annotations

import contextlib
import random
from datetime import datetime, timedelta

from lapor_domain import Actor, LaporApp, LaporError, Reporter

from sop import NATIONAL, wib

UNITS = ("dinkes", "dishub", "dputr", "dlh")


def liaison(unit: str) -> Actor:
    return Actor.liaison("kota-cirebon", unit, f"pp-{unit}")


ADMIN = Actor.admin("kota-cirebon", "admin-dodi")


def random_walk(app: LaporApp, seed: int, *, complaints: int = 6, start: datetime | None = None) -> datetime:
    """Drive ``complaints`` complaints for a few months; returns the last instant used."""
    rng = random.Random(seed)
    now = start or wib(2025, 3, 3, 8)
    ids = []
    for n in range(complaints):
        reporter = Actor.reporter(f"warga-{n}")
        c = app.submit(
            by=reporter, at=now, reporter=Reporter(name=f"Warga {n}"), title=f"Laporan {n}",
            description="Keluhan pelayanan", anonymous=rng.random() < 0.3, confidential=rng.random() < 0.2,
        )  # fmt: skip
        ids.append((c.id, reporter, rng.choice(UNITS)))
        now += timedelta(hours=rng.randint(1, 30))
    for _ in range(complaints * 8):
        now += timedelta(hours=rng.choice((1, 3, 20, 70, 200)))
        if rng.random() < 0.15:
            app.fire_due(now)
            continue
        cid, reporter, unit = rng.choice(ids)
        _act(app, rng, cid, reporter, unit, now)
    return now


def _act(app: LaporApp, rng: random.Random, cid, reporter: Actor, unit: str, now: datetime) -> None:  # type: ignore[no-untyped-def]
    officer = liaison(unit)
    options = [
        lambda: app.verify(cid, by=NATIONAL, at=now, anonymous=rng.choice((None, True))),
        lambda: app.dispose(cid, to="kota-cirebon", by=NATIONAL, at=now),
        lambda: app.verify(cid, by=ADMIN, at=now, confidential=rng.choice((None, True))),
        lambda: app.dispose(cid, to=unit, by=ADMIN, at=now),
        lambda: app.return_up(cid, reason="Bukan wewenang", by=rng.choice((officer, ADMIN)), at=now),
        lambda: app.respond(cid, message="Ditindaklanjuti", by=officer, at=now),
        lambda: app.respond(cid, message="Ditindaklanjuti", by=officer, at=now),
        lambda: app.reply(cid, message="Belum selesai", by=reporter, at=now),
        lambda: app.archive(cid, reason="duplicate", by=NATIONAL, at=now) if rng.random() < 0.2 else None,
    ]
    with contextlib.suppress(LaporError):  # a refused command records nothing; the walk goes on
        rng.choice(options)()
