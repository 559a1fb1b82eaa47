"""Shared fixtures: the three stores, a recording clock, Hypothesis profiles.

PostgreSQL is expected at 127.0.0.1:5432 (user postgres, trust auth, database
``test``). Each test gets its own schema, dropped afterwards. Without a server the
PostgreSQL tests skip with the reason shown; under ``CI=true`` they fail instead.
"""

from __future__ import annotations

import functools
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from lapor_domain import (
    NATIONAL_READER,
    Actor,
    ComplaintEvent,
    FiredDeadline,
    KeyRing,
    LaporApp,
    admin_reader,
)
from lapor_domain.model.entry import Stamp

# The command line keeps the holidays package's answer in a cache folder: the tests' own.
# Operators read Bahasa Indonesia by default; the tests that read tables were written against
# the English catalog, and test_i18n.py checks the Indonesian one (and that it is the default).
os.environ.setdefault("LAPOR_LANG", "en")
TEST_CACHE = os.path.join(tempfile.gettempdir(), "lapor-test-cache")  # one folder: its files are keyed
os.environ.setdefault("LAPOR_CACHE_DIR", TEST_CACHE)
PG_DSN = os.environ.get("LAPOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("fuzz", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


OFFICE_KEYS = KeyRing.generate([NATIONAL_READER, admin_reader("kota-cirebon")])
"""The private keys of a city's office (the national desk's and Kota Cirebon's admin team's)."""


class StepClock:
    """A recording clock a test sets: advances one second per reading."""

    def __init__(self, start: datetime = datetime(2026, 11, 27, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class OfficeClock(StepClock):
    """The recording clock of an office that enters every command as it happens: it never
    reads earlier than the latest business instant it was shown (``OfficeApp`` shows it each
    command's), one second on per reading, and never goes back."""

    def __init__(self, start: datetime = datetime(2010, 1, 1, tzinfo=UTC)) -> None:
        super().__init__(start)

    def follow(self, instant: object) -> None:
        if isinstance(instant, datetime) and instant.utcoffset() is not None and instant > self.now:
            self.now = instant


class OfficeApp(LaporApp):
    """A LaporApp whose recording clock follows the business time the test enters (rule 13
    then refuses only what the test dates in the future or enters after a deadline)."""

    def __init__(self, store: str = "memory", *, clock: OfficeClock | None = None, **kwargs: Any) -> None:
        self.office_clock = clock or OfficeClock()
        super().__init__(store, clock=self.office_clock, **kwargs)

    def _stamp(self, actor: Actor, at: datetime, *, at_write: bool = False) -> tuple[Stamp, bool]:
        self.office_clock.follow(at)
        return super()._stamp(actor, at, at_write=at_write)

    def fire_due(self, at: datetime, *, batch: int = 500) -> list[FiredDeadline]:
        self.office_clock.follow(at)
        return super().fire_due(at, batch=batch)


def postgres_available() -> str | None:
    """None when the server answers, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(PG_DSN, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure to reach it is a reason to skip (or fail in CI)
        return f"PostgreSQL not reachable at {PG_DSN}: {str(exc).splitlines()[0]}"
    return None


def require_postgres() -> None:
    reason = postgres_available()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}_keys" CASCADE')  # its key store


def store_target(kind: str, tmp_path: Path) -> tuple[str, str | None]:
    """A fresh store of this kind: (target, postgres schema to drop or None)."""
    if kind == "memory":
        return "memory", None
    if kind == "sqlite":
        return str(tmp_path / f"lapor-{uuid.uuid4().hex[:8]}.db"), None
    require_postgres()
    schema = f"lapor_test_{uuid.uuid4().hex[:12]}"
    return f"{PG_DSN}?schema={schema}", schema


BACKENDS = [
    pytest.param("memory", id="memory"),
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


SHARED = [b for b in BACKENDS if b.id != "memory"]
"""The stores other processes can open too."""


def _fresh_target(kind: str, tmp_path: Path) -> Iterator[str]:
    text, schema = store_target(kind, tmp_path)
    yield text
    if schema:
        drop_schema(schema)


@pytest.fixture(params=SHARED)
def shared_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite file or PostgreSQL schema (dropped afterwards), for tests with processes."""
    yield from _fresh_target(request.param, tmp_path)


@pytest.fixture(params=BACKENDS)
def any_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh store of every kind: memory, a SQLite file, a PostgreSQL schema (dropped afterwards)."""
    yield from _fresh_target(request.param, tmp_path)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def clock() -> OfficeClock:
    return OfficeClock()


@pytest.fixture
def app(backend: str, tmp_path: Path, clock: OfficeClock) -> Iterator[LaporApp]:
    """A LaporApp on a fresh store of each kind, closed and cleaned up afterwards."""
    target, schema = store_target(backend, tmp_path)
    application = OfficeApp(target, clock=clock)
    try:
        yield application
    finally:
        application.close()
        if schema:
            drop_schema(schema)


@pytest.fixture
def memory_app(clock: OfficeClock) -> Iterator[LaporApp]:
    application = OfficeApp(clock=clock)
    yield application
    application.close()


def complaint_ids(app: LaporApp) -> set[uuid.UUID]:
    """Every complaint the log holds (its other streams, the calendar's and the policy's, left out)."""
    return {r.event.originator_id for r in app.feed.since() if isinstance(r.event, ComplaintEvent)}


def complaint_events(app: LaporApp, after: int = 0) -> list[ComplaintEvent]:
    """The complaints' events in the log after ``after``, in order."""
    return [r.event for r in app.feed.since(after) if isinstance(r.event, ComplaintEvent)]


Package = Callable[[tuple[tuple[date, str], ...], str], None]


@pytest.fixture
def package(monkeypatch: pytest.MonkeyPatch) -> Iterator[Package]:
    """Install a `holidays` package that answers ``days``, as version ``version`` (rule 16: an
    upgrade that moves a closing day), in this process; the real one again afterwards."""
    from lapor_domain.model import calendar

    def install(days: tuple[tuple[date, str], ...], version: str) -> None:
        answer = functools.lru_cache(maxsize=8)(lambda first, last: days)
        monkeypatch.setattr(calendar, "_indonesian_closing_days", answer)
        monkeypatch.setattr(calendar, "_holidays_version", lambda: version)
        calendar._indonesia.cache_clear()

    yield install
    monkeypatch.undo()
    calendar._indonesia.cache_clear()
